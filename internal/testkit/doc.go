// Package testkit holds what the tests of authgate and of its command,
// demo, soak and crash test share:
//
//   - [Clock], a settable time source for the gate and the stores;
//   - [Hasher], an argon2id cheap enough to sign in thousands of times;
//   - [Logs], an [slog.Handler] that keeps every line and checks that no
//     secret is among them, and [Buffer], a concurrency-safe output that a
//     test can wait on;
//   - [Store], a wrapper over any [authgate.Store] that counts calls and
//     fails them on demand, with [AddUser] and [AddKey] to fill a store;
//   - [AsKind], the headers each kind of caller sends.
//
// Only tests import it. The root package's tests that use it live in the
// external test package authgate_test, since testkit imports authgate.
package testkit
