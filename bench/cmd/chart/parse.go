package main

import (
	"bufio"
	"io"
	"slices"
	"strconv"
	"strings"
)

// sample is one line of benchmark output.
type sample struct {
	nsPerOp     float64
	allocsPerOp float64 // -1 when not reported
	addedNs     float64 // the added-ns/op metric; -1 when not reported
}

// key names one sub-benchmark: the scenario (the benchmark's name without
// "Benchmark") and the contender.
type key struct{ scenario, contender string }

// parse reads benchmark output and returns every sample of every
// sub-benchmark, in the order of the input. Lines that are not results
// are skipped.
func parse(r io.Reader) (map[key][]sample, error) {
	out := make(map[key][]sample)
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		k, s, ok := parseLine(sc.Text())
		if ok {
			out[k] = append(out[k], s)
		}
	}
	return out, sc.Err()
}

// parseLine parses a result line such as
// "BenchmarkSignedInGET/authgate-memory-2  1000  1234 ns/op  456 B/op  7 allocs/op".
func parseLine(line string) (key, sample, bool) {
	f := strings.Fields(line)
	if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
		return key{}, sample{}, false
	}
	name := strings.TrimPrefix(f[0], "Benchmark")
	// Drop the -GOMAXPROCS suffix.
	if i := strings.LastIndexByte(name, '-'); i > 0 {
		if _, err := strconv.Atoi(name[i+1:]); err == nil {
			name = name[:i]
		}
	}
	scenario, contender, ok := strings.Cut(name, "/")
	if !ok {
		return key{}, sample{}, false
	}
	s := sample{nsPerOp: -1, allocsPerOp: -1, addedNs: -1}
	for i := 2; i+1 < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return key{}, sample{}, false
		}
		switch f[i+1] {
		case "ns/op":
			s.nsPerOp = v
		case "allocs/op":
			s.allocsPerOp = v
		case "added-ns/op":
			s.addedNs = v
		}
	}
	if s.nsPerOp < 0 {
		return key{}, sample{}, false
	}
	return key{scenario, contender}, s, true
}

// median returns the median of vs, which it sorts.
func median(vs []float64) float64 {
	if len(vs) == 0 {
		return 0
	}
	slices.Sort(vs)
	if len(vs)%2 == 1 {
		return vs[len(vs)/2]
	}
	return (vs[len(vs)/2-1] + vs[len(vs)/2]) / 2
}

// scenario is a benchmark the chart shows, with its title. Its paired
// benchmark, "Paired" + name, reports the added time itself as its
// added-ns/op metric; when the input has it, the bars show that rather
// than the difference of two medians taken seconds apart.
type scenario struct{ name, title string }

// scenarios are the panels of the chart, in order.
var scenarios = []scenario{
	{"SignedInGET", "Signed-in page load"},
	{"ScriptExpired", "Script call on an expired session"},
	{"APIKey", "Machine call with an API key"},
}

func scenarioNames() []string {
	names := make([]string, len(scenarios))
	for i, s := range scenarios {
		names[i] = s.name
	}
	return names
}

// bar is one contender's added cost in one scenario.
type bar struct {
	contender   string
	addedNs     float64 // the paired benchmark's median added-ns/op, or median ns/op less the bare median
	paired      bool    // addedNs is from the paired benchmark
	totalNs     float64 // median ns/op
	addedAllocs float64 // median allocs/op less the bare median; NaN when unknown
}

// panel is one scenario's bars.
type panel struct {
	title  string
	bareNs float64
	paired bool // some bar is from a paired benchmark
	bars   []bar
}

// costs computes each scenario's bars from the samples, contenders in the
// order of contenderOrder and then by name.
func costs(results map[key][]sample, scs []scenario) []panel {
	var panels []panel
	for _, sc := range scs {
		bare, ok := results[key{sc.name, "bare"}]
		if !ok {
			continue
		}
		bareNs, bareAllocs := medians(bare)
		p := panel{title: sc.title, bareNs: bareNs}
		for k, ss := range results {
			if k.scenario != sc.name || k.contender == "bare" {
				continue
			}
			ns, allocs := medians(ss)
			b := bar{contender: k.contender, addedNs: ns - bareNs, totalNs: ns, addedAllocs: allocs - bareAllocs}
			if allocs < 0 || bareAllocs < 0 {
				b.addedAllocs = nan()
			}
			if added, ok := pairedMedian(results[key{"Paired" + sc.name, k.contender}]); ok {
				b.addedNs, b.paired = added, true
				p.paired = true
			}
			p.bars = append(p.bars, b)
		}
		sortBars(p.bars)
		panels = append(panels, p)
	}
	return panels
}

// pairedMedian returns the median added-ns/op of a paired benchmark's
// samples.
func pairedMedian(ss []sample) (float64, bool) {
	var added []float64
	for _, s := range ss {
		if s.addedNs != -1 {
			added = append(added, s.addedNs)
		}
	}
	if len(added) == 0 {
		return 0, false
	}
	return median(added), true
}

func sortBars(bars []bar) {
	slices.SortFunc(bars, func(a, b bar) int {
		if c := rank(a.contender) - rank(b.contender); c != 0 {
			return c
		}
		return strings.Compare(a.contender, b.contender)
	})
}

func medians(ss []sample) (ns, allocs float64) {
	nss := make([]float64, len(ss))
	as := make([]float64, len(ss))
	for i, s := range ss {
		nss[i], as[i] = s.nsPerOp, s.allocsPerOp
	}
	return median(nss), median(as)
}

// contenderOrder is the order of the bars: authgate's first.
var contenderOrder = []string{
	"authgate-memory", "authgate-sqlite", "authgate-redis", "authgate-redis-nocache",
	"authgate-postgres", "authgate-postgres-nocache",
	"scs-memstore", "scs-sqlite", "gorilla-cookie",
}

func rank(name string) int {
	if i := slices.Index(contenderOrder, name); i >= 0 {
		return i
	}
	return len(contenderOrder)
}
