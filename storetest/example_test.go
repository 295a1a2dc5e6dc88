package storetest_test

import (
	"fmt"
	"time"

	"github.com/authgate/authgate/storetest"
)

func ExampleNewSession() {
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	s := storetest.NewSession("user_1", now)
	fmt.Println(s.UserID, s.IdleDeadline().Format(time.RFC3339), s.Expires.Format(time.RFC3339))

	// A copy read back from a store compares equal to the millisecond.
	back := s
	back.LastSeen = s.LastSeen.Add(400 * time.Microsecond)
	fmt.Printf("diff: %q\n", storetest.SessionDiff(s, back))
	back.Revoked = true
	fmt.Printf("diff: %q\n", storetest.SessionDiff(s, back))
	// Output:
	// user_1 2030-01-02T03:34:05Z 2030-01-02T15:04:05Z
	// diff: ""
	// diff: "Revoked = true, want false"
}
