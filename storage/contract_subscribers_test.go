package storage_test

import (
	"testing"

	"github.com/heraldbot/herald/storage/storagetest"
)

func TestContractSubscribers(t *testing.T) { storagetest.Subscribers(t, bolt) }
