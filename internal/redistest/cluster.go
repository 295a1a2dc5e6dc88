package redistest

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// clusterTimeout bounds how long the nodes may take to agree that the
// cluster is up.
const clusterTimeout = 20 * time.Second

// Cluster is a Redis Cluster of masters without replicas, run by a test.
type Cluster struct {
	// Addrs holds the nodes' addresses, host:port.
	Addrs []string
	// Nodes holds the nodes' processes.
	Nodes []*Server
}

// StartCluster runs n redis-server nodes in cluster mode (n is at least 3),
// joins them with redis-cli --cluster create so that the 16384 slots are
// spread over them, and waits until every node reports cluster_state:ok.
// The processes are killed when the test ends.
func StartCluster(t testing.TB, n int) *Cluster {
	t.Helper()
	if n < 3 {
		t.Fatalf("redistest: a Redis Cluster needs at least 3 masters, not %d", n)
	}
	bin, cli := lookTools(t, true)
	c := &Cluster{}
	for i := range n {
		dir := t.TempDir()
		bus, err := FreePort()
		if err != nil {
			t.Fatalf("finding a free port: %v", err)
		}
		node := start(t, bin, []string{
			"--cluster-enabled", "yes",
			"--cluster-config-file", filepath.Join(dir, "nodes-"+strconv.Itoa(i)+".conf"),
			"--cluster-port", strconv.Itoa(bus),
			"--cluster-node-timeout", "5000",
		})
		c.Nodes = append(c.Nodes, node)
		c.Addrs = append(c.Addrs, node.Addr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), clusterTimeout)
	defer cancel()
	args := append([]string{"--cluster", "create"}, c.Addrs...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	if out, err := exec.CommandContext(ctx, cli, args...).CombinedOutput(); err != nil {
		t.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}
	if err := c.waitOK(ctx); err != nil {
		t.Fatal(err)
	}
	return c
}

// waitOK polls CLUSTER INFO on every node until all say cluster_state:ok.
func (c *Cluster) waitOK(ctx context.Context) error {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for _, node := range c.Nodes {
		for {
			info, err := node.Do("CLUSTER", "INFO")
			if err == nil && strings.Contains(info, "cluster_state:ok") {
				break
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("redistest: node %s did not reach cluster_state:ok (last: %q, %v)", node.Addr, info, err)
			case <-tick.C:
			}
		}
	}
	return nil
}
