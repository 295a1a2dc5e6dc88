package pgstore_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/authgate/authgate/internal/pgtest"
	"github.com/authgate/authgate/pgstore"
	"github.com/authgate/authgate/storetest"
)

// TestOpenAtOnce opens many stores on a new database at the same moment:
// each must succeed, and the schema be made once.
func TestOpenAtOnce(t *testing.T) {
	url := pgtest.Shared(t).Database(t)
	const n = 8
	start := make(chan struct{})
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			s, err := pgstore.Open(context.Background(), url, pgstore.Options{})
			errs[i] = err
			if err == nil {
				s.Close()
			}
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Open %d of %d at once: %v", i, n, err)
		}
	}
	s := open(t, url, pgstore.Options{})
	ctx := context.Background()
	if err := s.CreateSession(ctx, storetest.NewSession(storetest.NewUserID(), time.Now())); err != nil {
		t.Errorf("CreateSession after the concurrent opens: %v", err)
	}
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	var rows int
	if err := c.QueryRow(ctx, "SELECT count(*) FROM authgate_schema").Scan(&rows); err != nil || rows != 1 {
		t.Errorf("authgate_schema holds %d rows, %v; want 1", rows, err)
	}
}

// TestNewerSchema refuses a database whose schema a newer version made.
func TestNewerSchema(t *testing.T) {
	url := pgtest.Shared(t).Database(t)
	open(t, url, pgstore.Options{})
	ctx := context.Background()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, "UPDATE authgate_schema SET version = 999"); err != nil {
		t.Fatal(err)
	}
	_, err = pgstore.Open(ctx, url, pgstore.Options{})
	if !errors.Is(err, pgstore.ErrNewerSchema) {
		t.Errorf("Open of a newer schema: %v, want ErrNewerSchema", err)
	}
}

// TestPassword connects over TCP, where the server asks for a password,
// with the password in PGPASSWORD or in a password file, never in the
// connection string; without either Open fails and does not repeat it.
func TestPassword(t *testing.T) {
	srv := pgtest.Shared(t)
	passfile := filepath.Join(t.TempDir(), "pgpass")
	if err := os.WriteFile(passfile, []byte("127.0.0.1:*:*:"+pgtest.User+":"+pgtest.Password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  map[string]string
		ok   bool
	}{
		{"PGPASSWORD", map[string]string{"PGPASSWORD": pgtest.Password}, true},
		{"PGPASSFILE", map[string]string{"PGPASSFILE": passfile}, true},
		{"wrong PGPASSWORD", map[string]string{"PGPASSWORD": "not-it"}, false},
		{"none", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("PGPASSWORD", "")
			os.Unsetenv("PGPASSWORD")
			t.Setenv("PGPASSFILE", filepath.Join(t.TempDir(), "none"))
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			s, err := pgstore.Open(context.Background(), srv.TCPURL(), pgstore.Options{})
			if err == nil {
				s.Close()
			}
			if (err == nil) != tc.ok {
				t.Fatalf("Open: %v, want success %v", err, tc.ok)
			}
			if err != nil && strings.Contains(err.Error(), pgtest.Password) {
				t.Errorf("the error repeats the password: %v", err)
			}
		})
	}
}
