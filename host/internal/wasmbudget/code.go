package wasmbudget

import "math"

// Function bodies: every instruction is decoded (immediates skipped) while
// a small model of wazero's control-flow graph estimates what compiling the
// function will cost.
//
// wazero's optimizing compiler (wazevo) builds one SSA basic block per
// structured control construct (block: 1, loop: 2, if: 3, try_table: 2 plus
// one per catch, br_if and br_on_*: 1, br_table: one trampoline per target,
// memory.fill and table.fill: 3). Its loop detection and loop nesting forest
// then walk, for every block, up the dominator tree (ssa.isDominatedBy,
// passBuildLoopNestingForest), so the work is the sum over blocks of their
// depth in that tree. Straight-line code with many small constructs makes a
// chain as deep as it is long: 5,000 sequential loops take seconds, 20,000
// minutes, from a 140 KB module. The model below follows the same rules to
// compute an upper bound of each block's dominator depth in one pass: the
// block after an end is dominated by the shallowest of its predecessors.

// frame is one open construct.
type frame struct {
	kind  byte  // 0 for the function, else the opcode (block, loop, if, try_table)
	els   bool  // an if that has met its else
	open  int64 // dominator depth of the block the construct opened in
	pred  int64 // least depth of a predecessor of the block after its end
	preds int64 // branches to the construct's label so far
}

const none = math.MaxInt64

// flow models the control-flow graph of one function.
type flow struct {
	stack  []frame
	cur    int64 // dominator depth of the current block
	live   bool  // current code is reachable (wazevo skips dead code)
	dead   int   // constructs opened in dead code, not on the stack
	blocks int64 // basic blocks created
	cost   int64 // sum of their dominator depths
	preds  int64 // most predecessors of one block
	ver    int   // changes whenever the figures above do
}

func (f *flow) reset() {
	f.stack = append(f.stack[:0], frame{pred: none})
	f.cur, f.live, f.dead, f.blocks, f.cost, f.preds = 0, true, 0, 1, 0, 0
}

func (f *flow) block(depth int64) {
	f.blocks++
	f.cost += depth
	f.ver++
}

// open starts a construct.
func (f *flow) open(kind byte) {
	if !f.live {
		f.dead++
		return
	}
	f.stack = append(f.stack, frame{kind: kind, open: f.cur, pred: none})
	switch kind {
	case 0x03, 0x1f: // loop header, try_table body
		f.cur++
		f.block(f.cur)
	case 0x04: // then and else
		f.cur++
		f.block(f.cur)
		f.block(f.cur)
	}
}

// els handles else; it reports false if there is no if to pair with.
func (f *flow) els() bool {
	if f.dead > 0 {
		return true
	}
	t := &f.stack[len(f.stack)-1]
	if t.kind != 0x04 || t.els {
		return false
	}
	if f.live {
		t.pred = min(t.pred, f.cur)
	}
	t.els = true
	f.cur, f.live = t.open+1, true
	return true
}

// end closes a construct; it reports true at the end of the function.
func (f *flow) end() bool {
	if f.dead > 0 {
		f.dead--
		return false
	}
	t := f.stack[len(f.stack)-1]
	f.stack = f.stack[:len(f.stack)-1]
	if t.kind == 0 {
		return true
	}
	if f.live {
		t.pred = min(t.pred, f.cur)
	}
	if t.kind == 0x04 && !t.els { // the implicit else falls through
		t.pred = min(t.pred, t.open+1)
	}
	if t.pred == none {
		f.live = false
		return false
	}
	f.cur, f.live = t.pred+1, true
	f.block(f.cur)
	return false
}

// branch records an edge from a block at depth from to label l; it reports
// false if the label does not exist.
func (f *flow) branch(l uint32, from int64) bool {
	if int64(l) >= int64(len(f.stack)) {
		return false
	}
	t := &f.stack[len(f.stack)-1-int(l)]
	if t.kind != 0x03 { // a branch to a loop goes back to its header
		t.pred = min(t.pred, from)
	}
	// wazevo checks each new predecessor against the block's others
	// (basicBlock.addPred): quadratic in the branches to one label.
	t.preds++
	f.preds = max(f.preds, t.preds)
	f.ver++
	return true
}

func (s *scanner) code() {
	n := s.count("function body", 2)
	for i := uint32(0); i < n && !s.bad && s.err == nil; i++ {
		s.fn = s.importedFn + int(i)
		at := s.pos
		size := s.count("function body size", 1)
		if s.bad {
			return
		}
		s.st.FunctionBytes = max(s.st.FunctionBytes, int(size))
		if s.over("FunctionBytes", int64(size), int64(s.lim.FunctionBytes)) {
			s.err.Offset = int64(at)
			return
		}
		end := s.pos + int(size)
		b := s.b
		s.b = b[:end]
		// Ending anywhere but at the body's end means the code was
		// malformed (or misread): its figures are not to be trusted.
		if ok := s.function(); (!ok || s.pos != end) && s.err == nil && s.ferr == nil {
			s.st.Unscanned++
		}
		s.b, s.pos = b, end
		if s.err == nil && s.ferr == nil {
			s.bad = false
		}
	}
}

// function scans one body; it reports false if it stopped early on
// something it does not know or malformed code.
func (s *scanner) function() bool {
	groups := s.u32()
	var locals uint64
	for i := uint32(0); i < groups && !s.bad; i++ {
		start := s.pos
		locals = min(locals+uint64(s.u32()), 1<<40) // far from overflow
		s.valType()
		s.st.Locals = max(s.st.Locals, int(locals))
		if s.over("Locals", int64(locals), int64(s.lim.Locals)) ||
			s.over("TotalLocals", s.st.TotalLocals+int64(locals), s.lim.TotalLocals) {
			s.err.Offset = int64(start)
			return true
		}
	}
	s.st.TotalLocals += int64(locals)
	if s.bad {
		return false
	}
	s.flow.reset()
	ok := s.instructions()
	// Count what was modelled even when scanning stopped early.
	f := &s.flow
	s.st.Blocks = max(s.st.Blocks, int(min(f.blocks, 1<<40)))
	s.st.Predecessors = max(s.st.Predecessors, int(min(f.preds, 1<<40)))
	s.st.FunctionControlFlow = max(s.st.FunctionControlFlow, f.cost)
	s.st.TotalBlocks += f.blocks
	s.st.ControlFlow += f.cost
	return ok
}

// checkFlow checks the model's figures so far against the limits; at is
// the offset of the instruction that changed them.
func (s *scanner) checkFlow(at int) bool {
	f := &s.flow
	if s.over("Blocks", f.blocks, int64(s.lim.Blocks)) ||
		s.over("Predecessors", f.preds, int64(s.lim.Predecessors)) ||
		s.over("FunctionControlFlow", f.cost, s.lim.FunctionControlFlow) ||
		s.over("TotalBlocks", s.st.TotalBlocks+f.blocks, s.lim.TotalBlocks) ||
		s.over("ControlFlow", s.st.ControlFlow+f.cost, s.lim.ControlFlow) {
		s.err.Offset = int64(at)
		return false
	}
	return true
}

// instructions walks the code of one function. It reports false if it
// stopped early (unknown opcode, malformed code) and true at the function's
// end or when a limit is exceeded (s.err set).
func (s *scanner) instructions() bool {
	f := &s.flow
	depth := 0 // syntactic nesting, dead code included
	at, ver := s.pos, f.ver
	for !s.bad {
		if f.ver != ver { // the previous instruction, at at, changed the model
			if !s.checkFlow(at) {
				return true
			}
			ver = f.ver
		}
		at = s.pos
		op := s.byte()
		switch {
		case op == 0x02 || op == 0x03 || op == 0x04: // block, loop, if
			s.blockType()
			depth++
			f.open(op)
			if !s.nested(depth, at) {
				return true
			}
		case op == 0x1f: // try_table
			s.blockType()
			start := s.pos
			n := s.u32()
			if !s.targets(int64(n), start) {
				return true
			}
			for i := uint32(0); i < n && !s.bad; i++ {
				var l uint32
				switch s.byte() {
				case 0x00, 0x01: // catch, catch_ref: tag, label
					s.u32()
					l = s.u32()
				case 0x02, 0x03: // catch_all, catch_all_ref: label
					l = s.u32()
				default:
					return false
				}
				if f.live {
					f.block(f.cur + 1) // the handler
					if !f.branch(l, f.cur+1) {
						return false
					}
				}
			}
			depth++
			f.open(op)
			if !s.nested(depth, at) {
				return true
			}
		case op == 0x05: // else
			if !f.els() {
				return false
			}
		case op == 0x0b: // end
			if f.end() {
				return true
			}
			depth--
		case op == 0x0c: // br
			if l := s.u32(); f.live && !f.branch(l, f.cur) {
				return false
			}
			f.live = false
		case op == 0x0d || op == 0xd5 || op == 0xd6: // br_if, br_on_null, br_on_non_null
			l := s.u32()
			if f.live {
				if !f.branch(l, f.cur) {
					return false
				}
				f.cur++
				f.block(f.cur)
			}
		case op == 0x0e: // br_table
			start := s.pos
			n := s.u32()
			if s.bad || !s.targets(int64(n)+1, start) {
				return !s.bad
			}
			for i := uint32(0); i <= n && !s.bad; i++ {
				l := s.u32()
				if f.live {
					f.block(f.cur + 1) // the trampoline
					if !f.branch(l, f.cur+1) {
						return false
					}
				}
			}
			f.live = false
		case op == 0x00 || op == 0x0a || op == 0x0f: // unreachable, throw_ref, return
			f.live = false
		case op == 0x08 || op == 0x12 || op == 0x15: // throw, return_call, return_call_ref
			s.u32()
			f.live = false
		case op == 0x13: // return_call_indirect
			s.u32()
			s.u32()
			f.live = false
		case op == 0x01 || op == 0x1a || op == 0x1b || (op >= 0x45 && op <= 0xc4) || op == 0xd1 || op == 0xd4:
			// no immediates
		case op == 0x10 || op == 0x14 || (op >= 0x20 && op <= 0x26) || op == 0x3f || op == 0x40 || op == 0xd2:
			s.u32() // one index
		case op == 0x11: // call_indirect
			s.u32()
			s.u32()
		case op == 0x1c: // select with types
			n := s.u32()
			for i := uint32(0); i < n && !s.bad; i++ {
				s.valType()
			}
		case op >= 0x28 && op <= 0x3e: // loads and stores
			s.memarg()
		case op == 0x41 || op == 0x42 || op == 0xd0: // i32.const, i64.const, ref.null
			s.sleb()
		case op == 0x43:
			s.skip(4)
		case op == 0x44:
			s.skip(8)
		case op == 0xfc:
			if !s.misc(s.u32()) {
				return false
			}
		case op == 0xfd:
			if !s.simd(s.u32()) {
				return false
			}
		case op == 0xfe:
			if !s.atomic(s.u32()) {
				return false
			}
		default:
			// Legacy exceptions, GC and anything newer: wazero refuses what
			// it does not support, and its validator says why.
			return false
		}
	}
	return false
}

func (s *scanner) nested(depth, at int) bool {
	s.st.Nesting = max(s.st.Nesting, depth)
	if s.over("Nesting", int64(depth), int64(s.lim.Nesting)) {
		s.err.Offset = int64(at)
		return false
	}
	return true
}

// targets counts n branch targets of one instruction whose immediates
// start at start; it reports false when a limit is exceeded.
func (s *scanner) targets(n int64, start int) bool {
	s.st.BrTableTargets += n
	s.st.BrTableTargetsPerInstr = max(s.st.BrTableTargetsPerInstr, int(n))
	if s.over("BrTableTargetsPerInstr", n, int64(s.lim.BrTableTargetsPerInstr)) ||
		s.over("BrTableTargets", s.st.BrTableTargets, s.lim.BrTableTargets) {
		s.err.Offset = int64(start)
		return false
	}
	return true
}

func (s *scanner) misc(sub uint32) bool {
	switch {
	case sub <= 0x07: // saturating truncation
	case sub == 0x08 || sub == 0x0a || sub == 0x0c || sub == 0x0e: // memory.init, memory.copy, table.init, table.copy
		s.u32()
		s.u32()
	case sub <= 0x11: // data.drop, memory.fill, elem.drop, table.grow/size/fill
		if f := &s.flow; (sub == 0x0b || sub == 0x11) && f.live {
			// wazevo expands a fill into a loop: three blocks in a chain.
			f.block(f.cur + 1)
			f.block(f.cur + 2)
			f.block(f.cur + 3)
			f.cur += 3
		}
		s.u32()
	default:
		return false
	}
	return true
}

func (s *scanner) simd(sub uint32) bool {
	switch {
	case sub <= 0x0b || sub == 0x5c || sub == 0x5d: // loads, store, load zero
		s.memarg()
	case sub == 0x0c || sub == 0x0d: // v128.const, i8x16.shuffle
		s.skip(16)
	case sub >= 0x15 && sub <= 0x22: // extract and replace lane
		s.skip(1)
	case sub >= 0x54 && sub <= 0x5b: // load and store lane
		s.memarg()
		s.skip(1)
	case sub <= 0xff:
		// no immediates
	default:
		return false // relaxed SIMD and later: not in wazero
	}
	return true
}

func (s *scanner) atomic(sub uint32) bool {
	switch {
	case sub == 0x03: // atomic.fence
		s.byte()
	case sub <= 0x02 || (sub >= 0x10 && sub <= 0x4e):
		s.memarg()
	default:
		return false
	}
	return true
}
