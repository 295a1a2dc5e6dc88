package authgate

import (
	"log/slog"
	"net/http"
)

const (
	infoLevel  = slog.LevelInfo
	warnLevel  = slog.LevelWarn
	errorLevel = slog.LevelError
)

// Log attributes. Tokens, secrets and passwords never reach a log: only
// user ids, key ids (public), addresses and store errors do.
func errAttr(err error) slog.Attr        { return slog.String("err", err.Error()) }
func keyAttr(id string) slog.Attr        { return slog.String("key", truncate(id, 64)) }
func addrAttr(addr string) slog.Attr     { return slog.String("addr", addr) }
func userAttr(login string) slog.Attr    { return slog.String("login", truncate(login, 64)) }
func pathAttr(r *http.Request) slog.Attr { return slog.String("path", truncate(r.URL.Path, 256)) }

// remoteHost is the default Config.ClientAddr: the host part of RemoteAddr.
func remoteHost(r *http.Request) string {
	addr := r.RemoteAddr
	for i := len(addr) - 1; i >= 0; i-- {
		if addr[i] == ':' {
			addr = addr[:i]
			break
		}
	}
	if len(addr) > 1 && addr[0] == '[' && addr[len(addr)-1] == ']' {
		addr = addr[1 : len(addr)-1]
	}
	return addr
}
