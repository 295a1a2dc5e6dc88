package redisstore

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/rueidis"

	"github.com/authgate/authgate"
)

// kind names a kind of record in errors: "session", "a session".
type kind struct{ noun, a string }

var (
	sessionKind = kind{"session", "a session"}
	keyKind     = kind{"API key", "an API key"}
)

func (k kind) notFound() error { return fmt.Errorf("redisstore: %s: %w", k.noun, authgate.ErrNotFound) }

// create indexes a new record with the script or command that index runs,
// then writes it under key unless key exists. expires, if not zero, is when
// Redis deletes the record.
func (s *Store) create(ctx context.Context, k kind, index rueidis.RedisResult, key string, expires time.Time, fields []string) error {
	if err := index.Error(); err != nil {
		return wrap("indexing "+k.a, err)
	}
	expireAt := ""
	if !expires.IsZero() {
		expireAt = strconv.FormatInt(unixMillisCeil(expires), 10)
	}
	n, err := s.scripts.create.Exec(ctx, s.client, []string{key}, append([]string{expireAt}, fields...)).AsInt64()
	s.wrote(key)
	if err != nil {
		return wrap("creating "+k.a, err)
	}
	if n == 0 {
		return fmt.Errorf("redisstore: %s: %w", k.noun, authgate.ErrDuplicate)
	}
	return nil
}

// advance moves a record's last-seen time forward to t.
func (s *Store) advance(ctx context.Context, k kind, key string, t time.Time) error {
	if err := stopped(ctx); err != nil {
		return err
	}
	n, err := s.scripts.advance.Exec(ctx, s.client, []string{key}, []string{fSeen, fmtTime(t)}).AsInt64()
	s.wrote(key)
	if err != nil {
		return wrap("touching "+k.a, err)
	}
	if n == 0 {
		return k.notFound()
	}
	return nil
}

// revoke marks one record revoked. Every instance's cached copy is
// invalidated by Redis.
func (s *Store) revoke(ctx context.Context, k kind, key string) error {
	if err := stopped(ctx); err != nil {
		return err
	}
	n, err := s.scripts.revoke.Exec(ctx, s.client, []string{key}, []string{"", ""}).AsInt64()
	s.wrote(key)
	if err != nil {
		return wrap("revoking "+k.a, err)
	}
	if n < 0 {
		return k.notFound()
	}
	return nil
}

// revokeAll marks the records under keys revoked, one command per record
// (they live in different cluster slots), if they belong to userID, and
// returns how many were live: not revoked yet and, when now is not "",
// not expired by then.
func (s *Store) revokeAll(ctx context.Context, k kind, keys []string, userID, now string) (int, error) {
	execs := make([]rueidis.LuaExec, len(keys))
	for i, key := range keys {
		execs[i] = rueidis.LuaExec{Keys: []string{key}, Args: []string{userID, now}}
	}
	results := s.scripts.revoke.ExecMulti(ctx, s.client, execs...)
	s.wrote(keys...)
	revoked := 0
	for _, r := range results {
		n, err := r.AsInt64()
		if err != nil {
			return revoked, wrap("revoking a user's "+k.noun+"s", err)
		}
		if n == 1 {
			revoked++
		}
	}
	return revoked, nil
}

// readAll reads the records under keys in one round trip and decodes those
// that exist; decode gets each record's index in keys. Records that decode
// returns with ok false are left out.
func readAll[T any](ctx context.Context, s *Store, k kind, keys, fields []string, decode func(i int, d decoder) (v T, ok bool, err error)) ([]T, error) {
	var out []T
	for i, r := range s.readMany(ctx, keys, fields) {
		d, found, err := newDecoder(r, len(fields))
		if err != nil {
			return nil, wrap("listing a user's "+k.noun+"s", err)
		}
		if !found {
			continue // gone after its deadline or retention, or not written yet
		}
		v, ok, err := decode(i, d)
		if err != nil {
			return nil, wrap("listing a user's "+k.noun+"s", err)
		}
		if ok {
			out = append(out, v)
		}
	}
	return out, nil
}
