package memstore

import (
	"hash/maphash"

	"github.com/authgate/authgate"
)

// pageSize is how many records a page of a table holds.
const pageSize = 1024

// none ends a chain of a user's records.
const none = ^uint32(0)

// table holds session records densely in fixed-size pages, finds them by
// id through an open-addressing hash table of 4-byte record numbers, and
// chains each user's records together.
//
// A Go map from id to record would keep, beside each record, the free
// slots a map always has (an eighth to more than half of them, as it
// grows), each the size of an id and a record. Here a free slot of the
// hash table costs 4 bytes, the pages are filled densely, the numbers of
// deleted records are reused, and growing adds a page without copying the
// records. The chains let a user's sessions be listed without a scan of
// every session. The caller holds the store's lock.
type table struct {
	slots []uint32 // record number + 1, or 0 for an empty slot; linear probing; a power of two long
	n     int      // records held
	seed  maphash.Seed
	users map[string]uint32 // user id to the number of the first record of its chain
	pages [][]session
	free  []uint32 // numbers of deleted records
	used  uint32   // record numbers handed out, free ones included
}

func newTable() table {
	return table{seed: maphash.MakeSeed(), users: make(map[string]uint32)}
}

// len returns the number of records.
func (t *table) len() int { return t.n }

func (t *table) at(i uint32) *session { return &t.pages[i/pageSize][i%pageSize] }

func (t *table) home(id *authgate.Hash) int {
	return int(maphash.Bytes(t.seed, id[:]) & uint64(len(t.slots)-1))
}

// find returns the position in slots of the record with the given id, or
// of the empty slot where it would go.
func (t *table) find(id *authgate.Hash) (int, bool) {
	mask := len(t.slots) - 1
	for p := t.home(id); ; p = (p + 1) & mask {
		v := t.slots[p]
		if v == 0 {
			return p, false
		}
		if t.at(v-1).id == *id {
			return p, true
		}
	}
}

// get returns the record with the given id.
func (t *table) get(id authgate.Hash) (*session, bool) {
	if t.n == 0 {
		return nil, false
	}
	p, ok := t.find(&id)
	if !ok {
		return nil, false
	}
	return t.at(t.slots[p] - 1), true
}

// put stores r under its id, replacing any record with that id.
func (t *table) put(r session) {
	if _, ok := t.get(r.id); ok {
		t.remove(r.id)
	}
	if (t.n+1)*8 > len(t.slots)*7 {
		t.grow()
	}
	var i uint32
	if n := len(t.free); n > 0 {
		i = t.free[n-1]
		t.free = t.free[:n-1]
	} else {
		i = t.used
		t.used++
		if int(i/pageSize) == len(t.pages) {
			t.pages = append(t.pages, make([]session, pageSize))
		}
	}
	user := r.user.Value().id // shares the interned copy's bytes
	r.prev, r.next = none, none
	if head, ok := t.users[user]; ok {
		r.next = head
		t.at(head).prev = i
	}
	t.users[user] = i
	*t.at(i) = r
	p, _ := t.find(&r.id)
	t.slots[p] = i + 1
	t.n++
}

// grow doubles the hash table.
func (t *table) grow() {
	old := t.slots
	t.slots = make([]uint32, max(2*len(old), 1024))
	for _, v := range old {
		if v != 0 {
			p, _ := t.find(&t.at(v - 1).id)
			t.slots[p] = v
		}
	}
}

// remove deletes the record with the given id, if there is one.
func (t *table) remove(id authgate.Hash) {
	if t.n == 0 {
		return
	}
	p, ok := t.find(&id)
	if !ok {
		return
	}
	i := t.slots[p] - 1
	t.unslot(p)
	r := t.at(i)
	if r.prev != none {
		t.at(r.prev).next = r.next
	} else if user := r.user.Value().id; r.next != none {
		t.users[user] = r.next
	} else {
		delete(t.users, user)
	}
	if r.next != none {
		t.at(r.next).prev = r.prev
	}
	*r = session{} // lets go of its strings
	t.free = append(t.free, i)
	t.n--
}

// unslot empties position p of the hash table and moves back the records
// after it that linear probing would no longer find.
func (t *table) unslot(p int) {
	mask := len(t.slots) - 1
	t.slots[p] = 0
	for q := (p + 1) & mask; t.slots[q] != 0; q = (q + 1) & mask {
		h := t.home(&t.at(t.slots[q] - 1).id)
		// The record at q may move to p unless its home lies cyclically
		// in (p, q].
		if (p < q && (h <= p || h > q)) || (p > q && h <= p && h > q) {
			t.slots[p], t.slots[q] = t.slots[q], 0
			p = q
		}
	}
}

// all calls yield with each record, which yield may change or remove,
// until yield returns false.
func (t *table) all(yield func(*session) bool) {
	for i := range t.used {
		if r := t.at(i); r.held() && !yield(r) {
			return
		}
	}
}

// user calls yield with each record of the user's sessions, which yield
// may change but not remove, until yield returns false.
func (t *table) user(userID string, yield func(*session) bool) {
	i, ok := t.users[userID]
	for ok && i != none {
		r := t.at(i)
		if !yield(r) {
			return
		}
		i = r.next
	}
}
