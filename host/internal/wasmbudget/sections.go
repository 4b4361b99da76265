package wasmbudget

import "fmt"

// FormatError reports a length or count that runs past the end of its
// section or of the module. Check refuses these rather than leave them to
// wazero, whose decoder allocates for a vector before reading it: a 13-byte
// module declaring 2^32-1 imports or exports makes it allocate hundreds of
// gigabytes, and the process dies.
type FormatError struct {
	Offset int64  // where the length or count starts
	Msg    string // e.g. "import section: count 4294967295 exceeds the 2 bytes left"
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("malformed module at byte 0x%x: %s", e.Offset, e.Msg)
}

// scanner holds one pass over a module. Reads past the end set bad and
// return zero; loops stop on bad. b is cut to the end of the section or
// function being read, so reads never cross it.
type scanner struct {
	b   []byte
	pos int
	bad bool

	lim        Limits
	st         Stats
	importedFn int
	fn         int // function index being scanned, or -1
	what       string
	flow       flow
	err        *LimitError
	ferr       *FormatError
}

// over records a limit exceeded; it reports whether scanning must stop.
func (s *scanner) over(limit string, value, max int64) bool {
	if max <= 0 || value <= max {
		return false
	}
	s.err = &LimitError{Limit: limit, Value: value, Max: max, Func: s.fn, Offset: int64(s.pos)}
	s.bad = true
	return true
}

// malformed records a FormatError and stops the scan.
func (s *scanner) malformed(at int, format string, args ...any) {
	if s.ferr == nil {
		s.ferr = &FormatError{Offset: int64(at), Msg: s.what + ": " + fmt.Sprintf(format, args...)}
	}
	s.bad = true
}

func (s *scanner) left() int { return len(s.b) - s.pos }

func (s *scanner) byte() byte {
	if s.pos >= len(s.b) {
		s.bad = true
		return 0
	}
	c := s.b[s.pos]
	s.pos++
	return c
}

// uleb reads an unsigned LEB128 of at most 64 bits (memarg offsets may be
// 64-bit); u32 checks the range it needs.
func (s *scanner) uleb() uint64 {
	var v uint64
	for shift := uint(0); shift < 70; shift += 7 {
		if s.pos >= len(s.b) {
			s.bad = true
			return 0
		}
		c := s.b[s.pos]
		s.pos++
		if shift < 64 {
			v |= uint64(c&0x7f) << shift
		}
		if c&0x80 == 0 {
			return v
		}
	}
	s.bad = true
	return 0
}

func (s *scanner) u32() uint32 {
	v := s.uleb()
	if v > 1<<32-1 {
		s.bad = true
		return 0
	}
	return uint32(v)
}

// sleb skips a signed LEB128 (the value is never needed here).
func (s *scanner) sleb() { s.uleb() }

func (s *scanner) skip(n int) {
	if n < 0 || n > s.left() {
		s.bad = true
		s.pos = len(s.b)
		return
	}
	s.pos += n
}

// count reads a vector length whose elements take at least minSize bytes
// each, refusing one that cannot fit in what is left.
func (s *scanner) count(what string, minSize int) uint32 {
	at := s.pos
	n := s.u32()
	if !s.bad && int64(n)*int64(minSize) > int64(s.left()) {
		s.malformed(at, "%s count %d exceeds the %d bytes left", what, n, s.left())
		return 0
	}
	return n
}

// bytes skips a length-prefixed byte string (a name, a data segment);
// what names its length.
func (s *scanner) bytes(what string) {
	s.skip(int(s.count(what, 1)))
}

// valType skips a value type: one byte, or a typed reference (0x63/0x64)
// followed by its heap type.
func (s *scanner) valType() {
	if c := s.byte(); c == 0x63 || c == 0x64 {
		s.sleb()
	}
}

// blockType skips a block type: 0x40, a value type or a type index (s33).
func (s *scanner) blockType() {
	if s.pos < len(s.b) && (s.b[s.pos] == 0x63 || s.b[s.pos] == 0x64) {
		s.pos++
	}
	s.sleb()
}

func (s *scanner) memarg() {
	if align := s.u32(); align&0x40 != 0 { // multi-memory: a memory index follows
		s.u32()
	}
	s.uleb()
}

func (s *scanner) limits() (min uint64) {
	flags := s.byte()
	min = s.uleb()
	if flags&1 != 0 {
		s.uleb()
	}
	return min
}

var coreMagic = [8]byte{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00}

var sectionNames = [...]string{"custom", "type", "import", "function", "table", "memory", "global",
	"export", "start", "element", "code", "data", "data count", "tag"}

// run scans the module and returns the first error, nil if none.
func (s *scanner) run() error {
	s.fn = -1
	s.st.ModuleBytes = int64(len(s.b))
	if s.over("ModuleBytes", int64(len(s.b)), s.lim.ModuleBytes) {
		s.err.Offset = 0
		return s.err
	}
	if len(s.b) < 8 || [8]byte(s.b[:8]) != coreMagic {
		return nil
	}
	all := s.b
	s.pos = 8
	for s.pos < len(all) && s.err == nil && s.ferr == nil {
		s.b = all
		at := s.pos
		id := s.byte()
		size := s.u32()
		if s.bad {
			break // wazero reports the broken header
		}
		if int(id) < len(sectionNames) {
			s.what = sectionNames[id] + " section"
		} else {
			s.what = fmt.Sprintf("section %d", id)
		}
		if int64(size) > int64(s.left()) {
			s.malformed(at, "%d bytes, but the module ends %d bytes into it (truncated?)", size, s.left())
			break
		}
		// Each section is read on its own: reads stop at its end, and
		// other malformations only end the scan of that section.
		end := s.pos + int(size)
		s.b, s.fn = all[:end], -1
		switch id {
		case 0:
			s.custom()
		case 1:
			s.types()
		case 2:
			s.imports()
		case 3:
			s.functions()
		case 4:
			s.tables()
		case 5:
			s.count("memory", 2)
		case 6:
			s.globals()
		case 7:
			s.exports()
		case 9:
			s.elements()
		case 10:
			s.code()
		case 11:
			s.data()
		case 13:
			s.count("tag", 2)
		}
		s.pos, s.bad = end, false
	}
	s.b = all
	switch {
	case s.err != nil:
		s.err.Name = funcName(all, s.err.Func)
		return s.err
	case s.ferr != nil:
		return s.ferr
	}
	return nil
}

func (s *scanner) custom() {
	n := s.count("name length", 1)
	if s.bad || string(s.b[s.pos:s.pos+int(n)]) != "name" {
		return
	}
	s.pos += int(n)
	// wazero decodes the name section's function and local names, sizing
	// its maps from their counts.
	for !s.bad && s.pos < len(s.b) {
		id := s.byte()
		size := int(s.count("subsection size", 1))
		if s.bad {
			return
		}
		end := s.pos + size
		if id == 1 || id == 2 {
			n := s.count("names", 2)
			for i := uint32(0); i < n && !s.bad; i++ {
				s.u32()
				if id == 1 {
					s.bytes("name length")
					continue
				}
				m := s.count("local names", 2)
				for j := uint32(0); j < m && !s.bad; j++ {
					s.u32()
					s.bytes("name length")
				}
			}
		}
		s.pos = end
	}
}

func (s *scanner) types() {
	n := s.count("type", 3)
	for i := uint32(0); i < n && !s.bad; i++ {
		if s.byte() != 0x60 { // rec groups and GC types: wazero refuses them
			return
		}
		var total int64
		for range 2 { // parameters, then results
			at := s.pos
			m := s.count("value type", 1)
			total += int64(m)
			s.st.FuncTypeValues = max(s.st.FuncTypeValues, int(total))
			if s.over("FuncTypeValues", total, int64(s.lim.FuncTypeValues)) {
				s.err.Offset = int64(at)
				return
			}
			for j := uint32(0); j < m && !s.bad; j++ {
				s.valType()
			}
		}
	}
}

func (s *scanner) imports() {
	n := s.count("import", 4)
	for i := uint32(0); i < n && !s.bad; i++ {
		s.bytes("module name length")
		s.bytes("name length")
		switch s.byte() {
		case 0x00:
			s.u32()
			s.importedFn++
		case 0x01:
			s.valType()
			s.limits()
		case 0x02:
			s.limits()
		case 0x03:
			s.valType()
			s.byte()
		case 0x04:
			s.byte()
			s.u32()
		default:
			return
		}
	}
}

func (s *scanner) functions() {
	at := s.pos
	n := s.count("function", 1)
	s.st.Functions = max(s.st.Functions, int(n))
	if s.over("Functions", int64(n), int64(s.lim.Functions)) {
		s.err.Offset = int64(at)
	}
}

func (s *scanner) tables() {
	n := s.count("table", 3)
	for i := uint32(0); i < n && !s.bad; i++ {
		at := s.pos
		init := false
		if s.left() >= 2 && s.b[s.pos] == 0x40 && s.b[s.pos+1] == 0x00 {
			s.pos += 2 // a table with an initializer expression
			init = true
		}
		s.valType()
		min := s.limits()
		if s.bad {
			return
		}
		s.st.TableElements += int64(min)
		if s.over("TableElements", s.st.TableElements, s.lim.TableElements) {
			s.err.Offset = int64(at)
			return
		}
		if init && !s.constExpr() {
			return
		}
	}
}

func (s *scanner) globals() {
	n := s.count("global", 3)
	for i := uint32(0); i < n && !s.bad; i++ {
		s.valType()
		s.byte()
		if !s.constExpr() {
			return
		}
	}
}

func (s *scanner) exports() {
	n := s.count("export", 3)
	for i := uint32(0); i < n && !s.bad; i++ {
		s.bytes("name length")
		s.byte()
		s.u32()
	}
}

func (s *scanner) elements() {
	n := s.count("element segment", 2)
	for i := uint32(0); i < n && !s.bad; i++ {
		flags := s.u32()
		if flags > 7 {
			return
		}
		if flags&3 == 2 { // explicit table index
			s.u32()
		}
		if flags&1 == 0 && !s.constExpr() { // active: offset
			return
		}
		if flags&3 != 0 { // element kind or reference type
			s.valType()
		}
		if flags&4 == 0 { // function indices
			m := s.count("function index", 1)
			for j := uint32(0); j < m && !s.bad; j++ {
				s.u32()
			}
			continue
		}
		m := s.count("expression", 2)
		for j := uint32(0); j < m && !s.bad; j++ {
			if !s.constExpr() {
				return
			}
		}
	}
}

func (s *scanner) data() {
	n := s.count("data segment", 2)
	for i := uint32(0); i < n && !s.bad; i++ {
		switch s.u32() {
		case 0:
			if !s.constExpr() {
				return
			}
		case 1:
		case 2:
			s.u32()
			if !s.constExpr() {
				return
			}
		default:
			return
		}
		s.bytes("data length")
	}
}

// constExpr skips a constant expression up to its end opcode; it reports
// false if it met something it does not know (wazero refuses it too).
func (s *scanner) constExpr() bool {
	for !s.bad {
		switch op := s.byte(); op {
		case 0x0b:
			return true
		case 0x23, 0xd2: // global.get, ref.func
			s.u32()
		case 0x41, 0x42, 0xd0: // i32.const, i64.const, ref.null
			s.sleb()
		case 0x43:
			s.skip(4)
		case 0x44:
			s.skip(8)
		case 0x6a, 0x6b, 0x6c, 0x7c, 0x7d, 0x7e: // extended-const arithmetic
		case 0xfd:
			if s.u32() != 12 { // v128.const
				return false
			}
			s.skip(16)
		default:
			return false
		}
	}
	return false
}
