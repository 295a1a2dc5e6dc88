package main

import (
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
)

// cookies are a target's cookies as a browser keeps them: every Set-Cookie
// in an answer replaces or removes the cookie of that name, and the next
// request sends the result. Without this, a gate that renews a cookie (the
// companion cookie moves with every touch of the session) would be told
// the old value forever and renew it on every answer, which no browser
// makes it do.
type cookies struct {
	header atomic.Pointer[string] // the Cookie header to send
	mu     sync.Mutex
	names  []string // in the order first set
	values map[string]string
}

// newCookies returns the cookies of a Cookie header value.
func newCookies(header string) *cookies {
	c := &cookies{values: map[string]string{}}
	for part := range strings.SplitSeq(header, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(part), "=")
		if name != "" {
			c.names = append(c.names, name)
			c.values[name] = value
		}
	}
	c.header.Store(&header)
	return c
}

// Header returns the Cookie header value to send.
func (c *cookies) Header() string { return *c.header.Load() }

// update applies the Set-Cookie lines of resp, if any.
func (c *cookies) update(resp *http.Response) {
	if len(resp.Header["Set-Cookie"]) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, ck := range resp.Cookies() {
		if _, ok := c.values[ck.Name]; !ok {
			c.names = append(c.names, ck.Name)
		}
		if ck.MaxAge < 0 || ck.Value == "" {
			delete(c.values, ck.Name)
			continue
		}
		c.values[ck.Name] = ck.Value
	}
	var parts []string
	for _, n := range c.names {
		if v, ok := c.values[n]; ok {
			parts = append(parts, n+"="+v)
		}
	}
	h := strings.Join(parts, "; ")
	c.header.Store(&h)
}
