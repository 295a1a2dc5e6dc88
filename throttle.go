package authgate

import (
	"errors"
	"sync"
	"time"
)

// ThrottleConfig limits failed sign-ins and API key attempts. A client that
// fails Account times for one account, or Address times from one address,
// within Window gets 429 with Retry-After until the window has passed. The
// zero value of each field takes its default.
type ThrottleConfig struct {
	Account    int           // failures per account or key id; default 10
	Address    int           // failures per client address; default 100
	Window     time.Duration // default 15 minutes
	MaxEntries int           // tracked accounts and addresses; default 100000
}

func (c *ThrottleConfig) fill() error {
	if c.Account == 0 {
		c.Account = 10
	}
	if c.Address == 0 {
		c.Address = 100
	}
	if c.Window == 0 {
		c.Window = 15 * time.Minute
	}
	if c.MaxEntries == 0 {
		c.MaxEntries = 100000
	}
	if c.Account < 0 || c.Address < 0 || c.Window < time.Second || c.MaxEntries < 0 {
		return errors.New("authgate: Throttle limits must be positive and Window at least a second")
	}
	return nil
}

// throttle counts failures in fixed windows per account and per address.
// It is per process: several instances behind a load balancer each keep
// their own counts.
type throttle struct {
	cfg ThrottleConfig
	mu  sync.Mutex
	m   map[string]*window
}

type window struct {
	start time.Time
	n     int
}

func newThrottle(cfg ThrottleConfig) *throttle {
	return &throttle{cfg: cfg, m: make(map[string]*window)}
}

// blocked returns how many seconds the caller must wait, or 0.
func (t *throttle) blocked(now time.Time, account, addr string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	wait := max(t.wait(now, "a:"+account, t.cfg.Account), t.wait(now, "i:"+addr, t.cfg.Address))
	return wait
}

func (t *throttle) wait(now time.Time, key string, limit int) int {
	w := t.m[key]
	if w == nil {
		return 0
	}
	end := w.start.Add(t.cfg.Window)
	if !now.Before(end) {
		delete(t.m, key)
		return 0
	}
	if w.n < limit {
		return 0
	}
	return int((end.Sub(now) + time.Second - 1) / time.Second)
}

// take counts an attempt for an account and an address before its password
// is checked, and returns how many seconds the caller must wait instead, or
// 0. Counting before the slow hash means a parallel attacker cannot have
// more passwords verified than the limit; succeed gives the attempt back.
func (t *throttle) take(now time.Time, account, addr string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	if wait := max(t.wait(now, "a:"+account, t.cfg.Account), t.wait(now, "i:"+addr, t.cfg.Address)); wait > 0 {
		return wait
	}
	t.add(now, "a:"+account)
	t.add(now, "i:"+addr)
	return 0
}

// fail records a failure for an account and an address.
func (t *throttle) fail(now time.Time, account, addr string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.add(now, "a:"+account)
	t.add(now, "i:"+addr)
}

func (t *throttle) add(now time.Time, key string) {
	w := t.m[key]
	if w != nil && !now.Before(w.start.Add(t.cfg.Window)) {
		w = nil
	}
	if w == nil {
		if len(t.m) >= t.cfg.MaxEntries {
			t.prune(now)
		}
		w = &window{start: now}
		t.m[key] = w
	}
	w.n++
}

// prune drops ended windows; if none has ended, it drops arbitrary ones so
// that a flood of addresses cannot grow the map without bound.
func (t *throttle) prune(now time.Time) {
	for k, w := range t.m {
		if !now.Before(w.start.Add(t.cfg.Window)) {
			delete(t.m, k)
		}
	}
	for k := range t.m {
		if len(t.m) < t.cfg.MaxEntries {
			break
		}
		delete(t.m, k)
	}
}

// release gives back an attempt that take counted but that was never
// judged, because the store failed.
func (t *throttle) release(account, addr string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, k := range [...]string{"a:" + account, "i:" + addr} {
		if w := t.m[k]; w != nil && w.n > 0 {
			w.n--
		}
	}
}

// succeed clears an account's failures after a good sign-in and gives the
// address back the attempt take counted.
func (t *throttle) succeed(account, addr string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.m, "a:"+account)
	if w := t.m["i:"+addr]; w != nil && w.n > 0 {
		w.n--
	}
}
