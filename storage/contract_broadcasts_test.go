package storage_test

import (
	"testing"

	"github.com/heraldbot/herald/storage/storagetest"
)

func TestContractBroadcasts(t *testing.T) { storagetest.Broadcasts(t, bolt) }
