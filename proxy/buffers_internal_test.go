package proxy

import "testing"

// TestBufferPool: the pool lends buffers of the copy size, takes back its
// own and refuses smaller ones, and lending a buffer back costs no
// allocation.
func TestBufferPool(t *testing.T) {
	p := newBufferPool()
	b := p.Get()
	if len(b) != copyBufferSize {
		t.Fatalf("Get returned %d bytes, want %d", len(b), copyBufferSize)
	}
	p.Put(b[:10])          // a re-sliced buffer of the pool's is taken back whole
	p.Put(make([]byte, 5)) // too small: dropped
	for range 3 {
		if got := len(p.Get()); got != copyBufferSize {
			t.Fatalf("Get after Put returned %d bytes, want %d", got, copyBufferSize)
		}
	}
	warm := p.Get()
	if n := testing.AllocsPerRun(100, func() { p.Put(warm); warm = p.Get() }); n != 0 {
		t.Errorf("Put and Get allocate %v times, want 0", n)
	}
}
