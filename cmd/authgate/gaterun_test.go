package main

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/testkit"
)

// closeCounter is what gateStart.beside opens in these tests.
type closeCounter struct{ closed int }

func (cc *closeCounter) Close() error { cc.closed++; return nil }

// TestStartGate checks the order startGate keeps: what the command opens
// beside the store comes before the first run's user, and an error leaves
// nothing open.
func TestStartGate(t *testing.T) {
	errBeside := withCode(exitDatabase, "opening the notes: %w", errors.New("no disk"))
	tests := []struct {
		name       string
		idle       time.Duration // the gate's idle timeout; under 1s authgate.New refuses it
		besideErr  error
		wantCode   int  // exit code of the error; exitOK for none
		wantUser   bool // whether the first run's user exists afterwards
		wantClosed int  // closes of beside's closer once the run is closed
	}{
		{name: "ok", idle: time.Minute, wantCode: exitOK, wantUser: true, wantClosed: 1},
		{name: "beside fails before the user", idle: time.Minute, besideErr: errBeside, wantCode: exitDatabase, wantUser: false},
		{name: "gate refused", idle: time.Millisecond, wantCode: exitUsage, wantUser: true, wantClosed: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCLI(nil, io.Discard, io.Discard)
			c.hasher = testkit.Hasher
			var df demoFlags
			df.store.db = filepath.Join(t.TempDir(), "gate.db")
			df.serving.logFormat = "text"
			cc := new(closeCounter)
			gs := gateStart{name: "test", flags: df,
				cfg:   authgate.Config{IdleTimeout: tt.idle, Lifetime: time.Hour},
				login: "first", userName: "First", keyName: "first key",
				beside: func(context.Context) (io.Closer, error) {
					if tt.besideErr != nil {
						return nil, tt.besideErr
					}
					return cc, nil
				}}
			run, err := c.startGate(t.Context(), gs)
			if got := exitCode(err); got != tt.wantCode {
				t.Fatalf("exit code %d (%v), want %d", got, err, tt.wantCode)
			}
			if err == nil {
				if !run.creds.created || run.gate == nil || run.serving == nil {
					t.Errorf("run = %+v, want new credentials, a gate and a serving", run)
				}
				run.close()
			}
			if cc.closed != tt.wantClosed {
				t.Errorf("beside's closer closed %d times, want %d", cc.closed, tt.wantClosed)
			}
			st, err := c.openStore(t.Context(), df.store, false)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			_, err = st.UserByLogin(t.Context(), "first")
			if gotUser := err == nil; gotUser != tt.wantUser {
				t.Errorf("user made: %v (%v), want %v", gotUser, err, tt.wantUser)
			}
		})
	}
}
