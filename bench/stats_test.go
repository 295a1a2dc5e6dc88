package bench

import (
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(100-i) * time.Microsecond // reversed, to check the sort
	}
	tests := []struct {
		name string
		lat  []time.Duration
		p    float64
		want time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one", []time.Duration{7}, 99, 7},
		{"p50 of 1..100", append([]time.Duration(nil), hundred...), 50, 50 * time.Microsecond},
		{"p99 of 1..100", append([]time.Duration(nil), hundred...), 99, 99 * time.Microsecond},
		{"p100 of 1..100", append([]time.Duration(nil), hundred...), 100, 100 * time.Microsecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Percentile(tt.lat, tt.p); got != tt.want {
				t.Errorf("Percentile(%v) = %v, want %v", tt.p, got, tt.want)
			}
		})
	}
}

func TestFormatDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{1500 * time.Nanosecond, "1.5 µs"},
		{42 * time.Microsecond, "42 µs"},
		{2500 * time.Microsecond, "2.50 ms"},
		{-2500 * time.Microsecond, "-2.50 ms"},
		{15 * time.Millisecond, "15.0 ms"},
	}
	for _, tt := range tests {
		if got := FormatDuration(tt.d); got != tt.want {
			t.Errorf("FormatDuration(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}
