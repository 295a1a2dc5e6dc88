package redisstore

import (
	"context"
	"testing"

	"github.com/authgate/authgate/internal/redistest"
)

// TestCluster runs the conformance suite and the two-instance test against
// a three-node Redis Cluster, and checks that the store spreads its records
// over the nodes while keeping a user's indexes together.
func TestCluster(t *testing.T) {
	cluster := redistest.StartCluster(t, 3)
	// One seed node is enough: the client finds the others.
	seed := cluster.Addrs[:1]

	t.Run("topology", func(t *testing.T) {
		s := openStore(t, Options{Addrs: seed})
		if got := len(s.client.Nodes()); got != len(cluster.Addrs) {
			t.Errorf("the client knows %d nodes, want %d", got, len(cluster.Addrs))
		}
		if err := s.Ping(context.Background()); err != nil {
			t.Errorf("Ping: %v", err)
		}
		k := s.keys
		sessions, keys := k.userSessions("alice"), k.userKeys("alice")
		slot := func(key string) string {
			v, err := cluster.Nodes[0].Do("CLUSTER", "KEYSLOT", key)
			if err != nil {
				t.Fatalf("CLUSTER KEYSLOT: %v", err)
			}
			return v
		}
		if a, b := slot(sessions), slot(keys); a != b {
			t.Errorf("a user's indexes are in slots %s and %s, want one", a, b)
		}
		links, _ := k.userIdentities("alice")
		if a, b := slot(k.user("alice")), slot(links); a != b {
			t.Errorf("a user's record and links are in slots %s and %s, want one", a, b)
		}
		if a, b := slot(sessions), slot(k.userSessions("bob")); a == b {
			t.Errorf("two users' indexes share slot %s; the hash tag should tell them apart", a)
		}
	})
	t.Run("conformance", func(t *testing.T) { conformance(t, seed, false) })
	t.Run("two instances", func(t *testing.T) { twoInstances(t, seed) })
}
