package redisstore

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// defaultPort is the port of a URL that names none.
const defaultPort = "6379"

// Open connects to the Redis that a URL names and returns a Store:
//
//	redis://[[user]:password@]host[:port][/db][?option=value&...]
//	rediss://...   the same over TLS
//
// The port defaults to 6379 and the database to 0. Options:
//
//	addr=host:port  another node of a Redis Cluster; may repeat
//	prefix=ag:      the key prefix (Options.Prefix)
//	cache=off       no client-side caching (Options.NoCache)
//	cache_ttl=5s    Options.CacheTTL
//	cache_size=64MiB Options.CacheSize, in bytes or with KiB, MiB or GiB
//	timeout=2s      Options.Timeout
//
// Errors never repeat the URL, which may hold a password.
func Open(ctx context.Context, rawURL string) (*Store, error) {
	opts, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	return New(ctx, opts)
}

// ParseURL turns a URL in the form that Open takes into Options.
func ParseURL(rawURL string) (Options, error) {
	var opts Options
	u, err := url.Parse(rawURL)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // url.Error repeats the URL, password and all
		}
		return opts, fmt.Errorf("redisstore: bad store URL: %w", err)
	}
	switch u.Scheme {
	case "redis":
	case "rediss":
		// No ServerName: each connection checks the certificate against
		// the host it dials, which is right for every node of a cluster.
		opts.TLS = &tls.Config{MinVersion: tls.VersionTLS12}
	default:
		return opts, fmt.Errorf("redisstore: store URL scheme %q is not redis or rediss", u.Scheme)
	}
	if u.Opaque != "" || u.Host == "" {
		return opts, errors.New("redisstore: store URL has no host; write redis://host:port/db")
	}
	opts.Addrs = []string{withPort(u.Host)}
	if u.User != nil {
		opts.Username = u.User.Username()
		opts.Password, _ = u.User.Password()
	}
	if db := strings.TrimPrefix(u.Path, "/"); db != "" {
		n, err := strconv.Atoi(db)
		if err != nil || n < 0 {
			return opts, errors.New("redisstore: the store URL's path must be a database number such as /0")
		}
		opts.DB = n
	}
	if u.Fragment != "" {
		return opts, errors.New("redisstore: the store URL may not have a #fragment")
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return opts, fmt.Errorf("redisstore: bad store URL query: %w", err)
	}
	for name, values := range q {
		if err := setOption(&opts, name, values); err != nil {
			return opts, err
		}
	}
	return opts, nil
}

// setOption applies one query parameter of a store URL to opts.
func setOption(opts *Options, name string, values []string) error {
	if name == "addr" {
		for _, v := range values {
			if v == "" {
				return errors.New("redisstore: store URL option addr is empty")
			}
			opts.Addrs = append(opts.Addrs, withPort(v))
		}
		return nil
	}
	if len(values) != 1 {
		return fmt.Errorf("redisstore: store URL option %q given %d times", name, len(values))
	}
	v := values[0]
	var err error
	switch name {
	case "prefix":
		opts.Prefix = v
	case "cache":
		switch v {
		case "on":
			opts.NoCache = false
		case "off":
			opts.NoCache = true
		default:
			return fmt.Errorf("redisstore: store URL option cache=%q is not on or off", v)
		}
	case "cache_ttl":
		opts.CacheTTL, err = positiveDuration(name, v)
	case "cache_size":
		opts.CacheSize, err = byteSize(name, v)
	case "timeout":
		opts.Timeout, err = positiveDuration(name, v)
	default:
		return fmt.Errorf("redisstore: unknown store URL option %q", name)
	}
	return err
}

func positiveDuration(name, v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("redisstore: store URL option %s=%q is not a positive duration such as 2s", name, v)
	}
	return d, nil
}

// byteSize parses a positive number of bytes, optionally followed by KiB,
// MiB or GiB.
func byteSize(name, v string) (int, error) {
	num, unit := v, 1
	for _, u := range []struct {
		suffix string
		bytes  int
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}} {
		if n, ok := strings.CutSuffix(v, u.suffix); ok {
			num, unit = n, u.bytes
			break
		}
	}
	n, err := strconv.Atoi(num)
	if err != nil || n <= 0 || n > math.MaxInt32/unit*1024 {
		return 0, fmt.Errorf("redisstore: store URL option %s=%q is not a size such as 64MiB", name, v)
	}
	return n * unit, nil
}

// withPort adds the default port to a host that has none.
func withPort(hostport string) string {
	if _, _, err := net.SplitHostPort(hostport); err == nil {
		return hostport
	}
	return net.JoinHostPort(strings.Trim(hostport, "[]"), defaultPort)
}
