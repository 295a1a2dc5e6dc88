package main

import (
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"testing"
)

const sampleOutput = `goos: linux
goarch: amd64
pkg: github.com/authgate/authgate/bench
cpu: AMD EPYC
BenchmarkSignedInGET/bare-2                 	  500000	      1300 ns/op	    2424 B/op	      16 allocs/op
BenchmarkSignedInGET/bare-2                 	  500000	      1500 ns/op	    2424 B/op	      16 allocs/op
BenchmarkSignedInGET/bare-2                 	  500000	      1400 ns/op	    2424 B/op	      16 allocs/op
BenchmarkSignedInGET/authgate-memory-2      	  300000	      2000 ns/op	    2888 B/op	      19 allocs/op
BenchmarkSignedInGET/scs-memstore-2         	   30000	     35400 ns/op	   13941 B/op	     255 allocs/op
BenchmarkSignedInGET/gorilla-cookie-2       	   30000	      1350 ns/op	   17777 B/op	     260 allocs/op
BenchmarkBurst1000/authgate-memory-2        	     100	   3000000 ns/op	         1.000 writes/op
BenchmarkPairedSignedInGET/scs-memstore-2   	  100000	     40000 ns/op	     30000 added-ns/op
BenchmarkPairedSignedInGET/scs-memstore-2   	  100000	     40000 ns/op	     32000 added-ns/op
BenchmarkPairedSignedInGET/scs-memstore-2   	  100000	     40000 ns/op	     31000 added-ns/op
PASS
`

func TestParseLine(t *testing.T) {
	tests := []struct {
		line   string
		ok     bool
		key    key
		ns     float64
		allocs float64
	}{
		{"BenchmarkSignedInGET/bare-2  100  1300 ns/op  2424 B/op  16 allocs/op", true, key{"SignedInGET", "bare"}, 1300, 16},
		{"BenchmarkAPIKey/authgate-redis-nocache-8  100  25716 ns/op", true, key{"APIKey", "authgate-redis-nocache"}, 25716, -1},
		{"BenchmarkBurst1000/scs-sqlite  3  160000000 ns/op  1000 writes/op", true, key{"Burst1000", "scs-sqlite"}, 160000000, -1},
		{"BenchmarkTop-2  100  5 ns/op", false, key{}, 0, 0},
		{"PASS", false, key{}, 0, 0},
		{"ok  	github.com/authgate/authgate/bench	12.3s", false, key{}, 0, 0},
	}
	for _, tt := range tests {
		k, s, ok := parseLine(tt.line)
		if ok != tt.ok {
			t.Errorf("parseLine(%q) ok = %v, want %v", tt.line, ok, tt.ok)
			continue
		}
		if ok && (k != tt.key || s.nsPerOp != tt.ns || s.allocsPerOp != tt.allocs) {
			t.Errorf("parseLine(%q) = %v %+v, want %v ns %v allocs %v", tt.line, k, s, tt.key, tt.ns, tt.allocs)
		}
	}
}

func TestCosts(t *testing.T) {
	res, err := parse(strings.NewReader(sampleOutput))
	if err != nil {
		t.Fatal(err)
	}
	panels := costs(res, scenarios)
	if len(panels) != 1 {
		t.Fatalf("%d panels, want 1 (only SignedInGET has a bare row)", len(panels))
	}
	p := panels[0]
	if !p.paired {
		t.Error("the panel is not marked paired, though scs-memstore has a paired benchmark")
	}
	if p.bareNs != 1400 {
		t.Errorf("bare median %v, want 1400", p.bareNs)
	}
	want := []bar{
		{contender: "authgate-memory", addedNs: 600, totalNs: 2000, addedAllocs: 3},
		{contender: "scs-memstore", addedNs: 31000, paired: true, totalNs: 35400, addedAllocs: 239},
		{contender: "gorilla-cookie", addedNs: -50, totalNs: 1350, addedAllocs: 244},
	}
	if len(p.bars) != len(want) {
		t.Fatalf("bars %+v, want %+v", p.bars, want)
	}
	for i := range want {
		if p.bars[i] != want[i] {
			t.Errorf("bar %d = %+v, want %+v", i, p.bars[i], want[i])
		}
	}
}

func TestRenderIsWellFormed(t *testing.T) {
	res, err := parse(strings.NewReader(sampleOutput))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := render(&buf, costs(res, scenarios)); err != nil {
		t.Fatal(err)
	}
	svg := buf.String()
	d := xml.NewDecoder(strings.NewReader(svg))
	rects := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the SVG is not well-formed XML: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "rect" {
			rects++
		}
	}
	// The background, three bars and two legend swatches.
	if rects != 6 {
		t.Errorf("%d rect elements, want 6", rects)
	}
	for _, s := range []string{"authgate-memory", "+600 ns, +3 allocs", "+31.0 µs", "≈ 0", "paired with it"} {
		if !strings.Contains(svg, esc(s)) {
			t.Errorf("the SVG lacks %q", s)
		}
	}
}
