package component

// Splitting a core module's data from its code lets a host reuse compiled
// code across builds that differ only in data: componentize-js guests whose
// JS changed by one string literal differ only in the main module's data
// section (the embedded JS), so the module with that data taken out has
// the same bytes, and so the same compiled code, build after build.

// DataSegment is the content of an active data segment of memory 0, to be
// written at Offset once the module is instantiated.
type DataSegment struct {
	Index  uint32 // in the data section, for messages
	Offset uint64
	Data   []byte
}

// SplitData returns module with the bytes of every active data segment
// removed (the segments stay, empty and at offset 0, so segment indices
// and the data count are unchanged) and the segments to write into memory
// 0, in order, after instantiation and before any of the module's code
// runs. The caller must check that each segment fits the memory, as
// instantiating module would have: the emptied ones always do.
//
// ok is false when that would not be equivalent to instantiating module
// itself: the module has a start function (its code runs during
// instantiation), or an active segment's offset is not a constant or its
// memory is not memory 0. Then the caller should use module as it is. err
// reports a malformed module.
func SplitData(module []byte) (code []byte, segs []DataSegment, ok bool, err error) {
	r := newReader(module, 0)
	checkCorePreamble(r)
	if !r.ok() {
		return nil, nil, false, r.err
	}
	out := make([]byte, 0, len(module))
	out = append(out, module[:8]...)
	found := false
	for r.ok() && !r.eof() {
		start := r.pos
		id := r.byte()
		size := r.u32()
		s := r.sub(int(size))
		if !r.ok() {
			break
		}
		switch id {
		case 8: // start
			return nil, nil, false, nil
		case 11: // data
			r.push("data section")
			body, ss, fine := splitDataSection(s)
			r.adopt(s)
			r.pop()
			if !r.ok() || !fine {
				return nil, nil, false, errOf(r)
			}
			found = true
			segs = ss
			out = append(out, 11)
			out = AppendU32(out, uint32(len(body)))
			out = append(out, body...)
			continue
		}
		out = append(out, module[start:r.pos]...)
	}
	if !r.ok() {
		return nil, nil, false, r.err
	}
	if !found || len(segs) == 0 {
		return module, nil, true, nil
	}
	return out, segs, true, nil
}

func errOf(r *reader) error {
	if r.err == nil {
		return nil
	}
	return r.err
}

// splitDataSection rewrites a data section's body with active segments
// emptied. fine is false when an active segment can't be moved.
func splitDataSection(r *reader) (body []byte, segs []DataSegment, fine bool) {
	n := r.count("data segment", 2)
	body = AppendU32(nil, uint32(n))
	for i := 0; i < n && r.ok(); i++ {
		segStart := r.pos
		flag := r.u32()
		switch flag {
		case 1: // passive: kept as it is
			size := r.u32()
			r.bytes(int(size))
			body = append(body, r.b[segStart:r.pos]...)
			continue
		case 0, 2:
		default:
			r.fail("data segment %d: unknown flag %d", i, flag)
			return nil, nil, false
		}
		if flag == 2 && r.u32() != 0 {
			return nil, nil, false // another memory
		}
		exprStart := r.pos
		var off uint64
		op := r.byte()
		switch op {
		case 0x41: // i32.const
			off = uint64(uint32(r.sleb(32)))
		case 0x42: // i64.const (memory64)
			off = uint64(r.sleb(64))
		default:
			return nil, nil, false // global.get or an extended constant
		}
		if r.byte() != 0x0b {
			return nil, nil, false
		}
		size := r.u32()
		data := r.bytes(int(size))
		if !r.ok() {
			return nil, nil, false
		}
		// The offset goes too: it moves whenever data before it changes
		// size. An empty segment at 0 always fits; the caller checks the
		// real offset when it writes the data.
		body = append(body, r.b[segStart:exprStart]...)
		body = append(body, op, 0, 0x0b, 0)
		segs = append(segs, DataSegment{Index: uint32(i), Offset: off, Data: data})
	}
	if r.ok() && !r.eof() {
		r.fail("%d bytes after the last data segment", r.remaining())
	}
	return body, segs, r.ok()
}
