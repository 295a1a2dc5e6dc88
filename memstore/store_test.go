package memstore

import (
	"testing"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(*testing.T) authgate.Store { return New() })
}
