package pgstore

import (
	"context"
	"encoding/hex"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"

	"github.com/authgate/authgate"
)

// staleAfter is how many check intervals the LISTEN connection may go
// unheard before the cache stops being used.
const staleAfter = 3

// listen opens the connection that LISTENs for changes. A wait for a
// notification that times out must leave the connection usable, so a done
// context sets a deadline on the socket instead of asking the server to
// cancel a query.
func (s *Store) listen(ctx context.Context) (*pgx.Conn, error) {
	cfg := s.pool.Config().ConnConfig.Copy()
	cfg.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.DeadlineContextWatcherHandler{Conn: c.Conn()}
	}
	ctx, cancel := s.call(ctx)
	defer cancel()
	c, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, wrap(ctx, "listen for changes", err)
	}
	if _, err := c.Exec(ctx, "LISTEN "+channel); err != nil {
		c.Close(context.WithoutCancel(ctx))
		return nil, wrap(ctx, "listen for changes", err)
	}
	// Changes made before LISTEN took effect reached no one: start empty.
	s.sessions.Clear()
	s.keys.Clear()
	s.heard.Store(int64(time.Since(s.epoch)))
	return c, nil
}

// watch runs until ctx is done: it applies the notifications that arrive
// on c, checks c when none does, and when c is lost empties the cache and
// connects again. It also purges long-expired sessions.
func (s *Store) watch(ctx context.Context, c *pgx.Conn) {
	defer close(s.done)
	nextPurge := time.Now().Add(purgeFirst)
	for {
		s.follow(ctx, c, &nextPurge)
		c.Close(context.WithoutCancel(ctx))
		s.forget()
		if ctx.Err() != nil {
			return
		}
		s.opts.Logger.Warn("pgstore: lost the connection that listens for other instances' changes; reading past the cache until it is back")
		for wait := 50 * time.Millisecond; ; wait = min(2*wait, time.Second) {
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			var err error
			if c, err = s.listen(ctx); err == nil {
				s.opts.Logger.Info("pgstore: listening for other instances' changes again")
				break
			}
		}
	}
}

// follow applies c's notifications until c fails or ctx is done.
// It purges long-expired sessions when nextPurge has passed.
func (s *Store) follow(ctx context.Context, c *pgx.Conn, nextPurge *time.Time) {
	for ctx.Err() == nil {
		wctx, cancel := context.WithTimeout(ctx, s.opts.CheckEvery)
		n, err := c.WaitForNotification(wctx)
		cancel()
		switch {
		case err == nil:
			s.heard.Store(int64(time.Since(s.epoch)))
			s.invalidate(n.Payload)
			continue
		case ctx.Err() != nil || c.IsClosed():
			return
		}
		// No notification within CheckEvery: make sure c is alive.
		start := time.Since(s.epoch)
		pctx, cancel := s.call(ctx)
		err = c.Ping(pctx)
		cancel()
		if err != nil {
			return
		}
		s.heard.Store(int64(start))
		if now := time.Now(); now.After(*nextPurge) {
			*nextPurge = now.Add(purgeEvery)
			s.purgeLogged(ctx)
		}
	}
}

// forget empties the cache and stops using it until listen succeeds.
func (s *Store) forget() {
	s.heard.Store(0)
	s.sessions.Clear()
	s.keys.Clear()
}

// fresh reports whether the cache may be used: whether the LISTEN
// connection was heard from lately.
func (s *Store) fresh() bool {
	h := s.heard.Load()
	return h != 0 && time.Since(s.epoch)-time.Duration(h) <= staleAfter*s.opts.CheckEvery
}

// invalidate drops the cached record a notification names.
func (s *Store) invalidate(payload string) {
	if payload == "" {
		return
	}
	kind, rest := payload[0], payload[1:]
	switch {
	case kind == 'k' && rest == "*":
		s.keys.Clear()
	case kind == 'k':
		id, err := hex.DecodeString(rest)
		if err != nil {
			s.keys.Clear()
			return
		}
		s.keys.Delete(string(id))
	case kind == 's':
		id, err := authgate.ParseHash(rest)
		if err != nil {
			s.sessions.Clear()
			return
		}
		s.sessions.Delete(id)
	}
}
