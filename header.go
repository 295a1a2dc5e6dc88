package authgate

import (
	"net/http"
	"net/textproto"
	"strings"
)

// headerValue returns the first value of a header whose name is already in
// canonical form, without the allocation of http.Header.Get.
func headerValue(h http.Header, canonicalKey string) string {
	if v := h[canonicalKey]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// asciiEqualFold reports whether s equals the ASCII string token, ignoring
// ASCII case, as HTTP compares tokens. strings.EqualFold alone would also
// fold "ſ" (U+017F) to "s" and "K" (U+212A) to "k"; those take more bytes
// than the ASCII letter they fold to, so equal lengths rule them out.
func asciiEqualFold(s, token string) bool {
	return len(s) == len(token) && strings.EqualFold(s, token)
}

// listAccepts reports whether a comma-separated header list such as Accept
// or Accept-Encoding names token with a quality above zero. It does not
// allocate.
func listAccepts(values []string, token string) bool {
	for _, v := range values {
		for v != "" {
			var item string
			item, v, _ = strings.Cut(v, ",")
			name, params, _ := strings.Cut(item, ";")
			if asciiEqualFold(textproto.TrimString(name), token) && !zeroQuality(params) {
				return true
			}
		}
	}
	return false
}

// zeroQuality reports whether media-type parameters hold q=0 (also 0.0,
// 0.00, 0.000), which means "not acceptable".
func zeroQuality(params string) bool {
	for params != "" {
		var p string
		p, params, _ = strings.Cut(params, ";")
		name, value, _ := strings.Cut(p, "=")
		if !asciiEqualFold(textproto.TrimString(name), "q") {
			continue
		}
		value = textproto.TrimString(value)
		if value == "" || value[0] != '0' {
			return false
		}
		for i := 1; i < len(value); i++ {
			if c := value[i]; c != '0' && c != '.' {
				return false
			}
		}
		return true
	}
	return false
}
