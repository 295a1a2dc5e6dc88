package authgate_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/authgate/authgate"
)

// returnToCases are inputs to SafeReturnTo and what it must return: the
// input (minus any fragment) when it is a safe same-origin path, "" for
// every open-redirect form.
var returnToCases = []struct {
	in, want string
}{
	// Safe paths.
	{"/", "/"},
	{"/notes", "/notes"},
	{"/notes/", "/notes/"},
	{"/notes?x=1", "/notes?x=1"},
	{"/notes?x=1&y=2", "/notes?x=1&y=2"},
	{"/a/b/c.html", "/a/b/c.html"},
	{"/notes#top", "/notes"},
	{"/#//evil.example", "/"},
	{"/search?q=a%2Fb", "/search?q=a%2Fb"},
	{"/search?q=a+b", "/search?q=a+b"},
	{"/?next=//evil.example", "/?next=//evil.example"},
	{"/?@evil.example", "/?@evil.example"},
	{"/@evil.example", "/@evil.example"},
	{"/a:b", "/a:b"},
	{"/javascript:alert(1)", "/javascript:alert(1)"},
	{"/.well-known/x", "/.well-known/x"},
	{"/~user/", "/~user/"},
	{"/a;b=c", "/a;b=c"},
	{"/a%2541", "/a%2541"}, // decodes to "/a%41", then "/aA"
	{"/" + strings.Repeat("a", 2047), "/" + strings.Repeat("a", 2047)},

	// Empty and relative.
	{"", ""},
	{"notes", ""},
	{"./notes", ""},
	{"../notes", ""},
	{"?x=1", ""},
	{"#x", ""},

	// Scheme-relative and backslashes.
	{"//evil.example", ""},
	{"//evil.example/", ""},
	{"///evil.example", ""},
	{"////evil.example", ""},
	{"//evil.example@app.example", ""},
	{"//app.example@evil.example", ""},
	{"/\\evil.example", ""},
	{"\\\\evil.example", ""},
	{"\\/evil.example", ""},
	{"/\\/evil.example", ""},
	{"/a\\b", ""},
	{"//", ""},
	{"/\\", ""},

	// Schemes.
	{"https://evil.example", ""},
	{"http://evil.example/", ""},
	{"HTTP://evil.example", ""},
	{"https:evil.example", ""},
	{"https:/evil.example", ""},
	{"javascript:alert(1)", ""},
	{"JavaScript:alert(1)", ""},
	{"javascript://%0aalert(1)", ""},
	{"data:text/html,<script>alert(1)</script>", ""},
	{"vbscript:msgbox(1)", ""},
	{"ftp://evil.example", ""},

	// Whitespace and control characters.
	{" /notes", ""},
	{"/notes ", ""},
	{"/ /evil.example", ""},
	{"/\t/evil.example", ""},
	{"/\n/evil.example", ""},
	{"/\r\n/evil.example", ""},
	{"\t//evil.example", ""},
	{"/notes\x00", ""},
	{"/notes\x7f", ""},
	{"/%0d%0aSet-Cookie:x=1", ""},
	{"/%09/evil.example", ""},
	{"/%00", ""},

	// Percent- and double-encoding.
	{"/%2F%2Fevil.example", ""},
	{"/%2fevil.example", ""},
	{"/%5Cevil.example", ""},
	{"/%5cevil.example", ""},
	{"/%5C%5Cevil.example", ""},
	{"/%252F%252Fevil.example", ""},
	{"/%255Cevil.example", ""},
	{"%2F%2Fevil.example", ""},
	{"/notes%", ""},
	{"/%zz", ""},
	{"/%2", ""},

	// Non-ASCII look-alikes: fullwidth and ideographic dots and slashes.
	{"/\uff0f/evil.example", ""},
	{"/\uff3cevil.example", ""},
	{"//evil\u3002example", ""},
	{"/evil\uff0eexample", ""},
	{"/%EF%BC%8F%EF%BC%8Fevil.example", ""},
	{"/\u2215\u2215evil.example", ""},

	// Numeric hosts.
	{"//2130706433", ""},
	{"//0x7f.1", ""},
	{"//127.1", ""},
	{"/\\017700000001", ""},
	{"http:2130706433", ""},

	// Too long.
	{"/" + strings.Repeat("a", 2048), ""},
	{"/" + strings.Repeat("a", 100000), ""},
}

// TestSafeReturnTo checks the table above.
func TestSafeReturnTo(t *testing.T) {
	if len(returnToCases) < 60 {
		t.Fatalf("only %d cases", len(returnToCases))
	}
	for _, tt := range returnToCases {
		if got := authgate.SafeReturnTo(tt.in); got != tt.want {
			t.Errorf("SafeReturnTo(%.60q) = %.60q, want %.60q", tt.in, got, tt.want)
		}
	}
}

// TestSafeReturnToStaysOnOrigin: every accepted value, resolved against
// the app's URL, stays on the app's origin, and its result is accepted
// again unchanged.
func TestSafeReturnToStaysOnOrigin(t *testing.T) {
	base, _ := url.Parse("http://app.example/some/page")
	inputs := []string{}
	for _, tt := range returnToCases {
		inputs = append(inputs, tt.in)
	}
	// Every one- and two-character suffix of "/" from a set of bytes that
	// matter to URL parsers.
	const specials = "/\\@:?#%.\t\n ;&=+~"
	for i := 0; i < len(specials); i++ {
		inputs = append(inputs, "/"+specials[i:i+1])
		for j := 0; j < len(specials); j++ {
			inputs = append(inputs, "/"+specials[i:i+1]+specials[j:j+1]+"evil.example")
		}
	}
	accepted := 0
	for _, in := range inputs {
		p := authgate.SafeReturnTo(in)
		if p == "" {
			continue
		}
		accepted++
		ref, err := url.Parse(p)
		if err != nil {
			t.Errorf("SafeReturnTo(%q) = %q, which url.Parse refuses: %v", in, p, err)
			continue
		}
		u := base.ResolveReference(ref)
		if u.Scheme != "http" || u.Host != "app.example" || u.User != nil {
			t.Errorf("SafeReturnTo(%q) = %q resolves to %s", in, p, u)
		}
		if again := authgate.SafeReturnTo(p); again != p {
			t.Errorf("SafeReturnTo(%q) = %q, but SafeReturnTo(%q) = %q", in, p, p, again)
		}
		if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.Contains(p, "#") {
			t.Errorf("SafeReturnTo(%q) = %q", in, p)
		}
	}
	if accepted < 20 {
		t.Errorf("only %d inputs accepted: the property tested little", accepted)
	}
}

// TestSafeReturnToKeepsEncodedText: an ordinary page whose path or query
// holds percent-encoded spaces or non-ASCII text is a safe place to come
// back to. Refusing it sends the user to "/" after a sign-in instead of
// back to the search or page they were on.
func TestSafeReturnToKeepsEncodedText(t *testing.T) {
	for _, p := range []string{
		"/search?q=hello%20world",
		"/wiki/Caf%C3%A9",
		"/docs/%E6%97%A5%E6%9C%AC",
		"/files/my%20report.pdf",
		"/shop?code=50%25off", // once decoded, "50%off" is no escape
	} {
		if got := authgate.SafeReturnTo(p); got != p {
			t.Errorf("SafeReturnTo(%q) = %q, want it kept", p, got)
		}
	}
}
