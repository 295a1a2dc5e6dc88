package redisstore

import (
	"context"
	"regexp"
	"strconv"
	"testing"

	"github.com/authgate/authgate/internal/redistest"
)

// hmgetCalls reads how many HMGET commands the server has run.
func hmgetCalls(t *testing.T, srv *redistest.Server) int {
	t.Helper()
	info, err := srv.Do("INFO", "commandstats")
	if err != nil {
		t.Fatalf("INFO commandstats: %v", err)
	}
	m := regexp.MustCompile(`cmdstat_hmget:calls=(\d+)`).FindStringSubmatch(info)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// TestCacheSavesRoundTrips checks that repeated reads of a session on an
// instance that did not write it reach Redis once with caching, and every
// time without.
func TestCacheSavesRoundTrips(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	writer := openStore(t, Options{Addrs: []string{srv.Addr}})
	sess := newSession("u1")
	if err := writer.CreateSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	const reads = 50
	tests := []struct {
		noCache bool
		want    int
	}{{false, 1}, {true, reads}}
	for _, tt := range tests {
		t.Run("nocache="+strconv.FormatBool(tt.noCache), func(t *testing.T) {
			reader := openStore(t, Options{Addrs: []string{srv.Addr}, NoCache: tt.noCache})
			before := hmgetCalls(t, srv)
			for range reads {
				if _, err := reader.Session(ctx, sess.ID); err != nil {
					t.Fatalf("Session: %v", err)
				}
			}
			if got := hmgetCalls(t, srv) - before; got != tt.want {
				t.Errorf("%d reads reached Redis %d times, want %d", reads, got, tt.want)
			}
		})
	}
}
