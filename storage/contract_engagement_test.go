package storage_test

import (
	"testing"

	"github.com/heraldbot/herald/storage/storagetest"
)

func TestContractEngagement(t *testing.T) { storagetest.Engagement(t, bolt) }

func BenchmarkInbound(b *testing.B) { storagetest.BenchInbound(b, bolt) }
