//go:build !(linux || darwin || dragonfly || freebsd || netbsd || openbsd || windows)

package main

import (
	"errors"
	"os"
)

// isTerminal reports false: on this system the command cannot turn off a
// terminal's echo, so passwords come from --password-stdin.
func isTerminal(*os.File) bool { return false }

func echoOff(*os.File) (func(), error) {
	return nil, errors.New("not supported on this system")
}
