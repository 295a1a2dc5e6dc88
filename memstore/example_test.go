package memstore_test

import (
	"context"
	"fmt"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/memstore"
)

func Example() {
	ctx := context.Background()
	s := memstore.New()
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	id := authgate.HashOf([]byte("the session token"))
	err := s.CreateSession(ctx, authgate.Session{
		ID:          id,
		UserID:      "u1",
		UserName:    "Ada",
		CreatedAt:   now,
		LastSeen:    now,
		IdleTimeout: 30 * time.Minute,
		Expires:     now.Add(12 * time.Hour),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = s.TouchSession(ctx, id, now.Add(5*time.Minute))
	got, err := s.Session(ctx, id)
	fmt.Println(got.UserName, got.IdleDeadline().UTC().Format(time.Kitchen), err)

	_ = s.RevokeSession(ctx, id)
	list, _ := s.UserSessions(ctx, "u1")
	fmt.Println(len(list), "live sessions")
	// Output:
	// Ada 3:39AM <nil>
	// 0 live sessions
}
