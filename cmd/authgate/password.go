package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"unicode"
	"unicode/utf8"
)

// Password rules for accounts the command makes.
const (
	minPassword = 8
	maxPassword = 1024 // what authgate.Argon2id hashes
)

// readPassword gets a new password: from standard input with fromStdin
// (all of it, less one trailing line end), else typed twice at the
// terminal without echo. It never comes from a flag, where it would be
// seen in the process list and the shell's history.
func (c *cli) readPassword(ctx context.Context, login string, fromStdin bool) (string, error) {
	var pw []byte
	var err error
	if fromStdin {
		pw, err = io.ReadAll(io.LimitReader(c.stdin, maxPassword+3))
		if err != nil {
			return "", fmt.Errorf("reading the password from standard input: %w", err)
		}
		pw = trimLineEnd(pw)
	} else {
		pw, err = c.promptPassword(ctx, login)
		if err != nil {
			return "", err
		}
	}
	return checkPassword(pw)
}

func (c *cli) promptPassword(ctx context.Context, login string) ([]byte, error) {
	f, ok := c.stdin.(*os.File)
	if !ok || !isTerminal(f) {
		return nil, usageError("standard input is not a terminal: pass --password-stdin and pipe the password in")
	}
	fmt.Fprintf(c.stderr, "New password for %s: ", login)
	first, err := readHidden(ctx, f)
	fmt.Fprintln(c.stderr)
	if err != nil {
		return nil, err
	}
	fmt.Fprint(c.stderr, "Type it again: ")
	again, err := readHidden(ctx, f)
	fmt.Fprintln(c.stderr)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(first, again) {
		return nil, usageError("the two passwords differ")
	}
	return first, nil
}

func checkPassword(pw []byte) (string, error) {
	switch n := utf8.RuneCount(pw); {
	case len(pw) == 0:
		return "", usageError("the password is empty")
	case !utf8.Valid(pw):
		return "", usageError("the password is not valid UTF-8")
	case n < minPassword:
		return "", usageError("the password is shorter than %d characters", minPassword)
	case len(pw) > maxPassword:
		return "", usageError("the password is longer than %d bytes", maxPassword)
	case bytes.ContainsFunc(pw, unicode.IsControl):
		// A login form's password field cannot take a line break or a tab.
		return "", usageError("the password holds a line break or another control character")
	}
	return string(pw), nil
}

// trimLineEnd drops one trailing "\n" or "\r\n".
func trimLineEnd(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte("\n"))
	return bytes.TrimSuffix(b, []byte("\r"))
}

// readHidden reads one line from the terminal f with echo off. The read
// stops early, with echo restored, when ctx ends (Ctrl+C).
func readHidden(ctx context.Context, f *os.File) ([]byte, error) {
	restore, err := echoOff(f)
	if err != nil {
		return nil, fmt.Errorf("turning off the terminal's echo: %w", err)
	}
	type result struct {
		line []byte
		err  error
	}
	done := make(chan result, 1)
	go func() {
		line, err := readLine(f)
		done <- result{line, err}
	}()
	select {
	case r := <-done:
		restore()
		if r.err != nil {
			return nil, fmt.Errorf("reading the password: %w", r.err)
		}
		return r.line, nil
	case <-ctx.Done():
		restore()
		return nil, errors.New("interrupted")
	}
}

// readLine reads up to a line end, a byte at a time so that nothing past
// it is consumed.
func readLine(r io.Reader) ([]byte, error) {
	var line []byte
	var b [1]byte
	for len(line) <= maxPassword+1 {
		n, err := r.Read(b[:])
		if n == 1 {
			if b[0] == '\n' {
				return trimLineEnd(append(line, '\n')), nil
			}
			line = append(line, b[0])
		}
		if errors.Is(err, io.EOF) {
			return line, nil
		}
		if err != nil {
			return nil, err
		}
	}
	return line, nil
}

// newPassword returns a random password of 20 characters (120 bits).
func newPassword() string {
	var b [15]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
