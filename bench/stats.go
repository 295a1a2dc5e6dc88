package bench

import (
	"fmt"
	"slices"
	"time"
)

// Percentile returns the p-th percentile of lat by nearest rank, sorting
// lat in place. It returns 0 for no samples.
func Percentile(lat []time.Duration, p float64) time.Duration {
	if len(lat) == 0 {
		return 0
	}
	slices.Sort(lat)
	i := int(float64(len(lat))*p/100+0.999999) - 1
	return lat[min(max(i, 0), len(lat)-1)]
}

// FormatDuration writes d in microseconds, or in milliseconds from 1 ms.
func FormatDuration(d time.Duration) string {
	switch a := max(d, -d); {
	case a >= 10*time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/1e6)
	case a >= time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/1e6)
	case a >= 10*time.Microsecond:
		return fmt.Sprintf("%.0f µs", float64(d)/1e3)
	default:
		return fmt.Sprintf("%.1f µs", float64(d)/1e3)
	}
}
