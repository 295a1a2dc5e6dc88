package proxy_test

import (
	"bufio"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/memstore"
)

// docGate returns the gate that docs/PROTOCOL.md's proxy and forward-auth
// examples run against: the user ada (id u1) signed in once, with an API
// key, on a memory store. fill replaces <key> in an example with the key's
// Basic credentials and <session> with the session token.
func docGate(t *testing.T) (store *memstore.Store, gate *authgate.Gate, fill *strings.Replacer) {
	t.Helper()
	store = memstore.New()
	ctx := t.Context()
	if err := store.CreateUser(ctx, authgate.User{ID: "u1", Login: "ada", Name: "Ada", PasswordHash: "x", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	k, secret, _ := authgate.NewAPIKey("u1", "doc", time.Now(), time.Time{})
	if err := store.CreateKey(ctx, k); err != nil {
		t.Fatal(err)
	}
	gate, err := authgate.New(authgate.Config{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	if _, err := gate.SignIn(ctx, rec, httptest.NewRequest(http.MethodPost, "http://localhost/login", nil), authgate.User{ID: "u1", Login: "ada", Name: "Ada"}); err != nil {
		t.Fatal(err)
	}
	var token string
	for _, c := range rec.Result().Cookies() {
		if c.Name == "__Host-authgate" {
			token = c.Value
		}
	}
	basic := base64.StdEncoding.EncodeToString([]byte(k.ID + ":" + secret))
	return store, gate, strings.NewReplacer("<key>", basic, "<session>", token)
}

// sendRaw sends raw, an example's request with \n line ends, to h over a
// real connection, as written, and returns the answer and its body.
func sendRaw(t *testing.T, h http.Handler, raw string) (*http.Response, []byte) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	_, _ = io.WriteString(conn, strings.ReplaceAll(raw, "\n", "\r\n")+"\r\nConnection: close\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}
