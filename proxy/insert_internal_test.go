package proxy

import (
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestInserter(t *testing.T) {
	const tag = "<TAG>"
	long := strings.Repeat("x", scanLimit+1)
	tests := []struct {
		name, page, want string
		inserted         bool
	}{
		{"before </head>", "<html><head><title>t</title></head><body>b</body>", "<html><head><title>t</title><TAG></head><body>b</body>", true},
		{"any case", "<HTML><HEAD></HEAD >", "<HTML><HEAD><TAG></HEAD >", true},
		{"not </header>", "<head></header></head>", "<head></header><TAG></head>", true},
		{"no head: after <body>", `<!doctype html><body class="a">hi`, `<!doctype html><body class="a"><TAG>hi`, true},
		{"not <bodyguard>", `<bodyguard><body>x`, `<bodyguard><body><TAG>x`, true},
		{"a fragment", `<div>no place</div>`, `<div>no place</div>`, false},
		{"empty", ``, ``, false},
		{"past the limit", long + "</head>", long + "</head>", false},
		{"at the end", "<head></head>", "<head><TAG></head>", true},
	}
	for _, tt := range tests {
		for _, split := range []bool{false, true} {
			var src io.Reader = strings.NewReader(tt.page)
			if split {
				src = iotest.OneByteReader(src)
			}
			var inserted, called bool
			in := newInserter(io.NopCloser(src), []byte(tag), func(ok bool) { inserted, called = ok, true })
			got, err := io.ReadAll(in)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("%s (one byte at a time: %v): got %.80q, want %.80q", tt.name, split, got, tt.want)
			}
			if inserted != tt.inserted || !called {
				t.Errorf("%s: done(%v) called %v, want done(%v)", tt.name, inserted, called, tt.inserted)
			}
		}
	}
}

func TestScriptPolicy(t *testing.T) {
	tests := []struct {
		csp     []string
		nonce   string
		allowed bool
	}{
		{nil, "", true},
		{[]string{"img-src 'none'"}, "", true},
		{[]string{"default-src 'self'"}, "", true},
		{[]string{"script-src 'none'"}, "", false},
		{[]string{"default-src 'none'; script-src 'self'"}, "", true},
		{[]string{"script-src 'nonce-abc123' 'strict-dynamic'"}, "abc123", true},
		{[]string{"script-src 'self' 'strict-dynamic'"}, "", false},
		{[]string{"script-src-elem https://cdn.example; script-src 'self'"}, "", false},
		{[]string{"script-src 'self'", "script-src 'none'"}, "", false},
		{[]string{"script-src 'nonce-a\"b'"}, "", false},
	}
	for _, tt := range tests {
		nonce, allowed := scriptPolicy(tt.csp)
		if nonce != tt.nonce || allowed != tt.allowed {
			t.Errorf("%q: nonce %q allowed %v, want %q %v", tt.csp, nonce, allowed, tt.nonce, tt.allowed)
		}
	}
}
