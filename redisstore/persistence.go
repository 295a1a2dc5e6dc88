package redisstore

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/redis/rueidis"
)

// warnWithoutPersistence logs a warning for each Redis node that keeps
// nothing across a restart: neither RDB snapshots (CONFIG GET save is empty)
// nor the append-only file. Users and API keys live in the same Redis as
// sessions, so such a restart loses them all.
//
// Managed Redis services often refuse CONFIG; a node that refuses it is not
// judged (INFO does not tell whether snapshots are configured), and the
// check never keeps the store from opening.
func (s *Store) warnWithoutPersistence(ctx context.Context, log *slog.Logger, timeout time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for addr, node := range s.client.Nodes() {
		persists, err := persistsData(ctx, node)
		switch {
		case err != nil:
			log.LogAttrs(ctx, slog.LevelDebug, "redisstore: cannot tell whether this Redis keeps its data across a restart",
				slog.String("redis", addr), slog.String("error", err.Error()))
		case !persists:
			log.LogAttrs(ctx, slog.LevelWarn,
				"redisstore: this Redis keeps no data across a restart (neither RDB snapshots nor AOF are on): "+
					"a restart loses every session, user and API key",
				slog.String("redis", addr))
		}
	}
}

// persistsData asks a node whether it writes RDB snapshots or an AOF.
func persistsData(ctx context.Context, node rueidis.Client) (bool, error) {
	m, err := node.Do(ctx, node.B().ConfigGet().Parameter("save", "appendonly").Build()).AsStrMap()
	if err != nil {
		return false, err
	}
	save, okSave := m["save"]
	aof, okAOF := m["appendonly"]
	if !okSave || !okAOF {
		return true, nil // a server that does not say is not judged
	}
	return strings.TrimSpace(save) != "" || strings.EqualFold(aof, "yes"), nil
}
