package main

import (
	"net/http"
	"testing"
)

// TestCookiesUpdate: Set-Cookie lines replace, add and remove cookies as a
// browser does, and the Cookie header keeps the order they came in.
func TestCookiesUpdate(t *testing.T) {
	tests := []struct {
		name      string
		setCookie []string
		want      string
	}{
		{"no Set-Cookie", nil, "s=1; exp=10"},
		{"a renewed cookie", []string{"exp=20; Path=/"}, "s=1; exp=20"},
		{"a new cookie", []string{"n=3; Path=/"}, "s=1; exp=10; n=3"},
		{"a cleared cookie", []string{"s=; Path=/; Max-Age=0"}, "exp=10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCookies("s=1; exp=10")
			c.update(&http.Response{Header: http.Header{"Set-Cookie": tt.setCookie}})
			if got := c.Header(); got != tt.want {
				t.Errorf("Cookie header %q, want %q", got, tt.want)
			}
		})
	}
}
