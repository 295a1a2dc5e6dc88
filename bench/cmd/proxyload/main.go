// Command proxyload measures page-script calls through three reverse
// proxies in front of one busy upstream, in one run: a bare
// httputil.ReverseProxy with a transport tuned for it, `authgate proxy`
// (signed in with a session), and oauth2-proxy (signed in with its
// htpasswd form, so that no identity provider is needed).
//
// The upstream, the bare proxy and both gates each run in a process of their
// own; this program drives them. Each round, a closed loop of -conns
// connections sends GET /api/item (a fetch from a page, with the headers
// Chromium sends and the session cookie) to each proxy in turn, as fast as
// they are answered, for -duration after -warmup; the order turns every
// round, since the machine may be shared. The table gives each proxy's
// median over the rounds of requests per second and of p50 and p99
// latency, and its requests per second as a share of the bare proxy's in
// the same round.
//
// It is run by hand, never in CI: oauth2-proxy is not a dependency of any
// module here. Install it first, outside every module of this repository:
//
//	GOBIN=$PWD/bin go install github.com/oauth2-proxy/oauth2-proxy/v7@v7.15.6
//	go run ./cmd/proxyload -oauth2-proxy bin/oauth2-proxy [-rounds 5] [-duration 5s] [-conns 32] [-bare-buffers]
//
// authgate proxy and oauth2-proxy are each measured twice: as they start
// by default, writing a line per request to their logs (to /dev/null
// here), and with that log off, as the bare proxy has none (authgate's
// --access-log 0, oauth2-proxy's --request-logging=false).
//
// To compare a change, give -earlier a binary of `authgate` built before
// it: it is measured as one more proxy, in the same rounds.
//
// Without -oauth2-proxy its row is left out, and the program says so.
//
// With -forward it measures nginx instead (Debian's nginx-light), in one
// run: nginx alone in front of the upstream, nginx with auth_request to
// `authgate forward-auth` (the config `authgate forward-auth config nginx`
// prints), and nginx with auth_request to oauth2-proxy's /oauth2/auth:
//
//	go run ./cmd/proxyload -forward -oauth2-proxy bin/oauth2-proxy [-rounds 5] [-duration 5s] [-conns 32]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"
)

func main() {
	var o options
	role := flag.String("role", "", "run as the upstream or the bare proxy (used by the program itself)")
	addrFile := flag.String("addr-file", "", "with -role: write the address listened on to this file")
	upstream := flag.String("upstream", "", "with -role bare: the upstream's URL")
	flag.BoolVar(&o.bareBuffers, "bare-buffers", false, "give the bare proxy a pool of copy buffers, as authgate proxy has")
	flag.StringVar(&o.oauth2Proxy, "oauth2-proxy", "", "the oauth2-proxy binary (v7.15.6); empty: leave its row out")
	flag.StringVar(&o.authgate, "authgate", "", "the authgate binary; empty: build ./cmd/authgate of this repository")
	flag.StringVar(&o.earlier, "earlier", "", "a second authgate binary (one built from an earlier commit, say) to measure as a fourth proxy")
	flag.IntVar(&o.rounds, "rounds", 5, "rounds; each figure is the median over them")
	flag.DurationVar(&o.duration, "duration", 5*time.Second, "length of each measured phase")
	flag.DurationVar(&o.warmup, "warmup", time.Second, "unmeasured load before each phase")
	flag.IntVar(&o.conns, "conns", 32, "connections of the closed loop")
	flag.BoolVar(&o.forward, "forward", false, "measure nginx alone, nginx + authgate forward-auth and nginx + oauth2-proxy's /oauth2/auth instead")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch *role {
	case "upstream":
		err = serveUpstream(ctx, *addrFile)
	case "bare":
		err = serveBare(ctx, *addrFile, *upstream, o.bareBuffers)
	case "":
		fmt.Printf("proxyload: %d rounds of %v, closed loop of %d connections; %d CPUs, %s\n",
			o.rounds, o.duration, o.conns, runtime.NumCPU(), runtime.Version())
		if o.forward {
			err = runForward(ctx, o)
		} else {
			err = run(ctx, o)
		}
	default:
		err = fmt.Errorf("unknown -role %q", *role)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "proxyload:", err)
		os.Exit(1)
	}
}
