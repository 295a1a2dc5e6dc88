package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/authgate/authgate/bench"
)

// result is one phase's figures for one target.
type result struct {
	rps      float64
	p50, p99 time.Duration
	cpu      time.Duration // the proxy process's CPU time per request
	errors   int
}

// measure runs the rounds and prints each round and the table.
func measure(ctx context.Context, targets []target, o options) error {
	all := make([][]result, len(targets))
	for round := 1; round <= o.rounds; round++ {
		order := make([]int, len(targets))
		for i := range order {
			order[i] = (i + round) % len(targets) // who goes first turns every round
		}
		for _, i := range order {
			if _, err := phase(ctx, targets[i], o.conns, o.warmup); err != nil {
				return err
			}
			r, err := phase(ctx, targets[i], o.conns, o.duration)
			if err != nil {
				return err
			}
			fmt.Printf("round %d %-28s %8.0f req/s  p50 %-9s p99 %-9s CPU %-9s errors %d\n", round, targets[i].name, r.rps,
				bench.FormatDuration(r.p50), bench.FormatDuration(r.p99), bench.FormatDuration(r.cpu), r.errors)
			all[i] = append(all[i], r)
		}
	}
	fmt.Println()
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "proxy\treq/s\tof bare\tp50\tp99\tCPU/req\tof bare\terrors")
	for i, t := range targets {
		var share, cpuShare []float64
		for r := range all[i] {
			share = append(share, all[i][r].rps/all[0][r].rps)
			cpuShare = append(cpuShare, float64(all[0][r].cpu)/float64(all[i][r].cpu))
		}
		errs := 0
		for _, r := range all[i] {
			errs += r.errors
		}
		fmt.Fprintf(w, "%s\t%.0f\t%.0f%%\t%s\t%s\t%s\t%.0f%%\t%d\n", t.name,
			median(all[i], func(r result) float64 { return r.rps }), 100*medianOf(share),
			bench.FormatDuration(time.Duration(median(all[i], func(r result) float64 { return float64(r.p50) }))),
			bench.FormatDuration(time.Duration(median(all[i], func(r result) float64 { return float64(r.p99) }))),
			bench.FormatDuration(time.Duration(median(all[i], func(r result) float64 { return float64(r.cpu) }))),
			100*medianOf(cpuShare), errs)
	}
	return w.Flush()
}

// phase sends requests to t over conns connections for d, each as soon as
// the one before it is answered.
func phase(ctx context.Context, t target, conns int, d time.Duration) (result, error) {
	tr := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var (
		mu   sync.Mutex
		lat  []time.Duration
		errs int
		wg   sync.WaitGroup
	)
	cpu0, err := cpuTime(t.pid)
	if err != nil {
		return result{}, err
	}
	start := time.Now()
	for range conns {
		wg.Go(func() {
			var mine []time.Duration
			bad := 0
			for ctx.Err() == nil {
				t0 := time.Now()
				resp, err := client.Do(newRequest(context.WithoutCancel(ctx), t))
				if err != nil {
					bad++
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if t.cookie != nil {
					t.cookie.update(resp)
				}
				if resp.StatusCode != http.StatusOK {
					bad++
					continue
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			errs += bad
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu1, err := cpuTime(t.pid)
	if err != nil {
		return result{}, err
	}
	perReq := time.Duration(0)
	if len(lat) > 0 {
		perReq = (cpu1 - cpu0) / time.Duration(len(lat))
	}
	return result{
		cpu:    perReq,
		rps:    float64(len(lat)) / elapsed.Seconds(),
		p50:    bench.Percentile(lat, 50),
		p99:    bench.Percentile(lat, 99),
		errors: errs,
	}, nil
}

func median(rs []result, f func(result) float64) float64 {
	var v []float64
	for _, r := range rs {
		v = append(v, f(r))
	}
	return medianOf(v)
}

func medianOf(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	slices.Sort(v)
	return v[len(v)/2]
}

// cpuTime returns the user and system CPU time of process pid so far, from
// /proc (Linux).
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("reading the CPU time of process %d: %w", pid, err)
	}
	// The fields after the command name, which is in parentheses and may
	// hold spaces: utime and stime are the 12th and 13th of them.
	_, rest, _ := strings.Cut(string(b), ") ")
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat has too few fields", pid)
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	s, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: bad CPU times", pid)
	}
	const tick = 10 * time.Millisecond // USER_HZ is 100 on Linux
	return time.Duration(u+s) * tick, nil
}
