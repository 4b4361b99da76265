// Package wasmbudget refuses core WebAssembly modules whose compilation
// would cost the host far more time or memory than their size suggests,
// before wazero compiles anything.
//
// wazero's optimizing compiler (v1.12) is superlinear in a few structural
// properties that a small module can push to extremes (figures from
// TestMeasureCompileCost on a shared 2-core machine):
//   - chains of basic blocks: its loop detection walks the dominator tree
//     from every block, so 10,000 sequential `block; br_if; end` (70 KB)
//     take 10 s and 40,000 nested blocks 6-30 s (see code.go);
//   - branches to one block: each new predecessor is compared with all the
//     others, 100,000 br_if to one label (400 KB) take 8 minutes;
//   - br_table targets: one basic block each, 2.3 KB of compile memory
//     apiece (1M targets: 2.3 GB and minutes);
//   - locals: declared ones are allocated up front (10M from 29 bytes: 270
//     MB), used ones cost superlinear time (50,000: 6 s);
//   - wide function types: a call or branch in dead code costs its arity
//     with no operands on the stack.
//
// Check walks the module once, decoding every instruction's immediates and
// modelling the control-flow graph wazero will build, and reports the first
// limit exceeded. It is linear in the module size and allocates only a
// stack as deep as the deepest nesting.
//
// Check validates nothing else: malformed input (a section or an immediate
// running past its end, a branch to a label that does not exist, an opcode
// wazero v1.12 does not know, such as legacy exceptions, GC or relaxed SIMD)
// makes it stop scanning that section or function and return nil for it, so
// wazero reports the problem with its own message. Limits exceeded before
// the malformed part are still reported.
package wasmbudget

import (
	"fmt"
	"strings"
)

// Limits is a compile budget. A field of zero or less means no limit.
//
// Field names are stable: LimitError.Limit carries them so the CLI can map
// an error back to the flag or config key that raises the limit.
type Limits struct {
	// ModuleBytes caps the size of the module.
	ModuleBytes int64
	// Functions caps the functions the module defines (imports excluded).
	Functions int
	// FunctionBytes caps the encoded size of one function body.
	FunctionBytes int
	// Locals caps the locals one function declares (parameters excluded).
	Locals int
	// Nesting caps the depth of block, loop, if and try_table in one
	// function.
	Nesting int
	// BrTableTargets caps the targets of all br_table instructions (each
	// with its default) and try_table catch clauses in the module.
	BrTableTargets int64
	// TotalLocals caps the locals of all functions together.
	TotalLocals int64
	// BrTableTargetsPerInstr caps the targets of one br_table (default
	// included) or the catch clauses of one try_table.
	BrTableTargetsPerInstr int
	// FuncTypeValues caps the parameters plus results of one function type.
	FuncTypeValues int
	// TableElements caps the initial size of the tables the module
	// defines, summed (wazero allocates them at instantiation).
	TableElements int64
	// Blocks caps the basic blocks wazero's compiler builds for one
	// function; compile memory grows with them (about 2.3 KB each).
	Blocks int
	// TotalBlocks caps the basic blocks of all functions together; compile
	// time grows with them (10-20 µs each).
	TotalBlocks int64
	// Predecessors caps the branches to one block (br, br_if, br_table
	// entries and catch clauses naming one label, or falling into it).
	Predecessors int
	// FunctionControlFlow caps one function's control-flow cost: the sum,
	// over its basic blocks, of their depth in the dominator tree (see
	// code.go); compile time grows with it.
	FunctionControlFlow int64
	// ControlFlow caps the control-flow cost of all functions together.
	ControlFlow int64
}

// DefaultLimits returns the default budget: 4 to 20 times what the largest
// guests under examples/ need, and below the sizes where wazero's compile
// time or memory runs away. The figures behind each value are in
// defaults_test.go.
func DefaultLimits() Limits {
	return Limits{
		ModuleBytes:            64 << 20,   // largest guest 14.4 MB (componentize-js)
		Functions:              100_000,    // 12,767
		FunctionBytes:          1 << 20,    // 171,628 B; 3 MB of straight code: 168 MB heap
		Locals:                 2_000,      // 118; 50,000 used locals: 6 s
		Nesting:                3_000,      // 535 in Go, 456 in JS
		BrTableTargets:         250_000,    // 48,096
		TotalLocals:            250_000,    // 52,009
		BrTableTargetsPerInstr: 10_000,     // 535
		FuncTypeValues:         256,        // 18
		TableElements:          200_000,    // 7,784
		Blocks:                 50_000,     // 11,482: at most ~115 MB to compile one function
		TotalBlocks:            2_500_000,  // 562,909
		Predecessors:           5_000,      // 666; 10,000: seconds, 100,000: minutes
		FunctionControlFlow:    5_000_000,  // 622,820
		ControlFlow:            50_000_000, // 10,092,919
	}
}

// LimitError reports the first limit a module exceeds.
type LimitError struct {
	Limit  string // the Limits field name, e.g. "Nesting"
	Value  int64  // what the module needs (at least: scanning stops here)
	Max    int64  // the limit
	Func   int    // function index (imports first), or -1 outside code
	Name   string // the function's name from the name section, if any
	Offset int64  // byte offset in the module where the limit was crossed
}

var limitText = map[string]string{
	"ModuleBytes":            "module of %d bytes",
	"Functions":              "%d functions",
	"FunctionBytes":          "function body of %d bytes",
	"Locals":                 "%d locals in one function",
	"Nesting":                "control nesting %d deep",
	"BrTableTargets":         "%d br_table targets in the module",
	"TotalLocals":            "%d locals in the module",
	"BrTableTargetsPerInstr": "%d targets in one br_table or try_table",
	"FuncTypeValues":         "function type with %d parameters and results",
	"TableElements":          "tables of %d elements",
	"Blocks":                 "%d basic blocks in one function",
	"TotalBlocks":            "%d basic blocks in the module",
	"Predecessors":           "%d branches to one block",
	"FunctionControlFlow":    "control-flow cost %d in one function",
	"ControlFlow":            "control-flow cost %d in the module",
}

func (e *LimitError) Error() string {
	var b strings.Builder
	what, ok := limitText[e.Limit]
	if !ok {
		what = e.Limit + " %d"
	}
	b.WriteString("compile budget: ")
	fmt.Fprintf(&b, what, e.Value)
	fmt.Fprintf(&b, " exceeds the limit of %d (", e.Max)
	if e.Func >= 0 {
		fmt.Fprintf(&b, "function %d", e.Func)
		if e.Name != "" {
			fmt.Fprintf(&b, " %q", e.Name)
		}
		b.WriteString(", ")
	}
	fmt.Fprintf(&b, "byte 0x%x); if the module is trusted, raise the compile budget (%s)", e.Offset, e.Limit)
	return b.String()
}

// Stats is what a module needs: the smallest Limits it passes.
type Stats struct {
	Limits
	// Unscanned counts function bodies left partly unscanned (an opcode
	// this package does not know, or malformed code), whose figures are
	// therefore too low.
	Unscanned int
}

// Check returns a *LimitError for the first limit module exceeds, or nil.
// It never panics; malformed input returns nil (see the package comment).
func Check(module []byte, lim Limits) error {
	s := scanner{b: module, lim: lim}
	if err := s.run(); err != nil {
		return err
	}
	return nil
}

// Measure scans module with no limits and returns what it needs.
func Measure(module []byte) Stats {
	s := scanner{b: module}
	s.run()
	return s.st
}

// scanner holds one pass over a module. Reads past the end set bad and
// return zero; callers check bad at the points where they would loop.
type scanner struct {
	b   []byte
	pos int
	bad bool

	lim        Limits
	st         Stats
	importedFn int
	fn         int // function index being scanned, or -1
	flow       flow
	err        *LimitError
}

// over records a limit exceeded; it reports whether scanning must stop.
func (s *scanner) over(limit string, value, max int64) bool {
	if max <= 0 || value <= max {
		return false
	}
	s.err = &LimitError{Limit: limit, Value: value, Max: max, Func: s.fn, Offset: int64(s.pos)}
	return true
}

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
	if n < 0 || n > len(s.b)-s.pos {
		s.bad = true
		s.pos = len(s.b)
		return
	}
	s.pos += n
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

func (s *scanner) run() *LimitError {
	s.fn = -1
	s.st.ModuleBytes = int64(len(s.b))
	if s.over("ModuleBytes", int64(len(s.b)), s.lim.ModuleBytes) {
		s.pos = 0
		return s.err
	}
	if len(s.b) < 8 || [8]byte(s.b[:8]) != coreMagic {
		return nil
	}
	all := s.b
	s.pos = 8
	for s.pos < len(all) && s.err == nil {
		s.b = all
		id := s.byte()
		size := s.u32()
		if s.bad || int64(size) > int64(len(all)-s.pos) {
			break
		}
		// Each section is read on its own: reads stop at its end, and a
		// malformed section only ends the scan of that section.
		end := s.pos + int(size)
		s.b, s.fn = all[:end], -1
		switch id {
		case 1:
			s.types()
		case 2:
			s.imports()
		case 3:
			s.functions()
		case 4:
			s.tables()
		case 10:
			s.code()
		}
		s.pos, s.bad = end, false
	}
	s.b = all
	if s.err != nil {
		s.err.Name = funcName(all, s.err.Func)
	}
	return s.err
}

func (s *scanner) types() {
	n := s.u32()
	for i := uint32(0); i < n && !s.bad && s.err == nil; i++ {
		if s.byte() != 0x60 { // rec groups and GC types: wazero refuses them
			return
		}
		var total int64
		for range 2 { // parameters, then results
			start := s.pos
			m := s.u32()
			total += int64(m)
			if total > int64(s.st.FuncTypeValues) {
				s.st.FuncTypeValues = int(total)
			}
			if s.over("FuncTypeValues", total, int64(s.lim.FuncTypeValues)) {
				s.err.Offset = int64(start)
				return
			}
			for j := uint32(0); j < m && !s.bad; j++ {
				s.valType()
			}
		}
	}
}

func (s *scanner) imports() {
	n := s.u32()
	for i := uint32(0); i < n && !s.bad; i++ {
		s.skip(int(s.u32())) // module
		s.skip(int(s.u32())) // name
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
	start := s.pos
	n := s.u32()
	if s.bad {
		return
	}
	s.st.Functions = int(n)
	if s.over("Functions", int64(n), int64(s.lim.Functions)) {
		s.err.Offset = int64(start)
	}
}

func (s *scanner) tables() {
	n := s.u32()
	for i := uint32(0); i < n && !s.bad; i++ {
		start := s.pos
		init := false
		if s.pos+1 < len(s.b) && s.b[s.pos] == 0x40 && s.b[s.pos+1] == 0x00 {
			s.pos += 2 // table with an initializer expression
			init = true
		}
		s.valType()
		min := s.limits()
		if s.bad {
			return
		}
		s.st.TableElements += int64(min)
		if s.over("TableElements", s.st.TableElements, s.lim.TableElements) {
			s.err.Offset = int64(start)
			return
		}
		if init && !skipConstExpr(s) {
			return
		}
	}
}

// skipConstExpr skips a constant expression up to its end opcode; it
// reports false if it met something it cannot skip.
func skipConstExpr(s *scanner) bool {
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
