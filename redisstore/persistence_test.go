package redisstore

import (
	"bytes"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/authgate/authgate/internal/redistest"
)

// TestWarnWithoutPersistence opens stores on real Redis servers set up with
// and without persistence, and with CONFIG refused, and checks that New
// warns exactly when the server keeps nothing across a restart, and opens
// the store in every case.
func TestWarnWithoutPersistence(t *testing.T) {
	const password = "s3cret"
	tests := []struct {
		name string
		args []string // redis-server arguments after the test defaults (--save "" --appendonly no)
		warn bool
	}{
		{"no persistence", []string{"--requirepass", password}, true},
		{"AOF", []string{"--appendonly", "yes"}, false},
		{"RDB snapshots", []string{"--save", "900 1"}, false},
		{"CONFIG refused", []string{"--rename-command", "CONFIG", ""}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := redistest.Start(t, tt.args...)
			opts := Options{Addrs: []string{srv.Addr}}
			if slices.Contains(tt.args, "--requirepass") {
				opts.Password = password
			}
			if slices.Contains(tt.args, "--rename-command") {
				if _, err := srv.Do("CONFIG", "GET", "save"); err == nil {
					t.Fatal("the server answers CONFIG GET; the case needs it refused")
				}
			}
			var logs bytes.Buffer
			opts.Logger = slog.New(slog.NewTextHandler(&logs, nil))
			s := openStore(t, opts)
			if err := s.Ping(t.Context()); err != nil {
				t.Fatalf("the store does not work: %v", err)
			}
			got := logs.String()
			warned := strings.Contains(got, "level=WARN") && strings.Contains(got, "keeps no data across a restart")
			if warned != tt.warn {
				t.Errorf("warned %v, want %v; logs:\n%s", warned, tt.warn, got)
			}
			if tt.warn && !strings.Contains(got, srv.Addr) {
				t.Errorf("the warning does not name the server %s:\n%s", srv.Addr, got)
			}
			if strings.Contains(got, password) {
				t.Errorf("the logs hold the Redis password:\n%s", got)
			}
		})
	}
}
