// Package client holds authgate's browser script: authgate.js, the readable
// source, and authgate.min.js, the minified build that the gate serves
// (made from the source by go generate in the tools module). Apps never
// need to import this package.
package client

import _ "embed"

var (
	//go:embed authgate.js
	script string
	//go:embed authgate.min.js
	minified string
)

// Source returns the readable source of the script, authgate.js.
func Source() string { return script }

// Minified returns the minified build of the script, authgate.min.js, which
// the gate serves.
func Minified() string { return minified }
