package redisstore

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/redistest"
)

// TestNewErrors checks that New refuses bad options and a Redis that is not
// there, without hanging and without repeating the password.
func TestNewErrors(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := l.Addr().String()
	l.Close()

	const secret = "hunter2"
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"no address", Options{}, "Addrs is empty"},
		{"braces in prefix", Options{Addrs: []string{closedAddr}, Prefix: "a{b}:"}, "Prefix"},
		{"negative TTL", Options{Addrs: []string{closedAddr}, CacheTTL: -time.Second}, "negative"},
		{"nothing listening", Options{Addrs: []string{closedAddr}, Password: secret, Timeout: time.Second}, closedAddr},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			s, err := New(ctx, tt.opts)
			if err == nil {
				s.Close()
				t.Fatal("New succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New: %v, want an error mentioning %q", err, tt.want)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("New: error %q repeats the password", err)
			}
		})
	}
}

// TestPassword checks that the store signs in to a Redis that requires a
// password, and that a wrong password is an error.
func TestPassword(t *testing.T) {
	srv := redistest.Start(t, "--requirepass", "s3cret")
	ctx := context.Background()
	s, err := Open(ctx, "redis://:s3cret@"+srv.Addr+"/1")
	if err != nil {
		t.Fatalf("Open with the password: %v", err)
	}
	defer s.Close()
	sess := newSession("u1")
	if err := s.CreateSession(ctx, sess); err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	if n, err := srv.Do("DBSIZE"); err == nil {
		t.Errorf("DBSIZE without AUTH = %s; the server should have refused", n)
	}
	if _, err := Open(ctx, "redis://:not-the-pass-x9@"+srv.Addr); err == nil || strings.Contains(err.Error(), "not-the-pass-x9") {
		t.Errorf("Open with a wrong password: %v; want an error without the password", err)
	}
}

// TestClose checks that Close can be called twice and that calls after it
// fail with an error rather than ErrNotFound.
func TestClose(t *testing.T) {
	srv := redistest.Start(t)
	s := openStore(t, Options{Addrs: []string{srv.Addr}})
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close again: %v", err)
	}
	_, err := s.Session(context.Background(), newSession("u1").ID)
	if err == nil || errors.Is(err, authgate.ErrNotFound) {
		t.Errorf("Session after Close: %v, want a closed-client error", err)
	}
}

// TestTLS connects over rediss:// with a password, and checks that the
// server's certificate is verified.
func TestTLS(t *testing.T) {
	srv := redistest.StartTLS(t, "--requirepass", "s3cret")
	ctx := context.Background()
	opts, err := ParseURL("rediss://:s3cret@" + srv.TLSAddr + "/0")
	if err != nil {
		t.Fatalf("ParseURL: %v", err)
	}
	untrusted := opts
	untrusted.TLS = opts.TLS.Clone()
	untrusted.Timeout = time.Second
	if s, err := New(ctx, untrusted); err == nil {
		s.Close()
		t.Error("New trusted a self-signed certificate it was not given")
	}

	opts.TLS.RootCAs = srv.RootCAs
	s := openStore(t, opts)
	sess := newSession("u1")
	if err := s.CreateSession(ctx, sess); err != nil {
		t.Fatalf("CreateSession over TLS: %v", err)
	}
	if got, err := s.Session(ctx, sess.ID); err != nil || got.UserID != "u1" {
		t.Fatalf("Session over TLS = %q, %v", got.UserID, err)
	}
}
