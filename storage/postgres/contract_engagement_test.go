package postgres_test

import (
	"testing"

	"github.com/heraldbot/herald/storage/storagetest"
)

func TestContractEngagement(t *testing.T) { storagetest.Engagement(t, pg) }

func BenchmarkInbound(b *testing.B) { storagetest.BenchInbound(b, pg) }
