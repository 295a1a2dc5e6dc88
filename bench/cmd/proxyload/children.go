package main

import (
	"os/exec"
	"sync"
	"time"
)

// children are the processes a run started. Each is stopped by the
// context it was made with; [stopChildren] waits for them to end, so that
// none outlives the run, even when the run fails half way.
var children struct {
	sync.Mutex
	done []chan struct{}
}

// startChild starts cmd, made with exec.CommandContext, and waits for it
// in the background; then it calls after, if any.
func startChild(cmd *exec.Cmd, after ...func()) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		for _, f := range after {
			f()
		}
		close(done)
	}()
	children.Lock()
	children.done = append(children.done, done)
	children.Unlock()
	return nil
}

// stopChildren waits for every child to end, once their contexts are
// cancelled, for at most 10 seconds in all.
func stopChildren() {
	children.Lock()
	done := children.done
	children.done = nil
	children.Unlock()
	deadline := time.After(10 * time.Second)
	for _, d := range done {
		select {
		case <-d:
		case <-deadline:
			return
		}
	}
}
