package main

import (
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/authgate/authgate/bench"
)

// median returns the median of what f picks from ps.
func median[T int64 | float64 | time.Duration](ps []pair, f func(pair) T) T {
	vs := make([]T, len(ps))
	for i, p := range ps {
		vs[i] = f(p)
	}
	slices.Sort(vs)
	if len(vs) == 0 {
		return 0
	}
	if len(vs)%2 == 1 {
		return vs[len(vs)/2]
	}
	return (vs[len(vs)/2-1] + vs[len(vs)/2]) / 2
}

// printTable writes the medians as two Markdown tables: throughput, and
// latency.
func printTable(w io.Writer, configs []string, results map[string][]pair, opts options) {
	fmt.Fprintf(w, "Closed loop, %d connections (medians of %d rounds; ratios are each round's gated/bare):\n\n", opts.conns, opts.rounds)
	fmt.Fprintln(w, "| store | bare req/s | gated req/s | req/s of bare | bare CPU/req (paired) | gated CPU/req (paired) | capacity of bare (paired CPU) | gated p50 | gated p99 | bare p99 | errors |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, c := range configs {
		ps := results[c]
		var errs int64
		for _, p := range ps {
			errs += p.errors
		}
		fmt.Fprintf(w, "| %s | %.0f | %.0f | %.1f%% | %.1f µs | %.1f µs | %.1f%% | %s | %s | %s | %d |\n", c,
			median(ps, func(p pair) float64 { return p.bare.rps }),
			median(ps, func(p pair) float64 { return p.gated.rps }),
			100*median(ps, func(p pair) float64 { return p.gated.rps / p.bare.rps }),
			us(median(ps, func(p pair) time.Duration { return p.cpuBare })),
			us(median(ps, func(p pair) time.Duration { return p.cpuGated })),
			100*median(ps, func(p pair) float64 { return ratio(p.cpuBare, p.cpuGated) }),
			bench.FormatDuration(median(ps, func(p pair) time.Duration { return p.gated.p50 })),
			bench.FormatDuration(median(ps, func(p pair) time.Duration { return p.gated.p99 })),
			bench.FormatDuration(median(ps, func(p pair) time.Duration { return p.bare.p99 })),
			errs)
	}
	if opts.rate <= 0 {
		return
	}
	fmt.Fprintf(w, "\nPaired open loop, %d req/s alternately to the bare and the gated server (medians of %d rounds):\n\n", opts.rate, opts.rounds)
	fmt.Fprintln(w, "| store | bare p50 | gated p50 | bare p99 | gated p99 | gated p99 − bare p99 |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|")
	for _, c := range configs {
		ps := results[c]
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", c,
			bench.FormatDuration(median(ps, func(p pair) time.Duration { return p.openBare[0] })),
			bench.FormatDuration(median(ps, func(p pair) time.Duration { return p.openGated[0] })),
			bench.FormatDuration(median(ps, func(p pair) time.Duration { return p.openBare[1] })),
			bench.FormatDuration(median(ps, func(p pair) time.Duration { return p.openGated[1] })),
			bench.FormatDuration(median(ps, func(p pair) time.Duration { return p.openGated[1] - p.openBare[1] })))
	}
}

// ratio returns a/b, or 0 when b is 0.
func ratio(a, b time.Duration) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
