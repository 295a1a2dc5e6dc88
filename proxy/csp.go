package proxy

import "strings"

// scriptPolicy reads a page's Content-Security-Policy headers and reports
// whether they let the page load the client script from its own origin,
// and the nonce the tag must carry for that ("" for none).
//
// A policy allows it when its script-src-elem (else script-src, else
// default-src) lists 'self' or *, or a nonce; or when it has none of these
// directives. With 'strict-dynamic' only a nonce counts. Every policy must
// allow it.
func scriptPolicy(headers []string) (nonce string, allowed bool) {
	allowed = true
	for _, h := range headers {
		for policy := range strings.SplitSeq(h, ",") {
			src, ok := scriptSources(policy)
			if !ok {
				continue
			}
			n, ok := allows(src)
			switch {
			case !ok:
				allowed = false
			case n != "" && nonce == "":
				nonce = n
			case n != "" && n != nonce:
				allowed = false // two policies with different nonces: no tag carries both
			}
		}
	}
	return nonce, allowed
}

// scriptSources returns the source list that governs script elements in
// one policy, and false when the policy has none.
func scriptSources(policy string) ([]string, bool) {
	found := map[string][]string{}
	for d := range strings.SplitSeq(policy, ";") {
		f := strings.Fields(d)
		if len(f) == 0 {
			continue
		}
		name := strings.ToLower(f[0])
		if _, dup := found[name]; !dup { // the first of a directive counts
			found[name] = f[1:]
		}
	}
	for _, name := range []string{"script-src-elem", "script-src", "default-src"} {
		if src, ok := found[name]; ok {
			return src, true
		}
	}
	return nil, false
}

// allows reports whether src lets a same-origin script with the nonce
// (returned, "" if none is needed) load.
func allows(src []string) (nonce string, ok bool) {
	var self, dynamic bool
	for _, s := range src {
		ls := strings.ToLower(s)
		switch {
		case ls == "'self'" || ls == "*":
			self = true
		case ls == "'strict-dynamic'":
			dynamic = true
		case strings.HasPrefix(ls, "'nonce-") && strings.HasSuffix(s, "'") && nonce == "":
			if v := s[len("'nonce-") : len(s)-1]; isNonce(v) {
				nonce = v
			}
		}
	}
	if nonce != "" {
		return nonce, true
	}
	return "", self && !dynamic
}

// isNonce reports whether v is a base64 value, safe inside an attribute.
func isNonce(v string) bool {
	if v == "" {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '+' || c == '/' || c == '=' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
