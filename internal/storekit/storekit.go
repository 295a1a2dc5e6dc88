// Package storekit holds what every store in this module does the same way:
// how a call with a done context fails, and how a time becomes unix
// milliseconds and back.
package storekit

import (
	"context"
	"fmt"
	"time"
)

// Stopped returns nil while ctx is live, and once it is done an error that
// names the store and wraps ctx's error, so that errors.Is(err,
// context.Canceled) holds. Every store method calls it first and returns
// its error before changing anything.
func Stopped(ctx context.Context, store string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", store, err)
	}
	return nil
}

// zeroMS is the zero time.Time in unix milliseconds, so that a zero time
// comes back zero.
const zeroMS = -62135596800000

// ToMS returns t in unix milliseconds, truncating anything finer.
func ToMS(t time.Time) int64 { return t.UnixMilli() }

// FromMS is the inverse of ToMS; the zero time's milliseconds give the zero
// time.
func FromMS(ms int64) time.Time {
	if ms == zeroMS {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}
