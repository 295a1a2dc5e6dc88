// Command vulncheck runs govulncheck on Go modules against a vulnerability
// database in a folder of OSV files, says which database it used and of
// which date, lists each vulnerability found, and exits 1 when one must be
// fixed: one that the code calls, or one in a required module (or the Go
// release) for which a fixed version exists. A vulnerability that is
// neither called nor fixed anywhere is listed and noted, and does not fail.
//
// .ci/run runs it on every module of the repository, against the offline
// copy of the Go vulnerability database beside the clone:
//
//	go run -C tools/vulncheck . -db "$(pwd)/../shared/vulndb" "$(pwd)" "$(pwd)/e2e" ...
//
// It is a module of its own so that govulncheck's version is pinned in its
// go.mod, never in the library's. For each module it runs govulncheck twice,
// in process: a symbol scan of the packages and their tests (what the code
// calls), and a query of every module in `go list -m all` plus the Go
// release (what the module requires; govulncheck's own scans see only the
// modules of packages they load, and miss the dependencies of tests inside
// a package, golang/go#80601).
//
// The database's date is the newest "modified" time of its entries, or,
// when the entries carry none, the first date (YYYY-MM-DD) that the
// folder's README gives; a database that gives no date fails the check.
package main
