package bench

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
)

// BurstResult is what a burst of requests on one session cost.
type BurstResult struct {
	Requests   int   // requests sent
	Writes     int64 // writes to the session store
	SetCookies int   // responses that carried a Set-Cookie header
}

// Burst sends n page loads on one session through h, one after another,
// with the Cookie header cookie, which it updates from each response's
// Set-Cookie as a browser's cookie jar would. It counts c's store writes
// and the responses that set a cookie. Every response must be a 200.
func Burst(ctx context.Context, h http.Handler, c Contender, cookie string, n int) (BurstResult, error) {
	jar := NewJar(cookie)
	res := BurstResult{Requests: n}
	w0 := c.Writes()
	base := PageRequest("")
	for i := range n {
		r := base.Clone(ctx)
		r.Header.Set("Cookie", jar.Header())
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			return res, fmt.Errorf("request %d of the burst got %d", i+1, w.Code)
		}
		if set := w.Header()["Set-Cookie"]; len(set) > 0 {
			res.SetCookies++
			jar.Update(set)
		}
	}
	res.Writes = c.Writes() - w0
	return res, nil
}

// Jar holds the cookies of one site as a browser's cookie jar does: it
// sends back what responses set. It is safe for concurrent use.
type Jar struct {
	mu     sync.Mutex
	names  []string // in the order first set
	values map[string]string
	header string // the Cookie header, built on demand
}

// NewJar returns a jar holding the cookies of a Cookie header.
func NewJar(cookieHeader string) *Jar {
	j := &Jar{values: make(map[string]string)}
	for _, part := range strings.Split(cookieHeader, ";") {
		name, value, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok {
			j.setLocked(name, value)
		}
	}
	return j
}

func (j *Jar) setLocked(name, value string) {
	if _, ok := j.values[name]; !ok {
		j.names = append(j.names, name)
	}
	j.values[name] = value
	j.header = ""
}

func (j *Jar) deleteLocked(name string) {
	if _, ok := j.values[name]; !ok {
		return
	}
	delete(j.values, name)
	j.names = slices.DeleteFunc(j.names, func(n string) bool { return n == name })
	j.header = ""
}

// Update applies a response's Set-Cookie lines.
func (j *Jar) Update(lines []string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, line := range lines {
		c, err := http.ParseSetCookie(line)
		if err != nil {
			continue
		}
		if c.MaxAge < 0 {
			j.deleteLocked(c.Name)
			continue
		}
		j.setLocked(c.Name, c.Value)
	}
}

// Header returns the Cookie header for the jar's cookies.
func (j *Jar) Header() string {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.header == "" {
		parts := make([]string, len(j.names))
		for i, n := range j.names {
			parts[i] = n + "=" + j.values[n]
		}
		j.header = strings.Join(parts, "; ")
	}
	return j.header
}
