package proxy

import (
	"context"
	"sync"
	"time"

	"github.com/authgate/authgate"
)

// loginCache remembers user logins by id for a minute, so that a busy
// session does not cost a store read per request. It holds at most
// maxLogins entries and starts over when full.
type loginCache struct {
	users authgate.UserStore
	mu    sync.Mutex
	m     map[string]*cachedLogin
}

// cachedLogin is a user's id and login, kept as the values of the
// identity headers: every request of the user shares them, so that setting
// the headers allocates nothing. They are never written after the entry is
// made, and each slice's capacity ends at its length, so that an append
// to a header copies them.
type cachedLogin struct {
	vals  [2]string // the user id, then the login
	until time.Time
}

func (e *cachedLogin) id() []string    { return e.vals[0:1:1] }
func (e *cachedLogin) login() []string { return e.vals[1:2:2] }

const (
	maxLogins = 4096
	loginTTL  = time.Minute
)

// login returns the login of the user id, or "" if the store cannot say.
func (c *loginCache) login(ctx context.Context, id string) string {
	if e := c.entry(ctx, id); e != nil {
		return e.vals[1]
	}
	return ""
}

// entry returns the cache's entry for the user id, reading the store when
// it has none or an old one; nil if the store cannot say.
func (c *loginCache) entry(ctx context.Context, id string) *cachedLogin {
	now := time.Now()
	c.mu.Lock()
	e := c.m[id]
	c.mu.Unlock()
	if e != nil && now.Before(e.until) {
		return e
	}
	u, err := c.users.User(ctx, id)
	if err != nil {
		return nil
	}
	e = &cachedLogin{vals: [2]string{id, u.Login}, until: now.Add(loginTTL)}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxLogins {
		c.m = make(map[string]*cachedLogin)
	}
	c.m[id] = e
	c.mu.Unlock()
	return e
}
