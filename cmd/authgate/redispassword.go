package main

import (
	"io"
	"os"
	"strings"

	"github.com/authgate/authgate/redisstore"
)

// envRedisPassword names the environment variable that holds the Redis
// password. Every setting the command reads from the environment starts
// with AUTHGATE_.
const envRedisPassword = "AUTHGATE_REDIS_PASSWORD"

// maxPasswordFile bounds what --redis-password-file reads.
const maxPasswordFile = 4096

// redisOptions parses the --store URL and takes the Redis password from the
// one place that gives it: the URL, $AUTHGATE_REDIS_PASSWORD or
// --redis-password-file. Two of them at once are refused rather than one
// chosen silently. No error repeats the URL or the password.
func redisOptions(sf storeFlags) (redisstore.Options, error) {
	opts, err := redisstore.ParseURL(sf.url)
	if err != nil {
		return opts, usageError("--store: %v", err)
	}
	var sources []string
	if opts.Password != "" {
		sources = append(sources, "the --store URL")
	}
	env, inEnv := os.LookupEnv(envRedisPassword)
	if inEnv {
		sources = append(sources, "$"+envRedisPassword)
		opts.Password = env
	}
	if sf.passwordFile != "" {
		sources = append(sources, "--redis-password-file")
		if opts.Password, err = readPasswordFile(sf.passwordFile); err != nil {
			return opts, err
		}
	}
	if len(sources) > 1 {
		return opts, usageError("the Redis password is given by both %s; give it once", strings.Join(sources, " and "))
	}
	if inEnv && env == "" {
		return opts, usageError("$%s is set but empty", envRedisPassword)
	}
	return opts, nil
}

// readPasswordFile reads a password from the first line of the file at
// path, without its line ending.
func readPasswordFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", usageError("--redis-password-file: %v", pathCause(err))
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxPasswordFile+1))
	if err != nil {
		return "", usageError("--redis-password-file: %v", pathCause(err))
	}
	if len(b) > maxPasswordFile {
		return "", usageError("--redis-password-file: the file is longer than %d bytes", maxPasswordFile)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	line = strings.TrimSuffix(line, "\r")
	if line == "" {
		return "", usageError("--redis-password-file: the file's first line is empty")
	}
	return line, nil
}
