package bench

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"time"
)

// Bare is the floor: Handler with no guard at all. Its sessions are random
// cookies of the same size as authgate's, which nothing reads, so that its
// requests carry the same bytes.
type Bare struct{}

// Name returns "bare".
func (Bare) Name() string { return "bare" }

// Handler returns Handler itself.
func (Bare) Handler() http.Handler { return Handler() }

// SignIn returns a random cookie that nothing checks.
func (Bare) SignIn(context.Context, time.Duration) (string, error) { return randomCookie(), nil }

// Expired returns a random cookie that nothing checks.
func (Bare) Expired(context.Context) (string, error) { return randomCookie(), nil }

// Writes returns 0: there is no store.
func (Bare) Writes() int64 { return 0 }

// Close does nothing.
func (Bare) Close() error { return nil }

func randomCookie() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return "__Host-authgate=" + base64.RawURLEncoding.EncodeToString(b[:]) + "; authgate_exp=1700001800.1700043200"
}
