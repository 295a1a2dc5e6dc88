package redisstore

import (
	"crypto/tls"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		url  string
		want Options
		tls  bool
	}{
		{url: "redis://localhost", want: Options{Addrs: []string{"localhost:6379"}}},
		{url: "redis://127.0.0.1:7000/3", want: Options{Addrs: []string{"127.0.0.1:7000"}, DB: 3}},
		{url: "redis://:s3cret@cache:6380/0", want: Options{Addrs: []string{"cache:6380"}, Password: "s3cret"}},
		{url: "redis://app:s3cret@cache", want: Options{Addrs: []string{"cache:6379"}, Username: "app", Password: "s3cret"}},
		{url: "rediss://:pw@redis.example.com:6380/1", tls: true,
			want: Options{Addrs: []string{"redis.example.com:6380"}, Password: "pw", DB: 1}},
		{url: "redis://[::1]:7000", want: Options{Addrs: []string{"[::1]:7000"}}},
		{url: "redis://[::1]", want: Options{Addrs: []string{"[::1]:6379"}}},
		{url: "redis://n1:7000?addr=n2:7001&addr=n3", want: Options{Addrs: []string{"n1:7000", "n2:7001", "n3:6379"}}},
		{url: "redis://h/2?prefix=app1:&cache=off&cache_ttl=2s&timeout=500ms",
			want: Options{Addrs: []string{"h:6379"}, DB: 2, Prefix: "app1:", NoCache: true, CacheTTL: 2 * time.Second, Timeout: 500 * time.Millisecond}},
		{url: "redis://h?cache=on", want: Options{Addrs: []string{"h:6379"}}},
		{url: "redis://h?cache_size=64MiB", want: Options{Addrs: []string{"h:6379"}, CacheSize: 64 << 20}},
		{url: "redis://h?cache_size=2GiB", want: Options{Addrs: []string{"h:6379"}, CacheSize: 2 << 30}},
		{url: "redis://h?cache_size=65536", want: Options{Addrs: []string{"h:6379"}, CacheSize: 65536}},
		{url: "redis://h?cache_size=512KiB", want: Options{Addrs: []string{"h:6379"}, CacheSize: 512 << 10}},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			got, err := ParseURL(tt.url)
			if err != nil {
				t.Fatalf("ParseURL: %v", err)
			}
			if (got.TLS != nil) != tt.tls {
				t.Errorf("TLS = %v, want TLS %v", got.TLS != nil, tt.tls)
			}
			if tt.tls && got.TLS.MinVersion < tls.VersionTLS12 {
				t.Errorf("TLS MinVersion = %x, want TLS 1.2 or later", got.TLS.MinVersion)
			}
			got.TLS = nil
			if !slices.Equal(got.Addrs, tt.want.Addrs) {
				t.Errorf("Addrs = %q, want %q", got.Addrs, tt.want.Addrs)
			}
			got.Addrs, tt.want.Addrs = nil, nil
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseURL = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestParseURLErrors checks that bad URLs are refused with a message that
// never repeats the password.
func TestParseURLErrors(t *testing.T) {
	const secret = "hunter2"
	tests := []string{
		"http://:" + secret + "@h",
		"redis://:" + secret + "@h:notaport",
		"redis://:" + secret + "@h/x",
		"redis://:" + secret + "@h/1/2",
		"redis://:" + secret + "@h?cache=maybe",
		"redis://:" + secret + "@h?timeout=-1s",
		"redis://:" + secret + "@h?cache_ttl=soon",
		"redis://:" + secret + "@h?colour=blue",
		"redis://:" + secret + "@h?cache_size=0",
		"redis://:" + secret + "@h?cache_size=lots",
		"redis://:" + secret + "@h?cache_size=64MB",
		"redis://:" + secret + "@h?cache_size=99999999GiB",
		"redis://:" + secret + "@h?prefix=a&prefix=b",
		"redis://:" + secret + "@h#frag",
		"redis:///0",
		"redis:" + secret,
		"://" + secret,
		"redis://:" + secret + "@h%zz",
	}
	for _, raw := range tests {
		t.Run(strings.ReplaceAll(raw, secret, "*"), func(t *testing.T) {
			_, err := ParseURL(raw)
			if err == nil {
				t.Fatal("ParseURL succeeded")
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error %q repeats the password", err)
			}
		})
	}
}
