package memstore

import (
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/authgate/authgate"
)

// TestTable puts, replaces and removes records at random and checks after
// each step that the table finds exactly the records a plain map holds,
// and that each user's chain holds exactly that user's records.
func TestTable(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	tab := newTable()
	want := make(map[authgate.Hash]string) // id to user
	var ids []authgate.Hash
	newID := func() authgate.Hash {
		var id authgate.Hash
		for i := range id {
			id[i] = byte(rng.IntN(256))
		}
		return id
	}
	check := func(step int) {
		t.Helper()
		if tab.len() != len(want) {
			t.Fatalf("step %d: len %d, want %d", step, tab.len(), len(want))
		}
		for id, user := range want {
			r, ok := tab.get(id)
			if !ok || r.id != id || r.user.Value().id != user {
				t.Fatalf("step %d: get(%x) = %v, %v; want user %s", step, id[:4], r, ok, user)
			}
		}
		perUser := make(map[string]int)
		for _, user := range want {
			perUser[user]++
		}
		for user, n := range perUser {
			got := 0
			tab.user(user, func(r *session) bool {
				if want[r.id] != user {
					t.Fatalf("step %d: user %s's chain holds %x", step, user, r.id[:4])
				}
				got++
				return true
			})
			if got != n {
				t.Fatalf("step %d: user %s's chain holds %d records, want %d", step, user, got, n)
			}
		}
		if _, ok := tab.get(newID()); ok {
			t.Fatalf("step %d: found an id never put", step)
		}
	}
	now := time.Now()
	for step := range 3000 {
		switch op := rng.IntN(10); {
		case op < 6 || len(ids) == 0: // a new record
			id := newID()
			user := "u" + strconv.Itoa(rng.IntN(20))
			x := authgate.Session{ID: id, UserID: user, CreatedAt: now, LastSeen: now, Expires: now}
			tab.put(pack(&x))
			want[id] = user
			ids = append(ids, id)
		case op < 7: // the same id again, maybe for another user
			id := ids[rng.IntN(len(ids))]
			user := "u" + strconv.Itoa(rng.IntN(20))
			x := authgate.Session{ID: id, UserID: user}
			tab.put(pack(&x))
			want[id] = user
		default: // a removal
			k := rng.IntN(len(ids))
			id := ids[k]
			tab.remove(id)
			delete(want, id)
			ids = append(ids[:k], ids[k+1:]...)
		}
		if step%50 == 0 || step > 2900 {
			check(step)
		}
	}
	check(3000)
}
