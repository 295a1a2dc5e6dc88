package memstore

import (
	"testing"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(*testing.T) authgate.Store { return New() })
}

func TestClock(t *testing.T) {
	storetest.RunClock(t, func(_ *testing.T, now func() time.Time) authgate.Store { return New(WithClock(now)) })
}
