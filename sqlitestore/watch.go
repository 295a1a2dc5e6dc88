package sqlitestore

import (
	"context"
	"log/slog"
	"time"
)

// watch runs until ctx is cancelled: it checks for other processes' writes
// every cfg.checkEvery and purges long-expired sessions every
// cfg.purgeEvery.
func (s *Store) watch(ctx context.Context) {
	defer close(s.done)
	tick := time.NewTicker(s.cfg.checkEvery)
	defer tick.Stop()
	nextPurge := time.Now().Add(s.cfg.purgeFirst)
	failing := false
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			err := s.check(ctx)
			if err != nil && ctx.Err() == nil && !failing {
				slog.Warn("sqlitestore: cannot check the database for other processes' writes; reading without the cache", "path", s.path, "err", err)
			}
			failing = err != nil
			if now.After(nextPurge) {
				nextPurge = now.Add(s.cfg.purgeEvery)
				if n, err := s.purge(ctx, s.cfg.now()); err != nil && ctx.Err() == nil {
					slog.Warn("sqlitestore: purging expired sessions", "path", s.path, "err", err)
				} else if n > 0 {
					slog.Debug("sqlitestore: purged expired sessions", "path", s.path, "count", n)
				}
			}
		}
	}
}

// dataVersion returns the writer connection's PRAGMA data_version, which
// changes when any other connection, in this process or another, commits a
// write. The store's own writes use that connection, so they leave it be.
func (s *Store) dataVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := s.w.QueryRowContext(ctx, "PRAGMA data_version").Scan(&v); err != nil {
		return 0, wrap(ctx, "read data_version", err)
	}
	return v, nil
}

// check drops the caches if another connection wrote since the last check,
// and records that the caches were current as of the start of the check.
func (s *Store) check(ctx context.Context) error {
	s.checkMu.Lock()
	defer s.checkMu.Unlock()
	start := time.Since(s.epoch)
	v, err := s.dataVersion(ctx)
	if err != nil {
		return err
	}
	if v != s.version {
		s.sessions.Clear()
		s.keys.Clear()
		s.version = v
	}
	s.verified.Store(int64(start))
	return nil
}

// fresh reports whether the caches may be used: whether a check that
// started at most cfg.staleAfter ago found them current.
func (s *Store) fresh() bool {
	return time.Since(s.epoch)-time.Duration(s.verified.Load()) <= s.cfg.staleAfter
}

// purge deletes sessions more than cfg.purgeGrace past their absolute
// deadline, a batch at a time so that no write waits long behind it, and
// returns how many it deleted.
func (s *Store) purge(ctx context.Context, now time.Time) (int, error) {
	const batch = 1000
	cut := toMS(now.Add(-s.cfg.purgeGrace))
	total := 0
	for {
		res, err := s.w.ExecContext(ctx, `DELETE FROM sessions WHERE id IN
			(SELECT id FROM sessions WHERE expires_at < ? LIMIT ?)`, cut, batch)
		if err != nil {
			return total, wrap(ctx, "purge expired sessions", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, wrap(ctx, "purge expired sessions", err)
		}
		total += int(n)
		if n > 0 {
			s.sessions.Clear()
		}
		if n < batch {
			return total, nil
		}
	}
}
