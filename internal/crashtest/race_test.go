//go:build race

package crashtest

// raceBuild says the test runs under -race, so the command is built with
// -race too: the race detector then watches the server as well, and the
// build reuses the packages the test itself was compiled from.
const raceBuild = true
