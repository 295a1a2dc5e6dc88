package authgate_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/testkit"
	"github.com/authgate/authgate/memstore"
)

// throttled sets a small limit so the tests stay short.
func throttled(c *authgate.Config) {
	c.Throttle = authgate.ThrottleConfig{Account: 3, Address: 1000, Window: time.Minute}
}

// TestThrottleRetryAfterExact: Retry-After is the time left in the
// window, rounded up to whole seconds, so that a client that waits exactly
// that long gets through.
func TestThrottleRetryAfterExact(t *testing.T) {
	e := newEnv(t, throttled)
	start := e.clock.Now()
	for range 3 {
		e.do(jsonLogin(testLogin, "wrong"))
	}
	for _, tt := range []struct {
		after time.Duration // since the first failure
		want  string
	}{
		{0, "60"},
		{500 * time.Millisecond, "60"},
		{time.Second, "59"},
		{59 * time.Second, "1"},
		{59*time.Second + 999*time.Millisecond, "1"},
	} {
		e.clock.Set(start.Add(tt.after))
		rec := e.do(jsonLogin(testLogin, testPassword))
		if rec.Code != http.StatusTooManyRequests {
			t.Fatalf("at +%v: status %d, want 429", tt.after, rec.Code)
		}
		if got := rec.Header().Get("Retry-After"); got != tt.want {
			t.Errorf("at +%v: Retry-After = %s, want %s", tt.after, got, tt.want)
		}
	}
}

// TestThrottleConfigChecked: New refuses nonsense limits.
func TestThrottleConfigChecked(t *testing.T) {
	for _, tc := range []authgate.ThrottleConfig{
		{Account: -1},
		{Address: -1},
		{Window: time.Millisecond},
		{MaxEntries: -1},
		{MaxDelay: time.Millisecond},
		{Remember: -time.Hour},
	} {
		if _, err := authgate.New(authgate.Config{Store: memstore.New(), Hasher: testkit.Hasher, Throttle: tc}); err == nil {
			t.Errorf("New accepted Throttle %+v", tc)
		}
	}
}
