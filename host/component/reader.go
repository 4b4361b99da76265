package component

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// maxDepth caps the nesting of components, component/instance types and
// value types, so hostile input cannot exhaust the stack.
const maxDepth = 100

// Error is a decoding error: what went wrong, where (byte offset into the
// top-level input) and in which item (section, entry, declaration).
type Error struct {
	Offset  int
	Context string // e.g. "type section entry 4: instance type declaration 2"
	Msg     string
	// Truncated marks input that ends early: Offset is where it ends and
	// Msg says what was being read.
	Truncated bool
}

func (e *Error) Error() string {
	if e.Truncated {
		return fmt.Sprintf("truncated at byte %d (%s)", e.Offset, e.Msg)
	}
	if e.Context == "" {
		return fmt.Sprintf("offset 0x%x: %s", e.Offset, e.Msg)
	}
	return fmt.Sprintf("offset 0x%x: %s: %s", e.Offset, e.Context, e.Msg)
}

// reader reads the binary format. Errors are sticky: after the first one
// every read returns a zero value and err stays set, which keeps the
// decoding code linear; loops check r.err (or r.ok()) to stop early.
type reader struct {
	b    []byte
	pos  int
	base int  // offset of b[0] in the top-level input
	file bool // b ends where the input does: running out means truncation
	err  *Error
	ctx  []string
}

func newReader(b []byte, base int) *reader { return &reader{b: b, base: base} }

func (r *reader) ok() bool       { return r.err == nil }
func (r *reader) offset() int    { return r.base + r.pos }
func (r *reader) remaining() int { return len(r.b) - r.pos }
func (r *reader) eof() bool      { return r.pos >= len(r.b) }

func (r *reader) push(format string, args ...any) {
	r.ctx = append(r.ctx, fmt.Sprintf(format, args...))
}
func (r *reader) pop() { r.ctx = r.ctx[:len(r.ctx)-1] }

// failAt records an error at the given absolute offset (first error wins).
func (r *reader) failAt(off int, format string, args ...any) {
	if r.err != nil {
		return
	}
	r.err = &Error{Offset: off, Context: strings.Join(r.ctx, ": "), Msg: fmt.Sprintf(format, args...)}
	r.pos = len(r.b)
}

func (r *reader) fail(format string, args ...any) { r.failAt(r.offset(), format, args...) }

func (r *reader) byte() byte {
	if r.err != nil {
		return 0
	}
	if r.pos >= len(r.b) {
		r.fail("unexpected end of input")
		return 0
	}
	c := r.b[r.pos]
	r.pos++
	return c
}

func (r *reader) peek() byte {
	if r.err != nil {
		return 0
	}
	if r.pos >= len(r.b) {
		r.fail("unexpected end of input")
		return 0
	}
	return r.b[r.pos]
}

func (r *reader) bytes(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > r.remaining() {
		r.fail("length %d exceeds the %d bytes left", n, r.remaining())
		return nil
	}
	s := r.b[r.pos : r.pos+n : r.pos+n]
	r.pos += n
	return s
}

// u32 reads an unsigned LEB128 of at most 5 bytes.
func (r *reader) u32() uint32 {
	start := r.offset()
	var v uint64
	for shift := uint(0); ; shift += 7 {
		c := r.byte()
		if r.err != nil {
			return 0
		}
		if shift == 28 && c&0x70 != 0 {
			r.failAt(start, "integer too large for u32")
			return 0
		}
		v |= uint64(c&0x7f) << shift
		if c&0x80 == 0 {
			return uint32(v)
		}
		if shift == 28 {
			r.failAt(start, "integer representation too long")
			return 0
		}
	}
}

// sleb reads a signed LEB128 of at most bits bits (33 for type indices, 32, 64).
func (r *reader) sleb(bits uint) int64 {
	start := r.offset()
	var v int64
	var shift uint
	for {
		c := r.byte()
		if r.err != nil {
			return 0
		}
		if shift+7 >= bits {
			// Last byte allowed: no continuation, and the unused high bits
			// must repeat the sign bit.
			if c&0x80 != 0 {
				r.failAt(start, "integer representation too long")
				return 0
			}
			if rem := bits - shift; rem < 7 {
				upper := (c >> rem) & (0x7f >> rem)
				want := byte(0)
				if (c>>(rem-1))&1 != 0 {
					want = 0x7f >> rem
				}
				if upper != want {
					r.failAt(start, "integer too large for s%d", bits)
					return 0
				}
			}
		}
		v |= int64(c&0x7f) << shift
		shift += 7
		if c&0x80 == 0 {
			if shift < 64 && c&0x40 != 0 {
				v |= -1 << shift
			}
			return v
		}
	}
}

// count reads a vector length and checks that at least minSize bytes per
// element remain, so a length prefix can never allocate more than the input.
func (r *reader) count(what string, minSize int) int {
	start := r.offset()
	n := r.u32()
	if r.err != nil {
		return 0
	}
	if minSize < 1 {
		minSize = 1
	}
	if int64(n)*int64(minSize) > int64(r.remaining()) {
		r.failAt(start, "%s count %d exceeds the %d bytes left", what, n, r.remaining())
		return 0
	}
	return int(n)
}

// name reads a length-prefixed UTF-8 string.
func (r *reader) name() string {
	start := r.offset()
	n := r.u32()
	if r.err != nil {
		return ""
	}
	if int64(n) > int64(r.remaining()) {
		r.failAt(start, "name length %d exceeds the %d bytes left", n, r.remaining())
		return ""
	}
	b := r.bytes(int(n))
	if !utf8.Valid(b) {
		r.failAt(start, "name is not valid UTF-8")
		return ""
	}
	return string(b)
}

// truncated records that the input ends early while reading what.
func (r *reader) truncated(format string, args ...any) {
	if r.err != nil {
		return
	}
	r.err = &Error{Offset: r.base + len(r.b), Msg: fmt.Sprintf(format, args...), Truncated: true}
	r.pos = len(r.b)
}

// preambleCut reports, with a truncation error, a file that ends inside
// the 8-byte preamble (magic and a core or component version).
func (r *reader) preambleCut() bool {
	rest := r.b[r.pos:]
	if !r.file || len(rest) == 0 || len(rest) >= 8 {
		return false
	}
	if bytes.HasPrefix(wasmMagic, rest) || bytes.HasPrefix(rest, wasmMagic) &&
		(bytes.HasPrefix(coreVersion, rest[4:]) || bytes.HasPrefix(componentHead, rest[4:])) {
		r.truncated("reading the 8-byte preamble")
		return true
	}
	return false
}

// section reads a section header and returns the section's id and a
// reader over its body. name names a section id in messages. A size
// running past the end of a file reader is a truncation; past the end of
// an embedded module or component, a malformed size.
func (r *reader) section(name func(byte) string) (byte, *reader) {
	idOff := r.offset()
	id := r.byte()
	if r.file && !r.lebComplete() {
		r.truncated("reading the size of the %s section (id %d) at byte %d", name(id), id, idOff)
		return id, nil
	}
	size := r.u32()
	if r.err != nil {
		return id, nil
	}
	if int64(size) > int64(r.remaining()) {
		if r.file {
			r.truncated("reading the %s section (id %d) of %s at byte %d, the file ends %s into it",
				name(id), id, bytesN(int64(size)), idOff, bytesN(int64(r.remaining())))
		} else {
			r.failAt(idOff, "%s section (id %d) of %s runs past the end of the embedded binary (%s left)",
				name(id), id, bytesN(int64(size)), bytesN(int64(r.remaining())))
		}
		return id, nil
	}
	return id, r.sub(int(size))
}

func bytesN(n int64) string {
	if n == 1 {
		return "1 byte"
	}
	return fmt.Sprintf("%d bytes", n)
}

// lebComplete reports whether a LEB128 starting at pos ends before the
// input does (or is malformed in a way u32 will report).
func (r *reader) lebComplete() bool {
	for i := r.pos; i < len(r.b); i++ {
		if r.b[i]&0x80 == 0 || i-r.pos >= 4 {
			return true
		}
	}
	return false
}

// sub returns a reader over the next n bytes (a section body) sharing the
// error context; the caller must copy its error back with adopt.
func (r *reader) sub(n int) *reader {
	base := r.offset()
	b := r.bytes(n)
	s := &reader{b: b, base: base, ctx: r.ctx}
	if r.err != nil {
		s.err = r.err
	}
	return s
}

// adopt takes over an error of a sub-reader.
func (r *reader) adopt(s *reader) {
	if s.err != nil && r.err == nil {
		r.err = s.err
		r.pos = len(r.b)
	}
}
