package authgate

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// TestReadmeFloodDefaults: the README's configuration table gives the
// throttle's and the hash limit's defaults as the code fills them.
func TestReadmeFloodDefaults(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	var th ThrottleConfig
	if err := th.fill(); err != nil {
		t.Fatal(err)
	}
	var hl HashLimitConfig
	if err := hl.fill(Argon2id{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		fmt.Sprintf("%d failures per address (IPv6 by /64), %d per login and address, per %d minutes",
			th.Address, th.Account, th.Window/time.Minute),
		fmt.Sprintf("past %d per login, a delay doubling up to a minute", th.Account),
		fmt.Sprintf("no more than fit in %d MiB, or in a quarter of `GOMEMLIMIT`), %d waiting per hash, %d s wait",
			defaultHashBudget>>20, hl.Waiting/hl.Running, hl.MaxWait/time.Second),
	} {
		if !strings.Contains(string(readme), want) {
			t.Errorf("README.md does not say %q", want)
		}
	}
	if th.MaxDelay != time.Minute {
		t.Errorf("MaxDelay defaults to %v; the README says a minute", th.MaxDelay)
	}
}
