package proxy

import "sync"

// copyBufferSize is the size of the buffers that carry bodies between the
// client and the upstream, as large as httputil.ReverseProxy's own.
const copyBufferSize = 32 << 10

// bufferPool lends [httputil.ReverseProxy] its copy buffers, so that a
// request does not allocate (and the collector reclaim) 32 KiB each time.
// It keeps pointers to arrays, so that lending and taking back allocate
// nothing.
type bufferPool struct{ pool sync.Pool }

func newBufferPool() *bufferPool {
	return &bufferPool{pool: sync.Pool{New: func() any { return new([copyBufferSize]byte) }}}
}

// Get returns a buffer of copyBufferSize bytes.
func (p *bufferPool) Get() []byte { return p.pool.Get().(*[copyBufferSize]byte)[:] }

// Put takes a buffer back, unless it is not one of this pool's size.
func (p *bufferPool) Put(b []byte) {
	if cap(b) < copyBufferSize {
		return
	}
	p.pool.Put((*[copyBufferSize]byte)(b[:copyBufferSize]))
}
