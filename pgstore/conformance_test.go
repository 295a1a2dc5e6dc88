package pgstore_test

import (
	"testing"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/pgtest"
	"github.com/authgate/authgate/pgstore"
	"github.com/authgate/authgate/storetest"
)

func TestConformance(t *testing.T) {
	url := pgtest.Shared(t).Database(t)
	tests := []struct {
		name string
		opts pgstore.Options
	}{
		{"cached", pgstore.Options{}},
		{"uncached", pgstore.Options{NoCache: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T) authgate.Store { return open(t, url, tc.opts) })
		})
	}
	t.Run("clock", func(t *testing.T) {
		storetest.RunClock(t, func(t *testing.T, now func() time.Time) authgate.Store {
			return open(t, url, pgstore.Options{Now: now})
		})
	})
}
