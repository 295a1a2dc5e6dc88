// Package crashtest holds the crash test of the authgate command: it runs
// `authgate demo` on an SQLite file as a child process under a steady load
// of sign-ins and requests, kills it with SIGKILL, starts it again on the
// same file, and checks that the file passes SQLite's integrity check,
// that every session whose sign-in was answered before the kill is still
// valid, and that every sign-out answered before the kill still holds.
//
// The test builds the command with the go tool, with -race when the test
// itself runs under -race:
//
//	go test -race ./internal/crashtest
//
// AUTHGATE_CRASH_CYCLES sets how many kill-and-restart cycles run
// (default 2), and AUTHGATE_CRASH_SIGNINS how many sign-ins each cycle
// waits for before the kill (default 12).
package crashtest
