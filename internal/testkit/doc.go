// Package testkit holds what the tests of authgate and of its command,
// demo and soak share: a settable [Clock], a cheap [Hasher], a [Logs]
// buffer that is also an [slog.Handler], and a [Store] wrapper over any
// [authgate.Store] that counts calls and fails them on demand.
//
// Only tests import it. The root package's tests that use it live in the
// external test package authgate_test, since testkit imports authgate.
package testkit
