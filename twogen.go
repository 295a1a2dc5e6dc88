package authgate

import "time"

// twoGen keeps entries for at least one window and at most two, in two
// maps. New and renewed entries go into cur; when cur is a window old, or
// holds its share of the capacity, it becomes prev and the old prev is
// dropped whole. Every operation looks at no more than two map slots, so
// its cost does not grow with the number of entries, and the maps never
// hold more than the capacity between them.
//
// An entry is dropped early only when cur fills up before its window has
// passed; callers keep what must not be dropped early in a twoGen of its
// own.
type twoGen[V any] struct {
	window    time.Duration
	half      int       // capacity of each map
	start     time.Time // when cur began
	cur, prev map[string]V
	examined  uint64 // map slots looked at, for tests of the cost
}

func newTwoGen[V any](window time.Duration, capacity int) *twoGen[V] {
	return &twoGen[V]{window: window, half: max(1, capacity/2), cur: make(map[string]V), prev: make(map[string]V)}
}

// age moves the generations on by the clock: after a window cur becomes
// prev, after two both are dropped. A clock that goes back ages nothing.
func (g *twoGen[V]) age(now time.Time) {
	switch d := now.Sub(g.start); {
	case d >= 2*g.window:
		g.prev, g.cur, g.start = make(map[string]V), make(map[string]V), now
	case d >= g.window:
		g.prev, g.cur, g.start = g.cur, make(map[string]V, len(g.cur)), now
	}
}

// get returns key's entry from either generation.
func (g *twoGen[V]) get(now time.Time, key string) (V, bool) {
	g.age(now)
	g.examined++
	if v, ok := g.cur[key]; ok {
		return v, true
	}
	g.examined++
	v, ok := g.prev[key]
	return v, ok
}

// put stores key's entry in cur, taking it out of prev, so that entries
// in use survive the next turn of the generations.
func (g *twoGen[V]) put(now time.Time, key string, v V) {
	g.age(now)
	g.examined += 2
	delete(g.prev, key)
	if _, ok := g.cur[key]; !ok && len(g.cur) >= g.half {
		// Sized as the last one, so that a flood does not pay for the
		// map's growth again.
		g.prev, g.cur, g.start = g.cur, make(map[string]V, g.half), now
	}
	g.cur[key] = v
}

// del drops key's entry.
func (g *twoGen[V]) del(key string) {
	g.examined += 2
	delete(g.cur, key)
	delete(g.prev, key)
}

// len returns the number of entries held.
func (g *twoGen[V]) len() int { return len(g.cur) + len(g.prev) }
