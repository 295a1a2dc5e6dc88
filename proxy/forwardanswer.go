package proxy

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// HeaderAnswer carries the gate's answer to a request that nginx's check
// ([NginxCheckPath]) refused, sealed, from the check to [DenyPath] through
// the printed nginx config (auth_request_set, then proxy_set_header). The
// deny endpoint then sends that answer rather than deciding again, so that
// a refused API key counts once toward the throttle, not twice. Only the
// ForwardAuth that sealed it, within [answerTTL], for the same original
// method, URI and host, opens it; anything else is ignored and the deny
// endpoint decides again.
const HeaderAnswer = "Authgate-Forward-Answer"

// answerTTL is how long a sealed answer may be opened.
const answerTTL = time.Minute

// maxSealed bounds a sealed answer: nginx reads the check's headers into
// one buffer (proxy_buffer_size, 4 KB by default) and fails the request
// when they do not fit. A larger answer is not sealed.
const maxSealed = 2048

// sealedAnswer is the answer inside [HeaderAnswer].
type sealedAnswer struct {
	At     int64       `json:"t"`
	Status int         `json:"s"`
	Header http.Header `json:"h"`
	Body   []byte      `json:"b"`
}

// answerSealer seals and opens answers with a key of its own, made once
// per process.
type answerSealer struct{ key [32]byte }

func newAnswerSealer() *answerSealer {
	s := new(answerSealer)
	_, _ = rand.Read(s.key[:]) // crypto/rand.Read never fails
	return s
}

// mac binds payload to the original request o.
func (s *answerSealer) mac(o *http.Request, payload string) string {
	m := hmac.New(sha256.New, s.key[:])
	for _, part := range []string{o.Method, o.RequestURI, o.Host, payload} {
		m.Write([]byte(strconv.Itoa(len(part))))
		m.Write([]byte{':'})
		m.Write([]byte(part))
	}
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// seal returns the sealed answer for o, or "" when it is too large.
func (s *answerSealer) seal(o *http.Request, now time.Time, sw *statusWriter) string {
	b, err := json.Marshal(sealedAnswer{At: now.Unix(), Status: sw.status, Header: sw.header, Body: sw.body})
	if err != nil {
		return ""
	}
	payload := base64.RawURLEncoding.EncodeToString(b)
	v := payload + "." + s.mac(o, payload)
	if len(v) > maxSealed {
		return ""
	}
	return v
}

// open returns the answer sealed in v for o, if v is one, fresh at now.
func (s *answerSealer) open(o *http.Request, now time.Time, v string) (sealedAnswer, bool) {
	var a sealedAnswer
	payload, mac, ok := strings.Cut(v, ".")
	if !ok || len(v) > maxSealed || !hmac.Equal([]byte(mac), []byte(s.mac(o, payload))) {
		return a, false
	}
	b, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil || json.Unmarshal(b, &a) != nil || a.Status < 300 || a.Status > 599 {
		return a, false
	}
	if age := now.Sub(time.Unix(a.At, 0)); age < -answerTTL || age > answerTTL {
		return a, false
	}
	return a, true
}
