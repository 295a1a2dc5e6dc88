package bench

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"time"

	"github.com/gorilla/sessions"
)

// gorillaCookie is the name of the gorilla session cookie.
const gorillaCookie = "session"

// Gorilla is gorilla/sessions' CookieStore, with a hash key and a block
// key, in front of Handler. The session lives in the cookie; a sliding idle
// timeout means saving it, and so re-encrypting and re-signing it, on
// every request, which is what the guard does.
type Gorilla struct {
	store   *sessions.CookieStore
	hashKey []byte
}

// NewGorilla returns the CookieStore contender with fresh random keys and
// a MaxAge of the idle timeout.
func NewGorilla() *Gorilla {
	hashKey := make([]byte, 32)
	blockKey := make([]byte, 32)
	_, _ = rand.Read(hashKey)
	_, _ = rand.Read(blockKey)
	st := sessions.NewCookieStore(hashKey, blockKey)
	st.Options.HttpOnly = true
	st.Options.SameSite = http.SameSiteLaxMode
	st.MaxAge(int(IdleTimeout / time.Second))
	return &Gorilla{store: st, hashKey: hashKey}
}

// Name returns "gorilla-cookie".
func (c *Gorilla) Name() string { return "gorilla-cookie" }

// Handler returns Handler behind a guard that reads the session, refuses
// it without a user id, and saves it again to slide its expiry.
func (c *Gorilla) Handler() http.Handler {
	next := Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := c.store.Get(r, gorillaCookie)
		if err != nil || s.Values["user_id"] == nil {
			loginRequired(w)
			return
		}
		if err := s.Save(r, w); err != nil {
			http.Error(w, "session error", http.StatusInternalServerError)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// SignIn saves a session holding the benchmark user and returns its
// cookie. The cookie carries its own time, so age is not used.
func (c *Gorilla) SignIn(ctx context.Context, _ time.Duration) (string, error) {
	r := httptest.NewRequestWithContext(ctx, http.MethodGet, "https://app.example/login", nil)
	s, err := c.store.New(r, gorillaCookie)
	if err != nil {
		return "", err
	}
	s.Values["user_id"] = BenchUserID
	s.Values["user_name"] = BenchUserName
	w := httptest.NewRecorder()
	if err := s.Save(r, w); err != nil {
		return "", err
	}
	return cookieHeader(w.Result().Cookies())
}

// Expired returns a genuine session cookie whose signed timestamp is older
// than the idle timeout, as a browser would still send it if its clock or
// its cookie jar kept it.
func (c *Gorilla) Expired(ctx context.Context) (string, error) {
	live, err := c.SignIn(ctx, 0)
	if err != nil {
		return "", err
	}
	value := live[len(gorillaCookie)+1:]
	old := time.Now().Add(-IdleTimeout - time.Minute).Unix()
	forged, err := backdate(c.hashKey, gorillaCookie, value, old)
	if err != nil {
		return "", err
	}
	return gorillaCookie + "=" + forged, nil
}

// backdate re-signs a securecookie value with another timestamp. The value
// is base64("date|payload|mac") with mac = HMAC-SHA256("name|date|payload").
func backdate(hashKey []byte, name, value string, unix int64) (string, error) {
	raw, err := base64.URLEncoding.DecodeString(value)
	if err != nil {
		return "", err
	}
	parts := bytes.SplitN(raw, []byte("|"), 3)
	if len(parts) != 3 {
		return "", errors.New("not a securecookie value")
	}
	date := strconv.FormatInt(unix, 10)
	m := hmac.New(sha256.New, hashKey)
	m.Write([]byte(name + "|" + date + "|"))
	m.Write(parts[1])
	out := []byte(date + "|")
	out = append(out, parts[1]...)
	out = append(out, '|')
	out = m.Sum(out)
	return base64.URLEncoding.EncodeToString(out), nil
}

// Writes returns 0: a CookieStore has no server-side store. Its cost is a
// Set-Cookie on every response instead.
func (c *Gorilla) Writes() int64 { return 0 }

// Close does nothing.
func (c *Gorilla) Close() error { return nil }
