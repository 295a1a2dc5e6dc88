package authgate

import (
	"fmt"
	"runtime"
	"testing"
	"time"
)

// examined is how many map slots the throttle has looked at so far.
func (t *throttle) examined() uint64 {
	return t.counts.examined + t.locks.examined + t.owners.examined
}

// distinctAddr returns the i-th of many IPv6 clients, each in a /64 of its
// own.
func distinctAddr(i int) string { return fmt.Sprintf("2001:db8:%x:%x::1", i>>16, i&0xffff) }

// TestThrottleConstantWorkAtCapacity floods a default throttle with
// failures from 200,000 distinct addresses, twice its MaxEntries, by
// password and by API key. Every operation looks at the same handful of
// map slots when the tables are full as when they are empty, the tables
// never hold more than MaxEntries, and lockouts made before the flood
// survive it.
func TestThrottleConstantWorkAtCapacity(t *testing.T) {
	cfg := ThrottleConfig{}
	if err := cfg.fill(); err != nil {
		t.Fatal(err)
	}
	th := newThrottle(cfg)
	now := time.Unix(1_700_000_000, 0)

	// Lockouts to keep: alice from one address, and an address.
	for range cfg.Account {
		th.takePassword(now, "alice", "198.51.100.7")
	}
	for range cfg.Address {
		th.addressFailed(now, "203.0.113.9")
	}
	locked := func() (pair, addr int) {
		return th.takePassword(now, "alice", "198.51.100.7"), th.addressWait(now, "203.0.113.9")
	}
	if p, a := locked(); p == 0 || a == 0 {
		t.Fatalf("before the flood: waits %d and %d, want both locked", p, a)
	}

	const flood = 200_000
	var first, most uint64
	for i := range flood {
		now = now.Add(time.Millisecond) // 200 s in all, within the window
		addr := distinctAddr(i)
		before := th.examined()
		if i%2 == 0 {
			th.takePassword(now, fmt.Sprint("user", i), addr)
		} else {
			th.addressWait(now, addr)
			th.addressFailed(now, addr)
		}
		n := th.examined() - before
		if i < 2 {
			first = max(first, n)
		}
		most = max(most, n)
		if size := th.counts.len(); size > cfg.MaxEntries {
			t.Fatalf("after %d failures the counts hold %d entries, over MaxEntries %d", i+1, size, cfg.MaxEntries)
		}
	}
	t.Logf("map slots looked at per operation: %d on the empty throttle, at most %d at capacity", first, most)
	if most > first {
		t.Errorf("an operation at capacity looked at %d map slots, one on the empty throttle %d: the work grows", most, first)
	}
	if p, a := locked(); p == 0 || a == 0 {
		t.Errorf("after the flood: waits %d and %d, want both lockouts still in force", p, a)
	}
}

// TestThrottleIPv6ByPrefix: addresses of one /64 are one client, IPv4 and
// IPv4-mapped addresses count alike, and other /64s are others.
func TestThrottleIPv6ByPrefix(t *testing.T) {
	for _, tt := range []struct{ a, b string }{
		{"2001:db8:1:2:aaaa::1", "2001:db8:1:2:ffff:1:2:3"},
		{"2001:db8:1:2::1%eth0", "2001:db8:1:2::9"},
		{"192.0.2.1", "::ffff:192.0.2.1"},
	} {
		if clientKey(tt.a) != clientKey(tt.b) {
			t.Errorf("%s and %s are counted apart: %q, %q", tt.a, tt.b, clientKey(tt.a), clientKey(tt.b))
		}
	}
	for _, tt := range []struct{ a, b string }{
		{"2001:db8:1:2::1", "2001:db8:1:3::1"},
		{"192.0.2.1", "192.0.2.2"},
	} {
		if clientKey(tt.a) == clientKey(tt.b) {
			t.Errorf("%s and %s are counted together", tt.a, tt.b)
		}
	}

	cfg := ThrottleConfig{Address: 5}
	if err := cfg.fill(); err != nil {
		t.Fatal(err)
	}
	th := newThrottle(cfg)
	now := time.Unix(1_700_000_000, 0)
	for i := range cfg.Address {
		th.addressFailed(now, fmt.Sprintf("2001:db8:7:7:%x::1", i))
	}
	if th.addressWait(now, "2001:db8:7:7:abcd::42") == 0 {
		t.Error("a new address in a /64 that failed Address times is not throttled")
	}
	if th.addressWait(now, "2001:db8:7:8::1") != 0 {
		t.Error("the next /64 is throttled too")
	}
}

// BenchmarkThrottle times a sign-in attempt from a new address on an empty
// throttle and on one at capacity (MaxEntries 100,000).
func BenchmarkThrottle(b *testing.B) {
	cfg := ThrottleConfig{}
	if err := cfg.fill(); err != nil {
		b.Fatal(err)
	}
	addrs := make([]string, 1<<18)
	for i := range addrs {
		addrs[i] = distinctAddr(i)
	}
	now := time.Unix(1_700_000_000, 0)
	b.Run("empty", func(b *testing.B) {
		th := newThrottle(cfg)
		i := 0
		for b.Loop() {
			if i%1024 == 0 {
				b.StopTimer()
				th = newThrottle(cfg)
				b.StartTimer()
			}
			th.takePassword(now, addrs[i%len(addrs)], addrs[i%len(addrs)])
			i++
		}
	})
	b.Run("full", func(b *testing.B) {
		th := newThrottle(cfg)
		for i := range cfg.MaxEntries {
			th.addressFailed(now, addrs[i])
		}
		runtime.GC()
		i := cfg.MaxEntries
		for b.Loop() {
			th.takePassword(now, addrs[i%len(addrs)], addrs[i%len(addrs)])
			i++
		}
	})
}

// TestAddressWaitAllocatesNothing: the check every API key request makes
// builds its key on the stack, and names the same client as the count of a
// failure: an IPv6 address its /64, a mapped address its IPv4 one.
func TestAddressWaitAllocatesNothing(t *testing.T) {
	cfg := ThrottleConfig{}
	if err := cfg.fill(); err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_700_000_000, 0)
	tests := []struct{ failed, asked string }{
		{"192.0.2.1", "192.0.2.1"},
		{"::ffff:192.0.2.1", "192.0.2.1"},
		{"2001:db8:1:2::1", "2001:db8:1:2:ffff::9"},
		{"fe80::1%eth0", "fe80::2"},
		{"not an address", "not an address"},
	}
	for _, tc := range tests {
		th := newThrottle(cfg)
		if w := th.addressWait(now, tc.asked); w != 0 {
			t.Fatalf("%s: wait %d before any failure", tc.asked, w)
		}
		for range cfg.Address {
			th.addressFailed(now, tc.failed)
		}
		if w := th.addressWait(now, tc.asked); w == 0 {
			t.Errorf("%s after %d failures from %s: no wait", tc.asked, cfg.Address, tc.failed)
		}
		if n := testing.AllocsPerRun(50, func() { th.addressWait(now, tc.asked) }); n != 0 && tc.asked != "not an address" {
			t.Errorf("addressWait(%q) allocates %v times", tc.asked, n)
		}
	}
}
