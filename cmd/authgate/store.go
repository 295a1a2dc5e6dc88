package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/redisstore"
	"github.com/authgate/authgate/sqlitestore"
)

// defaultDB is the SQLite file every command uses unless --db says another.
const defaultDB = "authgate.db"

// storeFlags name the store a command works on.
type storeFlags struct {
	db           string // SQLite file
	url          string // Redis URL; wins over db when set
	passwordFile string // holds the Redis password
}

func (sf *storeFlags) register(fs *flagSet) {
	fs.StringVar(&sf.db, "db", defaultDB, "the SQLite `file` that keeps users, API keys and sessions")
	fs.StringVar(&sf.url, "store", "", "a Redis `URL` (redis://host:6379/0 or rediss://...) to use instead of --db;\n"+
		"its password is better given in $"+envRedisPassword+" or --redis-password-file")
	fs.StringVar(&sf.passwordFile, "redis-password-file", "", "a `file` that holds the Redis password (one line)")
}

// check validates the flags without touching the store.
func (sf *storeFlags) check() error {
	if sf.url != "" {
		lower := strings.ToLower(sf.url)
		if !strings.HasPrefix(lower, "redis://") && !strings.HasPrefix(lower, "rediss://") {
			// The URL is not repeated: it may hold a password.
			return usageError("--store takes a redis:// or rediss:// URL")
		}
		return nil
	}
	if sf.passwordFile != "" {
		return usageError("--redis-password-file needs --store")
	}
	if sf.db == "" {
		return usageError("--db is empty")
	}
	return nil
}

// store is a store the command opened and must close.
type store interface {
	authgate.Store
	Close() error
}

// openStore opens the store the flags name. create says whether a missing
// SQLite file may be made; commands that only read or change records refuse
// a missing file, so that a mistyped --db does not look like an empty one.
func (c *cli) openStore(ctx context.Context, sf storeFlags, create bool) (store, error) {
	if err := sf.check(); err != nil {
		return nil, err
	}
	if sf.url != "" {
		opts, err := redisOptions(sf)
		if err != nil {
			return nil, err
		}
		s, err := redisstore.New(ctx, opts)
		if err != nil {
			return nil, fmt.Errorf("opening the Redis store: %w", err)
		}
		return s, nil
	}
	if err := prepareDB(sf.db, create); err != nil {
		return nil, err
	}
	s, err := sqlitestore.Open(ctx, sf.db)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// prepareDB refuses a missing database file unless create is set, and
// makes a new one readable by its owner only: it holds password hashes.
func prepareDB(path string, create bool) error {
	_, err := os.Stat(path)
	switch {
	case err == nil:
		return nil
	case !errors.Is(err, fs.ErrNotExist):
		return withCode(exitDatabase, "the database %s cannot be read: %w", path, pathCause(err))
	case !create:
		return withCode(exitDatabase, "there is no database at %s; 'authgate users add' or 'authgate demo' makes one", path)
	}
	if fi, err := os.Stat(filepath.Dir(path)); err != nil || !fi.IsDir() {
		return nil // let the store say what is wrong with the directory
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil // made meanwhile by another process
		}
		return withCode(exitDatabase, "the database %s cannot be created: %w", path, pathCause(err))
	}
	return f.Close()
}

// pathCause strips the operation and path that a *fs.PathError repeats.
func pathCause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
