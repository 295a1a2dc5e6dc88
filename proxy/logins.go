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
	m     map[string]cachedLogin
}

type cachedLogin struct {
	login string
	until time.Time
}

const (
	maxLogins = 4096
	loginTTL  = time.Minute
)

// login returns the login of the user id, or "" if the store cannot say.
func (c *loginCache) login(ctx context.Context, id string) string {
	now := time.Now()
	c.mu.Lock()
	e, ok := c.m[id]
	c.mu.Unlock()
	if ok && now.Before(e.until) {
		return e.login
	}
	u, err := c.users.User(ctx, id)
	if err != nil {
		return ""
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxLogins {
		c.m = make(map[string]cachedLogin)
	}
	c.m[id] = cachedLogin{login: u.Login, until: now.Add(loginTTL)}
	c.mu.Unlock()
	return u.Login
}
