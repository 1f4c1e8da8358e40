package storage_test

import (
	"testing"

	"github.com/heraldbot/herald/storage/storagetest"
)

func TestContractSequences(t *testing.T) { storagetest.Sequences(t, bolt) }
