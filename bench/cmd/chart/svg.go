package main

import (
	"bufio"
	"fmt"
	"html"
	"io"
	"math"
	"strings"
)

// Layout of the chart, in SVG user units.
const (
	width      = 860
	labelWidth = 190 // contender names, left of the bars
	valueWidth = 150 // figures, right of the bars
	barHeight  = 18
	barGap     = 6
	panelTop   = 34 // the panel's title above its bars
	panelGap   = 26
	margin     = 16
	axisHeight = 34
)

func nan() float64 { return math.NaN() }

// render writes the panels as one SVG: a horizontal bar per contender,
// its length the added time per request on a log scale shared by all
// panels, authgate's bars in one colour and the peers' in another.
func render(w io.Writer, panels []panel) error {
	lo, hi := scaleRange(panels)
	plotWidth := float64(width - 2*margin - labelWidth - valueWidth)
	x := func(ns float64) float64 {
		ns = math.Max(ns, lo)
		return plotWidth * (math.Log10(ns) - math.Log10(lo)) / (math.Log10(hi) - math.Log10(lo))
	}

	height := margin + 40
	for _, p := range panels {
		height += panelTop + len(p.bars)*(barHeight+barGap) + panelGap
	}
	height += axisHeight + 30

	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format+"\n", args...) }
	p(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif" font-size="13">`, width, height, width, height)
	p(`<title>Time each contender adds to a request, above the bare handler</title>`)
	p(`<rect width="100%%" height="100%%" fill="#ffffff"/>`)
	p(`<text x="%d" y="%d" font-size="16" font-weight="600" fill="#111">Time added to a request, above the bare handler (medians, log scale)</text>`, margin, margin+16)

	plotX := float64(margin + labelWidth)
	y := margin + 40
	for _, pn := range panels {
		note := "bare handler: " + fmtNs(pn.bareNs)
		if pn.paired {
			note += "; paired with it request by request"
		}
		p(`<text x="%d" y="%d" font-size="14" font-weight="600" fill="#222">%s <tspan font-weight="400" fill="#666">(%s)</tspan></text>`,
			margin, y+18, esc(pn.title), esc(note))
		y += panelTop
		// Grid lines at each power of ten.
		top, bottom := y-4, y+len(pn.bars)*(barHeight+barGap)
		for d := lo; d <= hi*1.0001; d *= 10 {
			gx := plotX + x(d)
			p(`<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#e4e4e4"/>`, gx, top, gx, bottom)
		}
		for _, b := range pn.bars {
			fill := "#9aa5b1"
			if strings.HasPrefix(b.contender, "authgate") {
				fill = "#1f7a4d"
			}
			p(`<text x="%.1f" y="%d" text-anchor="end" fill="#222">%s</text>`, plotX-8, y+barHeight-4, esc(b.contender))
			bwid := math.Max(x(b.addedNs), 2)
			tip := fmtNs(b.addedNs) + " added, " + fmtNs(b.totalNs) + " in all"
			p(`<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s" rx="2"><title>%s: %s</title></rect>`,
				plotX, y, bwid, barHeight, fill, esc(b.contender), esc(tip))
			p(`<text x="%.1f" y="%d" fill="#222">%s</text>`, plotX+bwid+6, y+barHeight-4, esc(valueLabel(b)))
			y += barHeight + barGap
		}
		y += panelGap
	}
	// The axis.
	p(`<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#888"/>`, plotX, y, plotX+plotWidth, y)
	for d := lo; d <= hi*1.0001; d *= 10 {
		gx := plotX + x(d)
		p(`<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#888"/>`, gx, y, gx, y+5)
		p(`<text x="%.1f" y="%d" text-anchor="middle" fill="#444">%s</text>`, gx, y+19, esc(fmtNs(d)))
	}
	y += axisHeight
	p(`<rect x="%d" y="%d" width="12" height="12" fill="#1f7a4d"/><text x="%d" y="%d" fill="#222">authgate</text>`, margin+labelWidth, y, margin+labelWidth+18, y+11)
	p(`<rect x="%d" y="%d" width="12" height="12" fill="#9aa5b1"/><text x="%d" y="%d" fill="#222">peers (scs with an idle timeout, gorilla CookieStore)</text>`, margin+labelWidth+110, y, margin+labelWidth+128, y+11)
	p(`</svg>`)
	return bw.Flush()
}

// scaleRange returns powers of ten around every added cost, with room
// below the smallest so that its bar shows; costs at or below zero (noise
// around the bare handler) sit at the low end.
func scaleRange(panels []panel) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, p := range panels {
		for _, b := range p.bars {
			if b.addedNs > 0 {
				lo = math.Min(lo, b.addedNs)
				hi = math.Max(hi, b.addedNs)
			}
		}
	}
	if math.IsInf(lo, 1) {
		return 10, 1e6
	}
	lo = math.Pow(10, math.Floor(math.Log10(lo/3)))
	hi = math.Pow(10, math.Ceil(math.Log10(hi)))
	if hi <= lo {
		hi = lo * 10
	}
	return lo, hi
}

func valueLabel(b bar) string {
	s := "+" + fmtNs(b.addedNs)
	if b.addedNs <= 0 {
		s = "≈ 0 (" + fmtNs(b.addedNs) + ")"
	}
	if !math.IsNaN(b.addedAllocs) {
		s += fmt.Sprintf(", %+.0f allocs", b.addedAllocs)
	}
	return s
}

// fmtNs writes a time in ns, µs or ms.
func fmtNs(ns float64) string {
	a := math.Abs(ns)
	switch {
	case a >= 1e6:
		return trim(ns/1e6) + " ms"
	case a >= 1e3:
		return trim(ns/1e3) + " µs"
	default:
		return trim(ns) + " ns"
	}
}

// trim writes v with three significant figures at most.
func trim(v float64) string {
	a := math.Abs(v)
	switch {
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

func esc(s string) string { return html.EscapeString(s) }
