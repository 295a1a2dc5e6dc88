// Command chart reads the output of the benchmarks in this module (go test
// -bench, any -count) and writes an SVG bar chart of what each contender
// adds to the bare handler's time per request: the median ns/op of each,
// less the bare handler's median in the same scenario, on a log scale.
//
// Usage:
//
//	go test -run '^$' -bench . -count 5 > bench.txt
//	go run ./cmd/chart -o ../docs/perf.svg bench.txt
//
// With no file it reads standard input.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	out := flag.String("o", "perf.svg", "the SVG file to write")
	flag.Parse()
	if err := run(flag.Args(), *out); err != nil {
		fmt.Fprintln(os.Stderr, "chart:", err)
		os.Exit(1)
	}
}

func run(files []string, out string) error {
	var in io.Reader = os.Stdin
	if len(files) > 0 {
		readers := make([]io.Reader, 0, len(files))
		for _, name := range files {
			f, err := os.Open(name)
			if err != nil {
				return err
			}
			defer f.Close()
			readers = append(readers, f)
		}
		in = io.MultiReader(readers...)
	}
	results, err := parse(in)
	if err != nil {
		return err
	}
	panels := costs(results, scenarios)
	if len(panels) == 0 {
		return fmt.Errorf("no benchmark of %v with a bare row in the input", scenarioNames())
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if err := render(f, panels); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
