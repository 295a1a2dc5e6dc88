package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/authgate/authgate/bench"
)

// server is a server process and the driver that loads it.
type server struct {
	config  string
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	d       *driver
	stopped bool
}

// startServer starts a server process for config ("bare" or a store kind)
// with sessions sessions, and a driver for it. With profiles set, the
// server writes a CPU profile to profiles/<config>.pprof.
func startServer(ctx context.Context, config, dir string, servers bench.Servers, sessions int, profiles string) (*server, error) {
	cookieFile := filepath.Join(dir, "cookies-"+config)
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	args := []string{"-serve", "-store", config, "-redis", servers.Redis, "-pg", servers.Postgres,
		"-dir", dir, "-cookies", cookieFile, "-sessions", fmt.Sprint(sessions)}
	if profiles != "" {
		args = append(args, "-cpuprofile", filepath.Join(profiles, config+".pprof"))
	}
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Stderr = os.Stderr
	s := &server{config: config, cmd: cmd}
	if s.stdin, err = cmd.StdinPipe(); err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		_ = s.stop()
		return nil, fmt.Errorf("the server process did not start: %w", err)
	}
	cookies, err := readLines(cookieFile)
	if err != nil {
		_ = s.stop()
		return nil, err
	}
	s.d = newDriver("http://"+strings.TrimSpace(line)+"/dashboard", cookies)
	return s, nil
}

// stop closes the server's input, on which it shuts down, and waits for
// it. Only the first call does anything.
func (s *server) stop() error {
	if s.stopped {
		return nil
	}
	s.stopped = true
	s.d.close()
	_ = s.stdin.Close()
	return s.cmd.Wait()
}

// cpu returns the CPU time the server process has used so far.
func (s *server) cpu() (time.Duration, bool) { return cpuTime(s.cmd.Process.Pid) }

// phase is what a closed loop measured on one server.
type phase struct {
	rps      float64       // requests per second
	p50, p99 time.Duration // latency
}

// pair is one round's figures for a gated server and the bare one.
type pair struct {
	bare, gated         phase
	cpuBare, cpuGated   time.Duration    // CPU time per request in the paired closed loop
	openBare, openGated [2]time.Duration // p50 and p99 of the paired open loop
	errors              int64
}

func (p pair) String() string {
	s := fmt.Sprintf("bare %6.0f req/s | gated %6.0f req/s, p50 %v p99 %v | paired CPU/req bare %5.1f µs gated %5.1f µs",
		p.bare.rps, p.gated.rps, p.gated.p50.Round(time.Microsecond), p.gated.p99.Round(time.Microsecond), us(p.cpuBare), us(p.cpuGated))
	if p.openGated[0] > 0 {
		s += fmt.Sprintf(" | paired p99 bare %v gated %v", p.openBare[1].Round(time.Microsecond), p.openGated[1].Round(time.Microsecond))
	}
	if p.errors > 0 {
		s += fmt.Sprintf(" (%d errors)", p.errors)
	}
	return s
}

func us(d time.Duration) float64 { return float64(d) / 1e3 }

// measurePair runs one round for a gated server beside the bare one.
func measurePair(ctx context.Context, bare, gated *server, opts options, gatedFirst bool) (pair, error) {
	var p pair
	order := []*server{bare, gated}
	if gatedFirst {
		order = []*server{gated, bare}
	}
	for _, s := range order {
		s.d.closed(ctx, opts.conns, opts.warmup) // unmeasured
		ph := closedPhase(ctx, s, opts.conns, opts.duration)
		if s == bare {
			p.bare = ph
		} else {
			p.gated = ph
		}
	}
	p.cpuBare, p.cpuGated = pairedCPU(ctx, bare, gated, opts.conns, opts.duration)
	bare.d.errors.Store(0)
	gated.d.errors.Store(0)
	if opts.rate > 0 {
		lat := pairedOpen(ctx, []*driver{bare.d, gated.d}, opts.rate, opts.duration)
		p.openBare = [2]time.Duration{bench.Percentile(lat[0], 50), bench.Percentile(lat[0], 99)}
		p.openGated = [2]time.Duration{bench.Percentile(lat[1], 50), bench.Percentile(lat[1], 99)}
	}
	p.errors = bare.d.errors.Load() + gated.d.errors.Load()
	return p, ctx.Err()
}

// closedPhase runs a closed loop on s.
func closedPhase(ctx context.Context, s *server, conns int, dur time.Duration) phase {
	start := time.Now()
	n, lat := s.d.closed(ctx, conns, dur)
	elapsed := time.Since(start)
	return phase{rps: float64(n) / elapsed.Seconds(), p50: bench.Percentile(lat, 50), p99: bench.Percentile(lat, 99)}
}

// pairedCPU runs a closed loop of conns connections that each send their
// requests alternately to a and b, for dur, and returns each server's CPU
// time per request over that time. Both servers run side by side through
// the same moments, so that other load on the machine weighs on both
// alike: the ratio of the two is the ratio of their capacities.
func pairedCPU(ctx context.Context, a, b *server, conns int, dur time.Duration) (time.Duration, time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, dur)
	defer cancel()
	a0, okA0 := a.cpu()
	b0, okB0 := b.cpu()
	var na, nb atomic.Int64
	var wg sync.WaitGroup
	for i := range conns {
		wg.Go(func() {
			for k := i; ctx.Err() == nil; k++ {
				if k%2 == 0 {
					if a.d.get(ctx) {
						na.Add(1)
					}
				} else if b.d.get(ctx) {
					nb.Add(1)
				}
			}
		})
	}
	wg.Wait()
	a1, okA1 := a.cpu()
	b1, okB1 := b.cpu()
	if !okA0 || !okA1 || !okB0 || !okB1 || na.Load() == 0 || nb.Load() == 0 {
		return 0, 0
	}
	return (a1 - a0) / time.Duration(na.Load()), (b1 - b0) / time.Duration(nb.Load())
}

// driver sends signed-in page loads to one server, spreading them over
// sessions whose cookies it keeps as a browser would.
type driver struct {
	url    string
	client *http.Client
	tr     *http.Transport
	jars   []*bench.Jar
	next   atomic.Uint64 // the next session to use
	errors atomic.Int64
}

func newDriver(url string, cookies []string) *driver {
	jars := make([]*bench.Jar, len(cookies))
	for i, c := range cookies {
		jars[i] = bench.NewJar(c)
	}
	tr := &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256, DisableCompression: true, IdleConnTimeout: time.Minute}
	client := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &driver{url: url, client: client, tr: tr, jars: jars}
}

func (d *driver) close() { d.tr.CloseIdleConnections() }

// get sends one page load on the next session and reports whether it got
// a 200.
func (d *driver) get(ctx context.Context) bool {
	jar := d.jars[d.next.Add(1)%uint64(len(d.jars))]
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, d.url, nil)
	if err != nil {
		d.errors.Add(1)
		return false
	}
	bench.BrowserHeaders(req.Header, jar.Header(), true)
	req.Header.Del("Accept-Encoding") // the client does not decompress
	resp, err := d.client.Do(req)
	if err != nil {
		if ctx.Err() == nil {
			d.errors.Add(1)
		}
		return false
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if set := resp.Header["Set-Cookie"]; len(set) > 0 {
		jar.Update(set)
	}
	if resp.StatusCode != http.StatusOK {
		d.errors.Add(1)
		return false
	}
	return true
}

// closed runs conns loops that each send a request as soon as the last one
// is answered, for dur, and returns how many succeeded and their
// latencies.
func (d *driver) closed(ctx context.Context, conns int, dur time.Duration) (int, []time.Duration) {
	// The window ends the loop, not the request in flight: each connection
	// finishes the call it started, so a slow machine still counts at least
	// one per connection.
	window, cancel := context.WithTimeout(ctx, dur)
	defer cancel()
	lats := make([][]time.Duration, conns)
	var wg sync.WaitGroup
	for i := range conns {
		wg.Go(func() {
			own := make([]time.Duration, 0, 1<<14)
			for first := true; first || window.Err() == nil; first = false {
				start := time.Now()
				if d.get(ctx) {
					own = append(own, time.Since(start))
				}
			}
			lats[i] = own
		})
	}
	wg.Wait()
	var all []time.Duration
	for _, l := range lats {
		all = append(all, l...)
	}
	return len(all), all
}

// pairedOpen sends rate requests per second for dur, alternately to each
// of ds, each when it falls due whatever happened to the ones before, and
// returns each driver's latencies.
func pairedOpen(ctx context.Context, ds []*driver, rate int, dur time.Duration) [][]time.Duration {
	ctx, cancel := context.WithTimeout(ctx, dur+10*time.Second) // room for stragglers
	defer cancel()
	type job struct {
		at    time.Time
		which int
	}
	total := int(float64(rate) * dur.Seconds())
	jobs := make(chan job, total)
	lats := make([][]time.Duration, len(ds))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 128 {
		wg.Go(func() {
			for j := range jobs {
				if ds[j.which].get(ctx) {
					l := time.Since(j.at)
					mu.Lock()
					lats[j.which] = append(lats[j.which], l)
					mu.Unlock()
				}
			}
		})
	}
	start := time.Now()
	interval := time.Second / time.Duration(rate)
	tick := time.NewTicker(time.Millisecond)
	sent := 0
	for sent < total && ctx.Err() == nil {
		elapsed := time.Since(start)
		// Requests fall due between ticks; each is timed from when it is
		// handed to a worker, so that the tick's granularity is not counted
		// but a wait for a free worker, or for the server, is.
		for now := time.Now(); sent < total && time.Duration(sent)*interval <= elapsed; sent++ {
			jobs <- job{at: now, which: sent % len(ds)}
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
		}
	}
	tick.Stop()
	close(jobs)
	wg.Wait()
	return lats
}

func readLines(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) == 0 || lines[0] == "" {
		return nil, errors.New("the server process wrote no cookies")
	}
	return lines, nil
}
