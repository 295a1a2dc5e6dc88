// Package client holds authgate's browser script, authgate.js. The gate
// serves it; apps never need to import this package.
package client

import _ "embed"

//go:embed authgate.js
var script string

// Source returns the source of authgate.js.
func Source() string { return script }
