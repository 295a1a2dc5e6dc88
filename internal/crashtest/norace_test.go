//go:build !race

package crashtest

// raceBuild says the test runs under -race; see race_test.go.
const raceBuild = false
