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
// Check validates little else. A length or count running past the end of
// its section or of the module is refused with a *FormatError, because
// wazero allocates for it before noticing (13 bytes declaring 2^32-1
// imports kill the process). Other malformed input (an immediate running
// past the end, a branch to a label that does not exist, an opcode wazero
// v1.12 does not know, such as legacy exceptions, GC or relaxed SIMD) makes
// Check stop scanning that section or function and return nil for it, so
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

// DefaultLimits returns the default budget: at least 4 times what the
// largest guests under fixtures/guests/ need (defaults_test.go has their figures),
// and below the sizes where wazero's compile time or memory runs away. The
// worst modules just under these limits compile in 1-2.5 s with at most
// ~110 MB of heap (the limit-* shapes of TestMeasureCompileCost), against
// 8 s for the 14 MB componentize-js guests.
func DefaultLimits() Limits {
	return Limits{
		ModuleBytes:            64 << 20,   // largest guest 14.4 MB (componentize-js)
		Functions:              100_000,    // 12,767
		FunctionBytes:          1 << 20,    // 171,628 B; 3 MB of straight code: 168 MB heap
		Locals:                 2_000,      // 118; 50,000 used locals: 6 s
		Nesting:                3_000,      // 456
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

// Check returns a *LimitError for the first limit module exceeds, a
// *FormatError for a length that runs past its end, or nil. It never
// panics; other malformed input returns nil (see the package comment).
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
