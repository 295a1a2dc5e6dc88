package storekit

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestStopped(t *testing.T) {
	live := context.Background()
	cancelled, cancel := context.WithCancel(live)
	cancel()
	expired, stop := context.WithDeadline(live, time.Unix(0, 0))
	defer stop()
	tests := []struct {
		name string
		ctx  context.Context
		want error
	}{{"live", live, nil}, {"cancelled", cancelled, context.Canceled}, {"expired", expired, context.DeadlineExceeded}}
	for _, tc := range tests {
		err := Stopped(tc.ctx, "somestore")
		if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
			t.Errorf("%s: Stopped = %v, want %v", tc.name, err, tc.want)
		}
		if err != nil && err.Error()[:len("somestore: ")] != "somestore: " {
			t.Errorf("%s: %q does not name the store", tc.name, err)
		}
	}
}

func TestMillis(t *testing.T) {
	tests := []struct {
		in, want time.Time
	}{
		{time.Time{}, time.Time{}},
		{time.Unix(0, 0), time.Unix(0, 0)},
		{time.Unix(1700000000, 123_999_999), time.Unix(1700000000, 123_000_000)},
		{time.Unix(-1, 500_000_000), time.Unix(-1, 500_000_000)},
	}
	for _, tc := range tests {
		if got := FromMS(ToMS(tc.in)); !got.Equal(tc.want) {
			t.Errorf("FromMS(ToMS(%v)) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
