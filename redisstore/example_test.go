package redisstore_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/redisstore"
)

// Every instance of the app opens the same Redis; a session made on one is
// valid on all, and a sign-out on one is seen by all within milliseconds.
func ExampleOpen() {
	ctx := context.Background()
	store, err := redisstore.Open(ctx, "redis://:password@redis.internal:6379/0")
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	gate, err := authgate.New(authgate.Config{Store: store})
	if err != nil {
		log.Fatal(err)
	}
	_ = gate // put the gate in front of the app's handlers, as without Redis
}

// A Redis Cluster: name one or more nodes; the store finds the rest.
func ExampleNew() {
	ctx := context.Background()
	store, err := redisstore.New(ctx, redisstore.Options{
		Addrs:    []string{"10.0.0.1:7000", "10.0.0.2:7000"},
		Password: "password",
		Prefix:   "shop:",
		CacheTTL: 2 * time.Second,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
}

func ExampleParseURL() {
	opts, err := redisstore.ParseURL("rediss://:password@redis.example.com:6380/2?cache=off&timeout=500ms")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(opts.Addrs, opts.DB, opts.TLS != nil, opts.NoCache, opts.Timeout)
	// Output: [redis.example.com:6380] 2 true true 500ms
}
