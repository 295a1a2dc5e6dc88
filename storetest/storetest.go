// Package storetest is a conformance suite for implementations of
// authgate.Store. Every store calls Run from its own tests:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) authgate.Store {
//			return mystore.New()
//		})
//	}
//
// The suite pins down what the interface comments leave open, so that the
// gate behaves the same over every store:
//
//   - Times keep at least millisecond precision. A store may drop anything
//     finer, always by truncating (never rounding), and may return times in
//     any location; the suite compares them with time.Time.Equal after
//     truncating both sides to the millisecond. A zero time (APIKey.ExpiresAt
//     and APIKey.LastUsed) comes back as a zero time. Durations
//     (Session.IdleTimeout) keep millisecond precision too.
//   - TouchSession and TouchKey never move a time backwards: a touch earlier
//     than the stored time is ignored, concurrent touches leave the latest.
//   - RevokeUserSessions counts the sessions it revoked: live ones, neither
//     already revoked nor past their absolute deadline. RevokeUserKeys counts
//     the keys it revoked, not those already revoked.
//   - UserSessions and UserKeys are ordered by CreatedAt, newest first;
//     UserSessions includes sessions past their idle deadline but not past
//     their absolute one. Users is ordered by login, byte-wise.
//   - Session may or may not return a session past its absolute deadline,
//     since a store may delete those at any time (Redis expires them).
//   - Every method called with a done context fails with an error for
//     which errors.Is(err, context.Canceled) (or DeadlineExceeded) holds,
//     and changes nothing.
//   - What a store decides by the time, it decides by the clock it was
//     given, never the wall clock; RunClock checks it.
//   - A store that implements authgate.IdentityStore links each issuer and
//     subject pair once: a second link, to any user, is ErrDuplicate, also
//     when many are made at once. UserIdentities lists a user's links by
//     issuer, then subject, byte-wise, at most authgate.MaxUserIdentities;
//     UnlinkIdentity of a pair not linked is ErrNotFound; DeleteUser takes
//     the user's links with it, and an unlinked pair can be linked again.
//     The Identities group checks it, and skips on a store without it.
//
// The suite relies on nothing but the interface. It names every user, key
// and session at random, so a store whose open function hands out a shared
// backend (one Redis server or cluster for all subtests) passes as long as
// data written by one subtest does not disappear during another.
package storetest

import (
	"testing"

	"github.com/authgate/authgate"
)

// Run runs the conformance suite against the stores that open returns. Each
// subtest calls open once for a fresh store; open registers any clean-up
// with t.Cleanup and fails t if it cannot open the store.
//
// Every store honours a cancelled context the same way: every method
// called with one returns an error for which errors.Is(err,
// context.Canceled) holds, and changes nothing. The suite checks it.
func Run(t *testing.T, open func(t *testing.T) authgate.Store) {
	t.Helper()
	groups := []struct {
		name  string
		tests []test
	}{
		{"Sessions", sessionTests},
		{"Keys", keyTests},
		{"Users", userTests},
		{"Concurrent", []test{{"Mixed", testConcurrent}}},
		{"Cancel", cancelTests},
		{"Identities", identityTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) {
					s := open(t)
					if s == nil {
						t.Fatal("open returned a nil store")
					}
					tc.run(t, s)
				})
			}
		})
	}
}

// test is one subtest of the suite, run on a fresh store.
type test struct {
	name string
	run  func(t *testing.T, s authgate.Store)
}
