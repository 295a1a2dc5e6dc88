package authgate

import (
	"context"
	"errors"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// TestHashLimitDefaults: Running defaults to GOMAXPROCS, capped by the
// hashes that fit in a quarter of the Go memory limit, or in 256 MiB.
func TestHashLimitDefaults(t *testing.T) {
	const mib = 1 << 20
	defer runtime.SetDefaultGOMAXPROCS()
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	for _, tt := range []struct {
		name     string
		procs    int
		memLimit int64 // 0: none
		hasher   PasswordHasher
		running  int
	}{
		{"cores bound", 2, 0, Argon2id{}, 2},
		{"256 MiB bound: 13 hashes of 19 MiB", 64, 0, Argon2id{}, 13},
		{"GOMEMLIMIT bound: 1 GiB/4 of 64 MiB hashes", 64, 1024 * mib, &Argon2id{Memory: 64 << 10}, 4},
		{"at least one", 8, 16 * mib, Argon2id{}, 1},
		{"other hashers count as 19 MiB", 64, 0, noopHasher{}, 13},
		{"cheap hashes: cores", 4, 0, Argon2id{Memory: 64}, 4},
	} {
		t.Run(tt.name, func(t *testing.T) {
			runtime.GOMAXPROCS(tt.procs)
			limit := tt.memLimit
			if limit == 0 {
				limit = 1<<63 - 1 // none
			}
			debug.SetMemoryLimit(limit)
			var c HashLimitConfig
			if err := c.fill(tt.hasher); err != nil {
				t.Fatal(err)
			}
			if c.Running != tt.running || c.Waiting != 128*tt.running || c.MaxWait != 5*time.Second {
				t.Errorf("defaults %+v, want Running %d, Waiting %d, MaxWait 5s", c, tt.running, 128*tt.running)
			}
		})
	}
	if err := (&HashLimitConfig{Waiting: -1}).fill(Argon2id{}); err == nil {
		t.Error("a negative Waiting was accepted")
	}
}

type noopHasher struct{}

func (noopHasher) Hash(string) (string, error)         { return "", nil }
func (noopHasher) Verify(string, string) (bool, error) { return false, nil }

// acquireAsync starts an acquire and returns its result channel.
func acquireAsync(ctx context.Context, l *hashLimit, addr string) chan error {
	ch := make(chan error, 1)
	go func() { ch <- l.acquire(ctx, addr) }()
	return ch
}

// waiting returns how many acquires wait, under the lock.
func (l *hashLimit) waiting() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.capacity - l.room
}

func hashWaitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting until %s", what)
		}
	}
}

// TestHashLimitFairTurns: with one hash running and four places, one
// address's flood holds the hash and the four places; a second address (an
// IPv6 /64) takes places from it until both hold as many, a third takes
// one too, and each freed hash goes to the next address in turn, not to
// the earliest request.
func TestHashLimitFairTurns(t *testing.T) {
	l := newHashLimit(HashLimitConfig{Running: 1, Waiting: 4, MaxWait: time.Hour})
	ctx := context.Background()
	if err := l.acquire(ctx, "10.0.0.1"); err != nil {
		t.Fatal(err)
	}
	var flood []chan error
	for i := range 4 {
		flood = append(flood, acquireAsync(ctx, l, "10.0.0.1"))
		hashWaitUntil(t, "a flood request waits", func() bool { return l.waiting() == i+1 })
	}
	if err := l.acquire(ctx, "10.0.0.1"); !errors.Is(err, errBusy) {
		t.Fatalf("a fifth waiter from the flooding address: %v, want errBusy", err)
	}
	b := acquireAsync(ctx, l, "2001:db8:1:2::1")
	if err := <-flood[3]; !errors.Is(err, errBusy) {
		t.Fatalf("the flood's newest waiter: %v, want errBusy (its place taken)", err)
	}
	c := acquireAsync(ctx, l, "2001:db8:1:2:ffff::9") // the same /64 as b
	if err := <-flood[2]; !errors.Is(err, errBusy) {
		t.Fatalf("the flood's next newest waiter: %v, want errBusy", err)
	}
	// Now 10.0.0.1 has two waiters and the /64 two: neither may take more.
	if err := l.acquire(ctx, "2001:db8:1:2::7"); !errors.Is(err, errBusy) {
		t.Fatalf("a third waiter from the /64: %v, want errBusy", err)
	}
	d := acquireAsync(ctx, l, "192.0.2.1") // takes a place from the first of the two
	if err := <-flood[1]; !errors.Is(err, errBusy) {
		t.Fatalf("the flood's last newest waiter: %v, want errBusy", err)
	}

	// Turns: 10.0.0.1 (first to wait), the /64, 192.0.2.1, the /64 again;
	// not the /64's two first because they came first.
	for _, o := range []struct {
		name string
		ch   chan error
	}{{"the flood's oldest", flood[0]}, {"the /64's first", b}, {"192.0.2.1", d}, {"the /64's second", c}} {
		l.release()
		if err := <-o.ch; err != nil {
			t.Fatalf("%s: %v", o.name, err)
		}
	}
	if n := l.waiting(); n != 0 {
		t.Fatalf("%d still waiting", n)
	}
}

// TestHashLimitGivesUp: a waiter whose MaxWait passes, or whose request
// ends, gets errBusy and its place back; the hash it did not take goes on
// to the next.
func TestHashLimitGivesUp(t *testing.T) {
	l := newHashLimit(HashLimitConfig{Running: 1, Waiting: 2, MaxWait: time.Millisecond})
	ctx := context.Background()
	if err := l.acquire(ctx, "10.0.0.1"); err != nil {
		t.Fatal(err)
	}
	if err := l.acquire(ctx, "10.0.0.2"); !errors.Is(err, errBusy) {
		t.Fatalf("past MaxWait: %v, want errBusy", err)
	}
	l.maxWait = time.Hour
	cctx, cancel := context.WithCancel(ctx)
	gone := acquireAsync(cctx, l, "10.0.0.3")
	hashWaitUntil(t, "the request waits", func() bool { return l.waiting() == 1 })
	cancel()
	if err := <-gone; !errors.Is(err, errBusy) {
		t.Fatalf("an ended request: %v, want errBusy", err)
	}
	if n := l.waiting(); n != 0 {
		t.Fatalf("%d waiters after every wait ended", n)
	}
	l.release()
	if err := l.acquire(ctx, "10.0.0.4"); err != nil {
		t.Fatalf("the freed hash: %v", err)
	}
}
