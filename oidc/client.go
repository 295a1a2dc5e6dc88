package oidc

import (
	"fmt"
	"io"
	"net/http"
	"time"
)

// maxBody bounds every answer the gate reads from the provider (discovery
// document, keys, token response): a hostile or broken provider cannot
// make it read more.
const maxBody = 1 << 20

// httpClient returns the client the provider's calls go through: a copy of
// c (or a new client when c is nil) with timeout when c has none, and whose
// answers are read to at most maxBody bytes. c itself is left as it is.
func httpClient(c *http.Client, timeout time.Duration) *http.Client {
	out := &http.Client{}
	if c != nil {
		*out = *c
	}
	if out.Timeout == 0 {
		out.Timeout = timeout
	}
	next := out.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	out.Transport = &boundedTransport{next: next}
	return out
}

// boundedTransport makes every response body fail once it is longer than
// maxBody.
type boundedTransport struct{ next http.RoundTripper }

func (t *boundedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	resp.Body = &boundedBody{body: resp.Body, left: maxBody}
	return resp, nil
}

// errTooLong is an answer from the provider longer than maxBody.
var errTooLong = fmt.Errorf("oidc: the provider's answer is longer than %d bytes", maxBody)

// boundedBody reads body until left bytes are read; a byte more is
// errTooLong.
type boundedBody struct {
	body io.ReadCloser
	left int64
}

func (b *boundedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, errTooLong
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.body.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n + int(b.left), errTooLong
	}
	return n, err
}

func (b *boundedBody) Close() error { return b.body.Close() }
