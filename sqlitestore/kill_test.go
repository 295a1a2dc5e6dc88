package sqlitestore

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/storetest"
)

// killDBEnv names the database for the child process of TestSurvivesKill.
const killDBEnv = "SQLITESTORE_KILL_TEST_DB"

// TestSurvivesKill has a child process write sessions and report them
// written, kills it with SIGKILL before it can close anything, and checks
// that every write is in the file and the file is sound.
func TestSurvivesKill(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skip("needs a killable child process")
	}
	path := filepath.Join(t.TempDir(), "authgate.db")
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), killDBEnv+"="+path)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe() // held open: the child waits on it
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var live []authgate.Hash
	var revoked authgate.Hash
	sc := bufio.NewScanner(stdout)
	ready := false
	for !ready && sc.Scan() {
		var kind, hex string
		if _, err := fmt.Sscan(sc.Text(), &kind, &hex); err != nil {
			continue // test framework output
		}
		switch kind {
		case "live", "revoked":
			h, err := authgate.ParseHash(hex)
			if err != nil {
				t.Fatal(err)
			}
			if kind == "live" {
				live = append(live, h)
			} else {
				revoked = h
			}
		case "ready":
			ready = true
		}
	}
	if !ready {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the child ended before writing: %v", sc.Err())
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL on Unix
		t.Fatal(err)
	}
	go io.Copy(io.Discard, stdout)
	if err := cmd.Wait(); err == nil {
		t.Fatal("the child exited cleanly; it should have been killed")
	}

	ctx := context.Background()
	s := openAt(t, path, defaultConfig())
	if err := s.Check(ctx); err != nil {
		t.Fatalf("after the kill: %v", err)
	}
	for _, id := range live {
		x, err := s.Session(ctx, id)
		if err != nil {
			t.Errorf("session written before the kill: %v", err)
		} else if x.Revoked {
			t.Error("a live session came back revoked")
		}
	}
	if x, err := s.Session(ctx, revoked); err != nil || !x.Revoked {
		t.Errorf("the revoked session after the kill: revoked %v, error %v", x.Revoked, err)
	}
	if len(live) != killSessions-1 {
		t.Errorf("the child reported %d live sessions, want %d", len(live), killSessions-1)
	}
}

const killSessions = 50

// TestMain runs the package's tests, or with killDBEnv set acts as the
// child process of TestSurvivesKill instead.
func TestMain(m *testing.M) {
	if path := os.Getenv(killDBEnv); path != "" {
		if err := killChild(context.Background(), path); err != nil {
			fmt.Fprintln(os.Stderr, "kill child:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// killChild writes sessions to the database at path, reports each on
// standard output, then waits to be killed.
func killChild(ctx context.Context, path string) error {
	s, err := Open(ctx, path)
	if err != nil {
		return err
	}
	for i := range killSessions {
		x := storetest.NewSession("u1", time.Now())
		if err := s.CreateSession(ctx, x); err != nil {
			return err
		}
		if err := s.TouchSession(ctx, x.ID, time.Now()); err != nil {
			return err
		}
		kind := "live"
		if i == killSessions/2 {
			if err := s.RevokeSession(ctx, x.ID); err != nil {
				return err
			}
			kind = "revoked"
		}
		fmt.Println(kind, x.ID)
	}
	fmt.Println("ready -")
	// Wait to be killed; the parent never writes.
	_, err = io.Copy(io.Discard, os.Stdin)
	return errors.Join(errors.New("stdin closed before the kill"), err)
}
