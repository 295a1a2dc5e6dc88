package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/sqlitestore"
)

// Exit codes. The usage text and the package doc list them too.
const (
	exitOK        = 0 // success
	exitFailure   = 1 // failure at run time
	exitUsage     = 2 // unknown command, bad flag, argument or input
	exitDatabase  = 3 // database locked, read-only, or cannot be opened or created
	exitDuplicate = 4 // a user with that login already exists
	exitNotFound  = 5 // no such user, API key or session
)

const exitCodesHelp = `Exit codes:
  0  success
  1  failure at run time (the server failed, Redis unreachable, ...)
  2  bad usage: unknown command, bad flag, argument or input
  3  the database is locked, read-only, or cannot be opened or created
  4  duplicate: a user with that login already exists
  5  not found: no such user, API key or session
`

// exitError is an error with the exit code it calls for.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func withCode(code int, format string, args ...any) error {
	return &exitError{code: code, err: fmt.Errorf(format, args...)}
}

func usageError(format string, args ...any) error { return withCode(exitUsage, format, args...) }
func notFound(format string, args ...any) error   { return withCode(exitNotFound, format, args...) }

// databaseErrors are the store errors that mean the database itself cannot
// be used, rather than one record or one request.
var databaseErrors = []error{
	sqlitestore.ErrCannotOpen,
	sqlitestore.ErrNotDatabase,
	sqlitestore.ErrLocked,
	sqlitestore.ErrReadOnly,
	sqlitestore.ErrCorrupt,
	sqlitestore.ErrFull,
	sqlitestore.ErrNewerSchema,
}

// exitCode returns the exit code for err.
func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var e *exitError
	if errors.As(err, &e) {
		return e.code
	}
	for _, d := range databaseErrors {
		if errors.Is(err, d) {
			return exitDatabase
		}
	}
	switch {
	case errors.Is(err, authgate.ErrDuplicate):
		return exitDuplicate
	case errors.Is(err, authgate.ErrNotFound):
		return exitNotFound
	}
	return exitFailure
}

// oneLine formats err for stderr: one line starting "authgate: ".
func oneLine(err error) string {
	msg := strings.Join(strings.Fields(err.Error()), " ")
	msg = strings.TrimPrefix(msg, "authgate: ")
	return "authgate: " + msg + "\n"
}
