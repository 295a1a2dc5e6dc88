package main

import (
	"context"
	"crypto/rand"
	"fmt"
	mrand "math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/bench"
)

// pgFill fills a PostgreSQL store with n sessions, lookups of them signed
// in through g (the ones timed later, whose cookies it keeps) and the rest
// copied into the sessions table with COPY, in the shape of the first
// session g made: signing a million sessions in through the gate, a few
// round trips each, takes the best part of an hour on a busy machine. The
// two kinds are interleaved in ten rounds, so that the timed sessions lie
// all over the table. It returns the time the gate's sign-ins and the
// copies took.
func pgFill(ctx context.Context, g *bench.Gate, url string, n, lookups int) (f *filled, signIns, copies time.Duration, err error) {
	const rounds = 10
	f = &filled{ids: make([]authgate.Hash, 0, n), cookies: make(map[int]string, lookups)}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return nil, 0, 0, err
	}
	defer conn.Close(ctx)
	var proto authgate.Session
	for r := range rounds {
		start := time.Now()
		lo, hi := len(f.ids), len(f.ids)+lookups*(r+1)/rounds-lookups*r/rounds
		made, err := signInRange(ctx, g, lo, hi, 16)
		if err != nil {
			return nil, 0, 0, err
		}
		signIns += time.Since(start)
		for i := lo; i < hi; i++ {
			f.ids = append(f.ids, made[i-lo].ID)
			f.cookies[i] = made[i-lo].cookie
			f.sample = append(f.sample, i)
		}
		if r == 0 {
			proto = made[0].Session
		}

		start = time.Now()
		lo = len(f.ids)
		hi = lo + (n-lookups)*(r+1)/rounds - (n-lookups)*r/rounds
		ids := make([]authgate.Hash, hi-lo)
		for i := range ids {
			_, _ = rand.Read(ids[i][:])
		}
		cols := []string{"id", "user_id", "user_name", "created_at", "last_seen", "idle_timeout_ms", "expires_at", "revoked", "user_agent", "address"}
		_, err = conn.CopyFrom(ctx, pgx.Identifier{"authgate_sessions"}, cols, pgx.CopyFromSlice(len(ids), func(j int) ([]any, error) {
			u := user(lo + j)
			return []any{ids[j][:], []byte(u.ID), []byte(u.Name), proto.CreatedAt.UnixMilli(), proto.LastSeen.UnixMilli(),
				proto.IdleTimeout.Milliseconds(), proto.Expires.UnixMilli(), false, []byte(proto.UserAgent), []byte(proto.Address)}, nil
		}))
		if err != nil {
			return nil, 0, 0, fmt.Errorf("copying sessions in: %w", err)
		}
		copies += time.Since(start)
		f.ids = append(f.ids, ids...)
		fmt.Printf("  %d sessions\n", len(f.ids))
	}
	// The timed sessions in random order.
	mrand.Shuffle(len(f.sample), func(i, j int) { f.sample[i], f.sample[j] = f.sample[j], f.sample[i] })
	return f, signIns, copies, nil
}

// signed is a session signed in through the gate and its Cookie header.
type signed struct {
	authgate.Session
	cookie string
}

// signInRange signs in the sessions of indexes lo to hi (users as fill
// gives them) through g as of idleAge ago, from workers goroutines.
func signInRange(ctx context.Context, g *bench.Gate, lo, hi, workers int) ([]signed, error) {
	out := make([]signed, hi-lo)
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(out) || ctx.Err() != nil {
					return
				}
				cookie, s, err := g.SignInAs(ctx, idleAge, user(lo+i))
				if err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
					next.Store(int64(len(out)))
					return
				}
				out[i] = signed{s, cookie}
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	return out, ctx.Err()
}
