package proxy

import (
	"bytes"
	"io"
)

// scanLimit is how far into a page the place for the script tag is looked
// for; past it the page passes unchanged.
const scanLimit = 64 << 10

// inserter streams an HTML page and inserts tag before its first </head>,
// or, in a page with no head, right after its <body> tag. It holds back only
// the few bytes that may start a match (or an unfinished <body> tag), so the
// page streams as it comes.
type inserter struct {
	src     io.ReadCloser
	tag     []byte
	buf     []byte // read and not yet searched through to the end
	out     []byte // ready for Read
	scanned int    // bytes passed on without a match
	passing bool   // inserted, or gave up: copy the rest
	err     error  // from src, returned once buf and out are empty
	chunk   [8 << 10]byte
	done    func(inserted bool) // called once, when the search ends
}

func newInserter(src io.ReadCloser, tag []byte, done func(bool)) *inserter {
	return &inserter{src: src, tag: tag, done: done}
}

func (in *inserter) Read(p []byte) (int, error) {
	for len(in.out) == 0 {
		switch {
		case in.passing && len(in.buf) > 0:
			in.out, in.buf = in.buf, nil
		case in.passing && in.err != nil:
			return 0, in.err
		case in.passing:
			return in.src.Read(p)
		case in.err != nil:
			in.finish(false) // the page ended with no place for the tag
			in.out, in.buf = in.buf, nil
		default:
			n, err := in.src.Read(in.chunk[:])
			in.buf = append(in.buf, in.chunk[:n]...)
			in.err = err
			in.search()
		}
	}
	n := copy(p, in.out)
	in.out = in.out[n:]
	return n, nil
}

func (in *inserter) Close() error { return in.src.Close() }

func (in *inserter) finish(inserted bool) {
	in.passing = true
	if in.done != nil {
		in.done(inserted)
	}
}

// search looks through buf for the place of the tag and moves what cannot
// be part of a match to out.
func (in *inserter) search() {
	at, hold := insertionPoint(in.buf)
	switch {
	case at >= 0 && in.scanned+at <= scanLimit:
		out := make([]byte, 0, len(in.buf)+len(in.tag))
		out = append(out, in.buf[:at]...)
		out = append(out, in.tag...)
		in.out = append(out, in.buf[at:]...)
		in.buf = nil
		in.finish(true)
	case in.scanned+len(in.buf) > scanLimit:
		in.out, in.buf = in.buf, nil
		in.finish(false)
	default:
		in.out = append([]byte(nil), in.buf[:hold]...)
		in.buf = append(in.buf[:0:0], in.buf[hold:]...)
		in.scanned += hold
	}
}

// insertionPoint returns where the tag goes in b, or -1 and how many of b's
// first bytes cannot be part of a match still to come. The place is before
// the first "</head" that ends a tag name, or after the ">" of the first
// "<body" tag, whichever comes first.
func insertionPoint(b []byte) (at, hold int) {
	for i := 0; ; {
		j := bytes.IndexByte(b[i:], '<')
		if j < 0 {
			return -1, len(b)
		}
		i += j
		rest := b[i:]
		if len(rest) < len("</head")+1 {
			return -1, i // may be the start of a match
		}
		switch {
		case bytes.EqualFold(rest[:6], []byte("</head")) && endsName(rest[6]):
			return i, 0
		case bytes.EqualFold(rest[:5], []byte("<body")) && endsName(rest[5]):
			k := bytes.IndexByte(rest, '>')
			if k < 0 {
				return -1, i // the tag goes on in the next chunk
			}
			return i + k + 1, 0
		}
		i++
	}
}

// endsName reports whether c may follow a tag name.
func endsName(c byte) bool {
	switch c {
	case '>', '/', ' ', '\t', '\n', '\f', '\r':
		return true
	}
	return false
}
