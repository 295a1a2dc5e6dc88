package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"

	"github.com/authgate/authgate/bench"
	"github.com/authgate/authgate/sqlitestore"
)

// sqlite fills an SQLite store with n sessions through the gate, closes it
// (which checkpoints its write-ahead log into the file), measures the file,
// then opens it afresh and times lookups, first from the database and then
// from the store's cache, and gated page loads on a third opening.
func sqlite(ctx context.Context, n, lookups int, dir, profile string) ([]row, error) {
	path := filepath.Join(dir, "scale.db")
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			return nil, err
		}
	}
	st, err := sqlitestore.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	g, err := bench.NewGate("sqlite", st, st, st.Close)
	if err != nil {
		_ = st.Close()
		return nil, err
	}
	start := time.Now()
	f, err := fill(ctx, g, n, lookups, 4)
	fillTime := time.Since(start)
	if cerr := g.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	size, err := fileSize(path)
	if err != nil {
		return nil, err
	}

	st, err = sqlitestore.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	stopProfile, err := startProfile(profile)
	if err != nil {
		_ = st.Close()
		return nil, err
	}
	cold, err := lookupTimes(ctx, st, f)
	stopProfile()
	if err != nil {
		_ = st.Close()
		return nil, err
	}
	warm, err := cachedLookupTimes(ctx, st, f)
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}

	st, err = sqlitestore.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	g, err = bench.NewGate("sqlite", st, st, st.Close)
	if err != nil {
		_ = st.Close()
		return nil, err
	}
	first, again, err := gatedPasses(ctx, g.Handler(), f, 0)
	if cerr := g.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	return []row{{
		store: "sqlite", bytes: float64(size) / float64(n), bytesWhat: "file", cold: cold, warm: warm, gatedFirst: first, gatedAgain: again, fill: fillTime,
		extraComment: fmt.Sprintf("the file is %.1f MB after the store closed (its write-ahead log checkpointed); lookups on a store opened afresh, each read from the database", float64(size)/1e6),
	}}, nil
}

// fileSize returns the size of the database with its write-ahead log, if
// one is left.
func fileSize(path string) (int64, error) {
	var total int64
	for _, p := range []string{path, path + "-wal"} {
		fi, err := os.Stat(p)
		if os.IsNotExist(err) && p != path {
			continue
		}
		if err != nil {
			return 0, err
		}
		total += fi.Size()
	}
	return total, nil
}

// startProfile starts a CPU profile into path, if path is not empty, and
// returns the function that ends it.
func startProfile(path string) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}, nil
}
