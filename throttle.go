package authgate

import (
	"errors"
	"net/netip"
	"sync"
	"time"
)

// ThrottleConfig limits failed sign-ins and API key attempts. The zero
// value of each field takes its default.
//
// The policy, which no number of strangers can turn against an account's
// owner:
//
//   - Addresses. A client address (an IPv6 client by its /64) that fails
//     Address times within Window, with passwords or API keys, gets 429
//     with Retry-After until its window has passed.
//   - Passwords, per account and address. Account failures for one login
//     from one address lock that login out from that address only, for the
//     rest of the window.
//   - Passwords, per account. Once a login has failed Account times within
//     Window from all addresses together, each further attempt from an
//     address it has not signed in from makes the next one wait: 1 second,
//     then 2, 4 and so on up to MaxDelay, with 429 and Retry-After in
//     between. It slows guessing down and never locks the account: the
//     owner signing in from an address the login succeeded from within
//     Remember is not slowed at all.
//   - API keys are limited by address only. A key id is never locked, since
//     guessing a 256-bit secret is hopeless and a lock would let anyone
//     shut a key out. Key ids and logins are counted apart.
//
// Logins are matched exactly, byte for byte, here and in every store:
// "Demo" and "demo" are two logins.
//
// The counts are per process and in memory, and every operation on them
// costs the same however many clients are tracked: see MaxEntries.
type ThrottleConfig struct {
	Account int           // failures per login and address, and per login before the delay; default 10
	Address int           // failures per client address; default 100
	Window  time.Duration // default 15 minutes
	// MaxDelay caps the growing delay of a login under attack. Default 1
	// minute.
	MaxDelay time.Duration
	// Remember is how long a sign-in's address stays the owner's own, free
	// of the delay. Default 30 days.
	Remember time.Duration
	// MaxEntries bounds each of the three tables the throttle keeps: counts,
	// lockouts and the owners' addresses; default 100000. Each table is two
	// maps of MaxEntries/2: when the newer fills up within its window, the
	// older is forgotten at once (in constant time). Lockouts are kept
	// apart from counts, so a flood of new clients never ends one early;
	// only MaxEntries/2 new lockouts within one window can.
	MaxEntries int
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
	if c.MaxDelay == 0 {
		c.MaxDelay = time.Minute
	}
	if c.Remember == 0 {
		c.Remember = 30 * 24 * time.Hour
	}
	if c.MaxEntries == 0 {
		c.MaxEntries = 100000
	}
	if c.Account < 0 || c.Address < 0 || c.Window < time.Second || c.MaxDelay < time.Second ||
		c.Remember < time.Second || c.MaxEntries < 0 {
		return errors.New("authgate: Throttle limits must be positive, and Window, MaxDelay and Remember at least a second")
	}
	return nil
}

// throttle counts failures in fixed windows. Its keys live in separate
// spaces by their first letter: "i" a client address, "p" a login at an
// address, "u" a login from everywhere, "o" a login's owner address.
type throttle struct {
	cfg    ThrottleConfig
	mu     sync.Mutex
	counts *twoGen[*counter] // counts below their limit
	locks  *twoGen[*counter] // counts that reached their limit
	owners *twoGen[struct{}] // login and address pairs that signed in
}

// counter is one key's failures in its window. next is when a login under
// attack takes its next attempt from a stranger.
type counter struct {
	start time.Time
	n     int
	next  time.Time
}

func newThrottle(cfg ThrottleConfig) *throttle {
	return &throttle{
		cfg:    cfg,
		counts: newTwoGen[*counter](cfg.Window, cfg.MaxEntries),
		locks:  newTwoGen[*counter](cfg.Window, cfg.MaxEntries),
		owners: newTwoGen[struct{}](cfg.Remember, cfg.MaxEntries),
	}
}

// load returns how many counters the throttle holds below their limit,
// and how many have reached it (lockouts and delays in force or recent).
func (t *throttle) load() (counting, limited int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.counts.len(), t.locks.len()
}

// clientKey returns the throttle's name for a client address: an IPv6
// address stands for its /64 (one subscriber's share), an IPv4-mapped
// address for its IPv4 address. Anything else is kept as given.
func clientKey(addr string) string {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	return string(appendClientIP(nil, ip))
}

// appendClientIP appends the client key of a parsed address to b (see
// clientKey).
func appendClientIP(b []byte, ip netip.Addr) []byte {
	ip = ip.WithZone("").Unmap()
	if ip.Is4() {
		return ip.AppendTo(b)
	}
	p, _ := ip.Prefix(64)
	return p.AppendTo(b)
}

// addrPrefix starts the keys of addrKey.
const addrPrefix = "i"

// The keys of the throttle's spaces, for a client's key (see clientKey).
// A login holds no control character, so the NUL after it ends it.
func addrKey(client string) string         { return addrPrefix + client }
func pairKey(login, client string) string  { return "p" + login + "\x00" + client }
func loginKey(login string) string         { return "u" + login }
func ownerKey(login, client string) string { return "o" + login + "\x00" + client }

// find returns key's counter if its window is still open.
func (t *throttle) find(now time.Time, key string) *counter {
	c, ok := t.locks.get(now, key)
	if !ok {
		c, ok = t.counts.get(now, key)
	}
	if !ok || !now.Before(c.start.Add(t.cfg.Window)) {
		return nil
	}
	return c
}

// wait returns the seconds until key's window ends if it has reached
// limit, or 0.
func (t *throttle) wait(now time.Time, key string, limit int) int {
	c := t.find(now, key)
	if c == nil || c.n < limit {
		return 0
	}
	return ceilSeconds(c.start.Add(t.cfg.Window).Sub(now))
}

// add counts one failure for key; a count that reaches limit moves to the
// lockouts.
func (t *throttle) add(now time.Time, key string, limit int) {
	c := t.find(now, key)
	if c == nil {
		c = &counter{start: now}
	}
	c.n++
	if c.n >= limit {
		t.counts.del(key)
		t.locks.put(now, key, c)
	} else {
		t.locks.del(key) // a lockout given back by undo is a count again
		t.counts.put(now, key, c)
	}
}

// undo takes back one failure counted for key.
func (t *throttle) undo(now time.Time, key string) {
	if c := t.find(now, key); c != nil && c.n > 0 {
		c.n--
	}
}

func ceilSeconds(d time.Duration) int { return int((d + time.Second - 1) / time.Second) }

// delay is how long a login under attack waits between strangers'
// attempts once it has failed the given number of times: a second at the
// limit, doubling with each failure past it, up to MaxDelay.
func (t *throttle) delay(failed int) time.Duration {
	over := failed - t.cfg.Account
	if over >= 30 {
		return t.cfg.MaxDelay
	}
	return min(time.Second<<max(over, 0), t.cfg.MaxDelay)
}

// takePassword counts a sign-in attempt before its password is checked,
// and returns how many seconds the caller must wait instead, or 0.
// Counting before the slow hash means a parallel attacker cannot have more
// passwords verified than the limits allow; passwordOK gives the attempt
// back, and release does when it was never judged.
func (t *throttle) takePassword(now time.Time, login, addr string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	client := clientKey(addr)
	ak, pk, lk := addrKey(client), pairKey(login, client), loginKey(login)
	if wait := max(t.wait(now, ak, t.cfg.Address), t.wait(now, pk, t.cfg.Account)); wait > 0 {
		return wait
	}
	if _, owner := t.owners.get(now, ownerKey(login, client)); !owner {
		if c := t.find(now, lk); c != nil && c.n >= t.cfg.Account {
			if now.Before(c.next) {
				return ceilSeconds(c.next.Sub(now))
			}
			c.next = now.Add(t.delay(c.n))
		}
	}
	t.add(now, ak, t.cfg.Address)
	t.add(now, pk, t.cfg.Account)
	// The login's own count locks nothing: at its limit it starts the
	// delay, and it is kept with the lockouts so a flood cannot reset it.
	t.add(now, lk, t.cfg.Account)
	return 0
}

// release gives back an attempt that takePassword counted but that was
// never judged, because the store failed or the gate was too busy to hash.
func (t *throttle) release(now time.Time, login, addr string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	client := clientKey(addr)
	t.undo(now, addrKey(client))
	t.undo(now, pairKey(login, client))
	t.undo(now, loginKey(login))
}

// passwordOK records a good sign-in: the attempt is given back to the
// address and to the login, the login's failures from this address are
// forgotten, and the address becomes the owner's own.
func (t *throttle) passwordOK(now time.Time, login, addr string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	client := clientKey(addr)
	t.undo(now, addrKey(client))
	t.undo(now, loginKey(login))
	t.counts.del(pairKey(login, client))
	t.locks.del(pairKey(login, client))
	t.owners.put(now, ownerKey(login, client), struct{}{})
}

// addressWait returns how many seconds a client address must wait, or 0.
// API key attempts are limited by address only.
func (t *throttle) addressWait(now time.Time, addr string) int {
	// Every API key request asks this: its key is built on the stack, so
	// that the lookup allocates nothing.
	var buf [64]byte
	key := append(buf[:0], addrPrefix...)
	if ip, err := netip.ParseAddr(addr); err == nil {
		key = appendClientIP(key, ip)
	} else {
		key = append(key, addr...)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.wait(now, string(key), t.cfg.Address)
}

// addressFailed counts a failed API key attempt against its address.
func (t *throttle) addressFailed(now time.Time, addr string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.add(now, addrKey(clientKey(addr)), t.cfg.Address)
}
