package storekit

import (
	"testing"
	"time"

	"github.com/authgate/authgate"
)

func TestNormalRecords(t *testing.T) {
	fine := time.Date(2026, 12, 2, 9, 0, 0, 1_234_567, time.UTC)
	milli := time.UnixMilli(fine.UnixMilli())
	tests := []struct {
		name     string
		in, want time.Time
	}{
		{"sub-millisecond dropped", fine, milli},
		{"zero stays zero", time.Time{}, time.Time{}},
	}
	for _, tc := range tests {
		x := NormalSession(authgate.Session{CreatedAt: tc.in, LastSeen: tc.in, Expires: tc.in, IdleTimeout: 1500 * time.Microsecond})
		if !x.CreatedAt.Equal(tc.want) || !x.LastSeen.Equal(tc.want) || !x.Expires.Equal(tc.want) || x.Expires.IsZero() != tc.want.IsZero() {
			t.Errorf("%s: NormalSession times = %v, %v, %v; want %v", tc.name, x.CreatedAt, x.LastSeen, x.Expires, tc.want)
		}
		if x.IdleTimeout != time.Millisecond {
			t.Errorf("%s: NormalSession idle timeout = %v, want 1ms", tc.name, x.IdleTimeout)
		}
		k := NormalKey(authgate.APIKey{CreatedAt: tc.in, ExpiresAt: tc.in, LastUsed: tc.in})
		if !k.CreatedAt.Equal(tc.want) || !k.ExpiresAt.Equal(tc.want) || !k.LastUsed.Equal(tc.want) || k.LastUsed.IsZero() != tc.want.IsZero() {
			t.Errorf("%s: NormalKey times = %v, %v, %v; want %v", tc.name, k.CreatedAt, k.ExpiresAt, k.LastUsed, tc.want)
		}
	}
}
