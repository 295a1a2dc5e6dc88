package redisstore

import (
	"testing"
	"time"
)

func TestRecentWrites(t *testing.T) {
	long := newKeyWindow(time.Hour)
	if long.has("a") {
		t.Error("has(a) before any write")
	}
	long.add("a", "b")
	for _, tt := range []struct {
		key  string
		want bool
	}{{"a", true}, {"b", true}, {"c", false}} {
		if got := long.has(tt.key); got != tt.want {
			t.Errorf("has(%q) = %v, want %v", tt.key, got, tt.want)
		}
	}

	short := newKeyWindow(time.Millisecond)
	short.add("a")
	if !waitFor(time.Second, func() bool { return !short.has("a") }) {
		t.Fatal("a write was still recent long after the window")
	}
	short.add("b") // sweeps the lapsed entry
	short.mu.Lock()
	_, kept := short.until["a"]
	short.mu.Unlock()
	if kept {
		t.Error("a lapsed entry was not swept")
	}
}
