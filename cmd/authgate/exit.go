package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/sqlitestore"
)

// Exit codes. exitCodes says what each means; it is the one list of them:
// the help text is made from it, and tests check the package doc and the
// README against it.
const (
	exitOK        = 0
	exitFailure   = 1
	exitUsage     = 2
	exitDatabase  = 3
	exitDuplicate = 4
	exitNotFound  = 5
)

// exitCodes lists every exit code with its meaning, in order.
var exitCodes = []struct {
	code    int
	meaning string
}{
	{exitOK, "success"},
	{exitFailure, "failure at run time (the server failed, the port is in use, Redis is unreachable)"},
	{exitUsage, "bad usage: unknown command, bad flag, argument or input"},
	{exitDatabase, "the database cannot be opened, created or used (locked, read-only, full, corrupt, not a database, newer schema)"},
	{exitDuplicate, "duplicate: a user with that login already exists"},
	{exitNotFound, "not found: no such user, API key or session"},
}

// exitCodesHelp is the list of exit codes that the help texts end with.
func exitCodesHelp() string {
	var b strings.Builder
	b.WriteString("Exit codes:\n")
	for _, e := range exitCodes {
		fmt.Fprintf(&b, "  %d  %s\n", e.code, e.meaning)
	}
	return b.String()
}

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
