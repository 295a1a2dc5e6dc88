package testkit_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/testkit"
	"github.com/authgate/authgate/memstore"
)

// TestClock: the clock starts on a whole hour near the real time and
// moves only when told.
func TestClock(t *testing.T) {
	c := testkit.NewClock()
	start := c.Now()
	if !start.Equal(start.Truncate(time.Hour)) || time.Since(start) > time.Hour || start.Location() != time.UTC {
		t.Fatalf("NewClock starts at %v", start)
	}
	c.Add(90 * time.Second)
	if got := c.Now().Sub(start); got != 90*time.Second {
		t.Fatalf("after Add(90s) the clock moved %v", got)
	}
	tick := c.Ticking(time.Second)
	if a, b := tick(), tick(); b.Sub(a) != time.Second || !c.Now().Equal(b) {
		t.Fatalf("Ticking: %v then %v, clock at %v", a, b, c.Now())
	}
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	c.Set(at)
	if !c.Now().Equal(at) || !testkit.NewClockAt(at).Now().Equal(at) {
		t.Fatal("Set or NewClockAt did not set the time")
	}
}

// TestHasher: the cheap hasher's hashes verify.
func TestHasher(t *testing.T) {
	h, err := testkit.Hasher.Hash("pw")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := testkit.Hasher.Verify("pw", h); !ok || err != nil {
		t.Fatalf("Verify = %v, %v", ok, err)
	}
	if ok, _ := testkit.Hasher.Verify("other", h); ok {
		t.Fatal("a wrong password verified")
	}
}

// TestLogs: concurrent loggers, derived handlers and the secret check.
func TestLogs(t *testing.T) {
	l := testkit.NewLogs()
	log := l.Logger().With("app", "x").WithGroup("g")
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			log.Debug("line", "i", i)
		}()
	}
	wg.Wait()
	if n := strings.Count(l.String(), "\n"); n != 20 {
		t.Fatalf("%d lines, want 20:\n%s", n, l)
	}
	if !l.Contains(`"app":"x"`) || !l.Contains(`"g":{"i":`) {
		t.Fatalf("attributes or group lost:\n%s", l)
	}
	if !l.Enabled(context.Background(), slog.LevelDebug) {
		t.Fatal("debug lines are not kept")
	}
	l.Logger().Info("token", "start", "0123456789abcdefXYZ")
	l.AssertNoSecrets(t, "", "not-logged-at-all", "short")

	var rec recorder
	l.AssertNoSecrets(&rec, "0123456789abcdefXYZ", "0123456789abcdef-more-follows")
	if rec.errors != 2 {
		t.Fatalf("AssertNoSecrets reported %d leaks, want 2 (whole and start)", rec.errors)
	}
}

// recorder is a testing.TB that counts errors instead of failing.
type recorder struct {
	testing.TB
	errors int
}

func (r *recorder) Helper()               {}
func (r *recorder) Errorf(string, ...any) { r.errors++ }

// TestBufferWaitFor: a reader waits for a text written later by another
// goroutine, and gives up when its context ends.
func TestBufferWaitFor(t *testing.T) {
	var b testkit.Buffer
	go func() {
		for _, s := range []string{"starting\n", "ready at 127.0.0.1\n"} {
			fmt.Fprint(&b, s)
		}
	}()
	if got := b.WaitFor(context.Background(), t, "ready at"); !strings.HasPrefix(got, "starting\n") {
		t.Fatalf("WaitFor returned %q", got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var rec fatalRecorder
	b.WaitFor(ctx, &rec, "never written")
	if !rec.fatal {
		t.Fatal("WaitFor on an ended context did not fail")
	}
}

// fatalRecorder is a testing.TB that notes a Fatalf instead of stopping.
type fatalRecorder struct {
	testing.TB
	fatal bool
}

func (r *fatalRecorder) Helper()               {}
func (r *fatalRecorder) Fatalf(string, ...any) { r.fatal = true }

// TestAsKind: the gate classifies each request as the kind it was made as.
func TestAsKind(t *testing.T) {
	g, err := authgate.New(authgate.Config{Store: memstore.New(), Hasher: testkit.Hasher})
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range []authgate.Kind{authgate.KindNavigation, authgate.KindScript, authgate.KindMachine} {
		for _, target := range []string{"https://app.example/x", "http://localhost:8080/x"} {
			r := testkit.AsKind(httptest.NewRequest(http.MethodGet, target, nil), kind)
			if got := g.Classify(r); got != kind {
				t.Errorf("AsKind(%s, %v) classifies as %v", target, kind, got)
			}
			if ref := r.Header.Get("Referer"); kind == authgate.KindScript && !strings.HasPrefix(target, strings.TrimSuffix(ref, "/")) {
				t.Errorf("AsKind(%s, script) sets Referer %q", target, ref)
			}
		}
	}
}
