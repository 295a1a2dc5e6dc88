// Package soak holds the load and soak test of authgate: many clients
// over loopback HTTP against a gate whose sessions expire and are revoked
// while their requests are in flight.
//
// Every answer must be either the protected handler's answer for the
// client's own user or the exact login-required signal for the request's
// kind (docs/PROTOCOL.md section 3); the test counts both and fails on any answer
// for another user, any 5xx, any request served after its session was
// revoked or past its deadlines, any session that ended early, and any
// goroutine left running afterwards.
//
// By default the test is small (24 clients for 3 seconds), so that it runs
// in a few seconds under -race in CI. On a slow machine a run goes on past
// its duration, up to five times it, until it has seen sessions served,
// expired and revoked, revoke-alls and API key revocations:
//
//	go test -race ./internal/soak
//
// The full size is 200 clients for 30 seconds (a different duration or
// number of clients may be given):
//
//	AUTHGATE_SOAK=30s go test -run TestSoak -v -timeout 10m ./internal/soak
//	AUTHGATE_SOAK=2m AUTHGATE_SOAK_CLIENTS=500 go test -run TestSoak -v -timeout 20m ./internal/soak
package soak
