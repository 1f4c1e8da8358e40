package postgres_test

import (
	"testing"

	"github.com/heraldbot/herald/storage/storagetest"
)

// The parts that write the change log keep their contracts on a shared
// store.
func TestContractSubscribersShared(t *testing.T) { storagetest.Subscribers(t, pgShared) }

func TestContractEngagementShared(t *testing.T) { storagetest.Engagement(t, pgShared) }
