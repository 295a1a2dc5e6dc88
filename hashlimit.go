package authgate

import (
	"container/list"
	"context"
	"errors"
	"math"
	"runtime"
	"runtime/debug"
	"sync"
	"time"
)

// HashLimitConfig bounds the password hashes the gate runs at once, and
// the sign-ins that wait for one. Each Argon2id hash holds its memory (19
// MiB by default) while it runs, so without a bound a flood of sign-ins
// takes as much memory as it has connections.
//
// The gate hashes a password at each sign-in it has not throttled: the
// user's own hash, or a dummy one for an unknown login, so that both cost
// the same. It hashes nothing else while serving (New hashes the dummy
// password once; the authgate command hashes one new password per run).
//
// Sign-ins that find every hash busy wait, and the waiting is shared
// fairly between client addresses (an IPv6 client by its /64): a freed
// hash goes to the next address in turn, not to the earliest request, and
// when the waiting room is full a newcomer takes the place of the newest
// waiter of the address holding the most places. A flood from some
// addresses so fills only their own share. A sign-in that finds no place,
// loses its place or waits longer than MaxWait gets 503 with Retry-After,
// a problem+json body of type [ProblemBusy], and no login signal; its
// attempt does not count towards the throttle.
type HashLimitConfig struct {
	// Running is how many hashes run at once. Default: GOMAXPROCS (hashing
	// is CPU work; more at once only takes more memory), but no more than
	// fit in a quarter of the Go memory limit (GOMEMLIMIT) if one is set,
	// or in 256 MiB if not, at the Argon2id Memory of the Hasher (any other
	// hasher is taken to need 19 MiB). Stored hashes are verified with
	// their own parameters: if older ones ask for more memory than the
	// Hasher, set Running for those.
	Running int
	// Waiting is how many sign-ins may wait for a hash. Default 128 per
	// running hash: a waiting sign-in holds only its connection and its
	// small body, so the room is large enough for a burst of real users,
	// and MaxWait, not the room, bounds how long they wait.
	Waiting int
	// MaxWait is the longest a sign-in waits for a hash. Default 5 seconds.
	MaxWait time.Duration
}

// defaultHashBudget is the memory the hashes may take when no Go memory
// limit is set.
const defaultHashBudget = 256 << 20

func (c *HashLimitConfig) fill(h PasswordHasher) error {
	if c.Running == 0 {
		budget := int64(defaultHashBudget)
		if lim := debug.SetMemoryLimit(-1); lim != math.MaxInt64 {
			budget = lim / 4
		}
		c.Running = int(min(max(budget/hashMemory(h), 1), int64(runtime.GOMAXPROCS(0))))
	}
	if c.Waiting == 0 {
		c.Waiting = 128 * c.Running
	}
	if c.MaxWait == 0 {
		c.MaxWait = 5 * time.Second
	}
	if c.Running < 0 || c.Waiting < 0 || c.MaxWait < 0 {
		return errors.New("authgate: HashLimit values must not be negative")
	}
	return nil
}

// hashMemory returns the bytes one hash of h holds while it runs.
func hashMemory(h PasswordHasher) int64 {
	var a Argon2id
	switch h := h.(type) {
	case Argon2id:
		a = h
	case *Argon2id:
		a = *h
	}
	m, _, _ := a.params()
	return int64(m) << 10
}

// errBusy means the gate had no hash free and no room to wait for one.
var errBusy = errors.New("authgate: too many password hashes at once")

// hashLimit hands out the right to run a hash: at most running at once,
// with waiting sign-ins queued by client address and served in turn.
type hashLimit struct {
	mu       sync.Mutex
	free     int // hashes that may start now
	room     int // places left in the waiting room
	maxWait  time.Duration
	queues   map[string]*hashQueue
	turn     list.List // *hashQueue of addresses with waiters, in serving order
	capacity int
	running  int // the configured number of hashes at once
}

// hashQueue holds one address's waiters, oldest first.
type hashQueue struct {
	key     string
	waiters []*hashWaiter
	elem    *list.Element
}

// hashWaiter is a sign-in waiting for a hash. Its channel receives true
// when the hash is its own, false when it lost its place.
type hashWaiter struct {
	done chan bool
}

func newHashLimit(c HashLimitConfig) *hashLimit {
	return &hashLimit{free: c.Running, running: c.Running, room: c.Waiting, capacity: c.Waiting, maxWait: c.MaxWait, queues: make(map[string]*hashQueue)}
}

// load returns how many hashes run and how many sign-ins wait for one.
func (l *hashLimit) load() (running, waiting int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.running - l.free, l.capacity - l.room
}

// acquire waits for the right to run a hash for a client at addr, and
// returns errBusy if there is no room to wait, the place is lost to a
// fairer claim, or MaxWait passes or the request ends. On nil, the
// caller must call release when the hash is done.
func (l *hashLimit) acquire(ctx context.Context, addr string) error {
	key := clientKey(addr)
	l.mu.Lock()
	if l.free > 0 && l.turn.Len() == 0 {
		l.free--
		l.mu.Unlock()
		return nil
	}
	w := &hashWaiter{done: make(chan bool, 1)}
	if !l.enqueue(key, w) {
		l.mu.Unlock()
		return errBusy
	}
	l.mu.Unlock()

	timer := time.NewTimer(l.maxWait)
	defer timer.Stop()
	var err error
	select {
	case ok := <-w.done:
		if ok {
			return nil
		}
		return errBusy
	case <-timer.C:
		err = errBusy
	case <-ctx.Done():
		err = errBusy // the client has gone; the answer is never read
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.remove(key, w) {
		// The hash was granted (or the place lost) as the wait ended.
		if <-w.done {
			l.handOn()
		}
	}
	return err
}

// enqueue gives w a place in the waiting room, taking one from the
// address with the most places if the room is full. It reports false if
// no place is fair to take.
func (l *hashLimit) enqueue(key string, w *hashWaiter) bool {
	q := l.queues[key]
	if l.room == 0 {
		mine := 0
		if q != nil {
			mine = len(q.waiters)
		}
		var most *hashQueue
		for e := l.turn.Front(); e != nil; e = e.Next() {
			if o := e.Value.(*hashQueue); most == nil || len(o.waiters) > len(most.waiters) {
				most = o
			}
		}
		if most == nil || len(most.waiters) <= mine+1 {
			return false
		}
		last := most.waiters[len(most.waiters)-1]
		l.remove(most.key, last)
		last.done <- false
	}
	if q == nil {
		q = &hashQueue{key: key}
		l.queues[key] = q
		q.elem = l.turn.PushBack(q)
	}
	q.waiters = append(q.waiters, w)
	l.room--
	return true
}

// remove takes w out of its address's queue, and reports whether it was
// there.
func (l *hashLimit) remove(key string, w *hashWaiter) bool {
	q := l.queues[key]
	if q == nil {
		return false
	}
	for i, o := range q.waiters {
		if o == w {
			q.waiters = append(q.waiters[:i], q.waiters[i+1:]...)
			l.room++
			if len(q.waiters) == 0 {
				l.turn.Remove(q.elem)
				delete(l.queues, key)
			}
			return true
		}
	}
	return false
}

// release ends a hash and hands its place on.
func (l *hashLimit) release() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.handOn()
}

// handOn gives a finished hash's place to the oldest waiter of the next
// address in turn, or frees it.
func (l *hashLimit) handOn() {
	e := l.turn.Front()
	if e == nil {
		l.free++
		return
	}
	q := e.Value.(*hashQueue)
	w := q.waiters[0]
	l.remove(q.key, w)
	if q2 := l.queues[q.key]; q2 != nil {
		l.turn.MoveToBack(q2.elem)
	}
	w.done <- true
}
