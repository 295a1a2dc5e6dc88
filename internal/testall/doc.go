// Command testall runs the tests of every Go module in the repository and
// ends with one summary: how many tests passed, failed and were skipped, and
// for the skipped ones why (the skip message) and the setting that makes
// them run.
//
// From the repository's root:
//
//	go run ./internal/testall [go test flags]
//
// It finds every go.mod below the root (the library, e2e/, bench/, and any
// module added later; folders named testdata or node_modules, and those
// starting with "." or "_", are left out, as the go command leaves them out),
// runs `go test -json [flags] ./...` in each, one after the other, and reads
// the events. Flags such as -race, -count=1 or -run are passed to every go
// test unchanged, except that the modules under tools/ (programs run at
// build time, never served) are tested without -race. Each module is tested on its own go.mod, so the library is
// tested with exactly the versions an app that imports it would get.
//
// Every test and subtest counts once. A package that fails without a failing
// test (it does not build, or its test binary crashes or times out) counts as
// one failed test, and so does a module whose go test fails before it runs any
// package, so the command exits 0 exactly when the closing line, alone on its
// line, reads:
//
//	tests: N passed, 0 failed, N skipped
//
// With -testall.strict (which go test never sees), a skip whose message
// names an AUTHGATE_REQUIRE setting counts as a failure: the tool it needs
// was missing, and AUTHGATE_REQUIRE did not name it. CI runs with it, so a
// new tool that CI does not install and require cannot pass unnoticed.
//
// The setting printed for a skip is read from its message: a word of the form
// NAME=VALUE (for instance AUTHGATE_REQUIRE=browser), or -short, which the
// message names when the test runs only without it.
package main
