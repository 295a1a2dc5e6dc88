package main

import (
	"net/http"
	"sync"
	"time"
)

// sessionCookie names the provider's browser session cookie. Cookies are
// shared by every port of a host, so the name must not be one a relying
// party on the same host uses.
const sessionCookie = "oidcprovider_session"

// maxSessions bounds the browser sessions kept; past it the oldest go.
const maxSessions = 1000

// session is a browser's sign-in at the provider.
type session struct {
	subject  string
	authTime time.Time
	expires  time.Time
}

// sessions holds the browser sessions, by the random value of their cookie.
type sessions struct {
	lifetime time.Duration

	mu sync.Mutex
	m  map[string]session
}

func newSessions(lifetime time.Duration) *sessions {
	return &sessions{lifetime: lifetime, m: map[string]session{}}
}

// start begins a session for subject and sets its cookie on w.
func (s *sessions) start(w http.ResponseWriter, subject string) session {
	now := time.Now()
	id := randomID()
	sess := session{subject: subject, authTime: now, expires: now.Add(s.lifetime)}
	s.mu.Lock()
	if len(s.m) >= maxSessions {
		s.evictLocked(now)
	}
	s.m[id] = sess
	s.mu.Unlock()
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: id, Path: "/", Expires: sess.expires,
		HttpOnly: true, SameSite: http.SameSiteLaxMode,
	})
	return sess
}

// evictLocked drops the expired sessions, and the oldest one if none was.
func (s *sessions) evictLocked(now time.Time) {
	oldest, oldestID := now, ""
	n := len(s.m)
	for id, sess := range s.m {
		if now.After(sess.expires) {
			delete(s.m, id)
		} else if sess.authTime.Before(oldest) {
			oldest, oldestID = sess.authTime, id
		}
	}
	if len(s.m) == n && oldestID != "" {
		delete(s.m, oldestID)
	}
}

// get returns the live session of the request's cookie.
func (s *sessions) get(r *http.Request) (session, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return session{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.m[c.Value]
	if !ok || time.Now().After(sess.expires) {
		return session{}, false
	}
	return sess, true
}

// end forgets the request's session and clears its cookie.
func (s *sessions) end(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		s.mu.Lock()
		delete(s.m, c.Value)
		s.mu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}
