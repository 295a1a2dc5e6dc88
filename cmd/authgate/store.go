package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/pgstore"
	"github.com/authgate/authgate/redisstore"
	"github.com/authgate/authgate/sqlitestore"
)

// defaultDB is the SQLite file every command uses unless --db says another.
const defaultDB = "authgate.db"

// storeFlags name the store a command works on.
type storeFlags struct {
	db           string // SQLite file
	url          string // Redis or PostgreSQL URL; wins over db when set
	passwordFile string // holds the Redis password
}

// newStoreFlags returns a subcommand's flags with those that name its
// store, which its synopsis, the first line of usage, then mentions.
func (c *cli) newStoreFlags(name, usage string) (*flagSet, *storeFlags) {
	synopsis, rest, _ := strings.Cut(usage, "\n")
	fs := c.newFlags(name, synopsis+" [--db FILE | --store URL]\n"+rest)
	sf := new(storeFlags)
	sf.register(fs)
	return fs, sf
}

func (sf *storeFlags) register(fs *flagSet) {
	fs.StringVar(&sf.db, "db", defaultDB, "the SQLite `file` that keeps users, API keys and sessions")
	fs.StringVar(&sf.url, "store", "", "a Redis `URL` (redis://host:6379/0 or rediss://...) or a PostgreSQL one\n"+
		"(postgres://user@host/db) to use instead of --db; a Redis password is better given in\n"+
		"$"+envRedisPassword+" or --redis-password-file, a PostgreSQL one in $PGPASSWORD or ~/.pgpass ($PGPASSFILE)")
	fs.StringVar(&sf.passwordFile, "redis-password-file", "", "a `file` that holds the Redis password (one line)")
}

// check validates the flags without touching the store.
func (sf *storeFlags) check() error {
	if sf.url != "" {
		if sf.postgres() {
			if sf.passwordFile != "" {
				return usageError("--redis-password-file is for Redis; PostgreSQL reads $PGPASSWORD or the file $PGPASSFILE names")
			}
			return nil
		}
		lower := strings.ToLower(sf.url)
		if !strings.HasPrefix(lower, "redis://") && !strings.HasPrefix(lower, "rediss://") {
			// The URL is not repeated: it may hold a password.
			return usageError("--store takes a redis:// or rediss:// URL, or a postgres:// or postgresql:// one")
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

// postgres reports whether --store names a PostgreSQL database.
func (sf *storeFlags) postgres() bool {
	lower := strings.ToLower(sf.url)
	return strings.HasPrefix(lower, "postgres://") || strings.HasPrefix(lower, "postgresql://")
}

// store is a store the command opened and must close.
type store interface {
	authgate.Store
	authgate.IdentityStore // links for --oidc sign-ins
	Close() error
}

// openStore opens the store the flags name, on the command's clock. create says whether a missing
// SQLite file may be made; commands that only read or change records refuse
// a missing file, so that a mistyped --db does not look like an empty one.
func (c *cli) openStore(ctx context.Context, sf storeFlags, create bool) (store, error) {
	if err := sf.check(); err != nil {
		return nil, err
	}
	if sf.postgres() {
		s, err := pgstore.Open(ctx, sf.url, pgstore.Options{Now: c.now})
		if err != nil {
			return nil, fmt.Errorf("opening the PostgreSQL store: %w", err)
		}
		return s, nil
	}
	if sf.url != "" {
		opts, err := redisOptions(sf)
		if err != nil {
			return nil, err
		}
		opts.Now = c.now
		s, err := redisstore.New(ctx, opts)
		if err != nil {
			return nil, fmt.Errorf("opening the Redis store: %w", err)
		}
		return s, nil
	}
	if err := prepareDB(sf.db, create); err != nil {
		return nil, err
	}
	s, err := sqlitestore.Open(ctx, sf.db, sqlitestore.WithClock(c.now))
	if err != nil {
		return nil, err
	}
	return s, nil
}

// openUser opens the store the flags name, which must exist, and finds the
// user with the given login in it. The caller closes the store.
func (c *cli) openUser(ctx context.Context, sf storeFlags, login string) (store, authgate.User, error) {
	st, err := c.openStore(ctx, sf, false)
	if err != nil {
		return nil, authgate.User{}, err
	}
	u, err := userByLogin(ctx, st, login)
	if err != nil {
		st.Close()
		return nil, u, err
	}
	return st, u, nil
}

// parseUser parses args, which name one LOGIN, opens the store and finds
// the user. The caller closes the store.
func (c *cli) parseUser(ctx context.Context, fs *flagSet, sf *storeFlags, args []string) (store, authgate.User, error) {
	pos, err := c.parse(fs, args, 1, 1)
	if err != nil {
		return nil, authgate.User{}, err
	}
	return c.openUser(ctx, *sf, pos[0])
}

// revoked reports the outcome err of revoking the record that what names,
// "API key agk_...": not found is exit code 5.
func (c *cli) revoked(err error, what string) error {
	switch {
	case errors.Is(err, authgate.ErrNotFound):
		return notFound("no %s", what)
	case err != nil:
		return fmt.Errorf("revoking %s: %w", what, err)
	}
	fmt.Fprintf(c.stdout, "revoked %s\n", what)
	return nil
}

// prepareDB refuses a missing database file unless create is set, so that
// a mistyped --db does not look like an empty database. The store itself
// creates a new file readable by its owner only.
func prepareDB(path string, create bool) error {
	_, err := os.Stat(path)
	switch {
	case err == nil, create && errors.Is(err, fs.ErrNotExist):
		return nil
	case !errors.Is(err, fs.ErrNotExist):
		return withCode(exitDatabase, "the database %s cannot be read: %w", path, pathCause(err))
	}
	return withCode(exitDatabase, "there is no database at %s; 'authgate users add' or 'authgate demo' makes one", path)
}

// pathCause strips the operation and path that a *fs.PathError repeats.
func pathCause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
