// Package bench measures what authgate adds to a request, side by side with
// what an app would otherwise use for sessions: alexedwards/scs with an idle
// timeout and gorilla/sessions' CookieStore.
//
// Every contender guards the same trivial Handler and is driven through the
// same Contender interface, so a benchmark loops over them without knowing
// which is which. The benchmarks are in this package's tests; the load run,
// the scale run and the chart are programs under cmd/. See
// docs/PERFORMANCE.md at the repository's root for the commands and the
// figures.
//
// The package lives in its own module so that the libraries it compares
// against never enter authgate's go.mod.
package bench
