package bench

import (
	"context"
	"errors"
	"os/exec"
	"strconv"
	"strings"

	"github.com/authgate/authgate/internal/redistest"
)

// ErrNoRedis means redis-server is not on PATH.
var ErrNoRedis = errors.New("redis-server is not on PATH")

// RedisServer is a redis-server process started for a benchmark, with
// persistence off, listening on a free port of 127.0.0.1.
type RedisServer struct {
	// Addr is host:port.
	Addr string

	proc *redistest.Process
}

// StartRedis starts redis-server with its files in dir and waits until it
// answers PING, for ten seconds at most. It returns ErrNoRedis when
// redis-server is not on PATH.
// Close it when done.
func StartRedis(ctx context.Context, dir string) (*RedisServer, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, ErrNoRedis
	}
	p, err := redistest.Launch(bin, dir)
	if err != nil {
		return nil, err
	}
	return &RedisServer{Addr: p.Addr, proc: p}, nil
}

// Close kills the server and waits for it to end.
func (s *RedisServer) Close() error {
	s.proc.Kill()
	return nil
}

// Do sends one command on a new connection and returns the reply: a simple
// or bulk string, or an integer in decimal.
func (s *RedisServer) Do(ctx context.Context, args ...string) (string, error) {
	return redistest.Command(ctx, s.Addr, args...)
}

// UsedMemory returns used_memory from INFO memory: the bytes Redis has
// allocated for its data.
func (s *RedisServer) UsedMemory(ctx context.Context) (int64, error) {
	info, err := s.Do(ctx, "INFO", "memory")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, "used_memory:"); ok {
			return strconv.ParseInt(v, 10, 64)
		}
	}
	return 0, errors.New("redis: INFO memory has no used_memory")
}
