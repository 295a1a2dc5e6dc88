package redisstore

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/storetest"
)

// openStore connects a new Store to addrs and closes it when the test ends.
func openStore(t testing.TB, opts Options) *Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := New(ctx, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// prefixer hands out key prefixes so that stores sharing one Redis do not
// see each other's records.
type prefixer struct{ n atomic.Int64 }

func (p *prefixer) next() string {
	return "t" + strconv.FormatInt(p.n.Add(1), 10) + ":"
}

// newSession returns a live session of user with a random id.
func newSession(user string) authgate.Session {
	return storetest.NewSession(user, time.Now())
}

// waitFor polls cond until it returns true or timeout passes, and reports
// whether it did. It never sleeps longer than the next poll.
func waitFor(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		<-tick.C
	}
}
