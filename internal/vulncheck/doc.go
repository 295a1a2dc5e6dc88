// Command vulncheck reads what govulncheck reports with -format json on its
// standard input, says which vulnerability database it used and of which
// date, lists each vulnerability found, and exits 1 when one of them must
// be fixed: a vulnerability that the code calls, or one in a required
// module for which a fixed version exists. A vulnerability that is neither
// called nor fixed anywhere is listed and noted, and does not fail.
//
// .ci/run runs it on each module, against the offline copy of the Go
// vulnerability database (a folder of OSV files) beside the repository:
//
//	db=$(cd ../shared/vulndb && pwd)
//	go run golang.org/x/vuln/cmd/govulncheck@v1.9.0 -db "file://$db" -format json ./... |
//		go run ./internal/vulncheck -db "$db"
//
// The database's date is the newest "modified" time of its entries, or,
// when the entries carry none, the first date (YYYY-MM-DD) that the
// folder's README gives; a database that gives no date fails the check, as
// does input that holds no govulncheck report.
package main
