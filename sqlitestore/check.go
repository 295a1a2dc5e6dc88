package sqlitestore

import (
	"context"
	"fmt"
	"strings"
)

// Check runs SQLite's integrity check over the whole database and returns
// nil if it finds nothing wrong, or an error wrapping ErrCorrupt that lists
// the first problems found.
func (s *Store) Check(ctx context.Context) error {
	rows, err := s.r.QueryContext(ctx, "PRAGMA integrity_check(20)")
	if err != nil {
		return wrap(ctx, "integrity check", err)
	}
	defer rows.Close()
	var found []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return wrap(ctx, "integrity check", err)
		}
		found = append(found, line)
	}
	if err := rows.Err(); err != nil {
		return wrap(ctx, "integrity check", err)
	}
	if len(found) == 1 && found[0] == "ok" {
		return nil
	}
	return fmt.Errorf("%w: integrity check of %s: %s", ErrCorrupt, s.path, strings.Join(found, "; "))
}
