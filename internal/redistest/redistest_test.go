package redistest

import (
	"fmt"
	"runtime"
	"testing"
)

func TestRequired(t *testing.T) {
	tests := []struct {
		env  string
		want bool
	}{
		{"", false},
		{"redis", true},
		{"sqlite,redis", true},
		{"sqlite, Redis ,chromium", true},
		{"sqlite,chromium", false},
		{"redis-cluster", false},
	}
	for _, tt := range tests {
		t.Run(tt.env, func(t *testing.T) {
			t.Setenv(RequireEnv, tt.env)
			if got := Required(); got != tt.want {
				t.Errorf("Required() with %s=%q = %v, want %v", RequireEnv, tt.env, got, tt.want)
			}
		})
	}
}

// recorder is a testing.TB that records Skipf and Fatalf and stops the
// goroutine that called them, as the real ones do.
type recorder struct {
	testing.TB
	skipped, failed string
}

func (r *recorder) Helper() {}

func (r *recorder) Skipf(format string, args ...any) {
	r.skipped = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// TestMissingServer checks that a missing redis-server skips the test,
// unless AUTHGATE_REQUIRE names redis, which makes it a failure.
func TestMissingServer(t *testing.T) {
	tests := []struct {
		require    string
		skip, fail bool
	}{
		{"", true, false},
		{"redis", false, true},
	}
	for _, tt := range tests {
		t.Run("require="+tt.require, func(t *testing.T) {
			t.Setenv("PATH", t.TempDir())
			t.Setenv(RequireEnv, tt.require)
			r := &recorder{TB: t}
			done := make(chan struct{})
			go func() {
				defer close(done)
				lookTools(r, true)
			}()
			<-done
			if (r.skipped != "") != tt.skip || (r.failed != "") != tt.fail {
				t.Errorf("skipped %q, failed %q; want skip %v, fail %v", r.skipped, r.failed, tt.skip, tt.fail)
			}
		})
	}
}

// TestKillRestart checks that a killed server stops answering and answers
// again, on the same port, after Restart.
func TestKillRestart(t *testing.T) {
	s := Start(t)
	if _, err := s.Do("SET", "k", "v"); err != nil {
		t.Fatalf("SET: %v", err)
	}
	s.Kill()
	if _, err := s.Do("PING"); err == nil {
		t.Fatal("PING succeeded after Kill")
	}
	s.Restart()
	if got, err := s.Do("PING"); err != nil || got != "PONG" {
		t.Fatalf("PING after Restart = %q, %v", got, err)
	}
	if _, err := s.Do("GET", "k"); err == nil {
		t.Error("GET k after Restart found the value; persistence should be off")
	}
}
