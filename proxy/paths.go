package proxy

import "cmp"

// gatePaths returns the Gate's login path, logout path and prefix as given
// in [Options] or [ForwardAuthOptions], with the Gate's own defaults
// ("/login", "/logout" and "/.authgate/") where they are empty.
func gatePaths(login, logout, prefix string) (string, string, string) {
	return cmp.Or(login, "/login"), cmp.Or(logout, "/logout"), cmp.Or(prefix, "/.authgate/")
}
