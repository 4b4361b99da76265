package component

import "strings"

// unsupportedCanon names the canon built-ins of the async, error-context
// and threads proposals, which this host rejects.
var unsupportedCanon = map[byte]string{
	0x05: "task.cancel", 0x06: "subtask.cancel", 0x07: "resource.drop async",
	0x08: "backpressure.set", 0x09: "task.return", 0x0a: "context.get",
	0x0b: "context.set", 0x0c: "thread.yield", 0x0d: "subtask.drop",
	0x0e: "stream.new", 0x0f: "stream.read", 0x10: "stream.write",
	0x11: "stream.cancel-read", 0x12: "stream.cancel-write",
	0x13: "stream.drop-readable", 0x14: "stream.drop-writable",
	0x15: "future.new", 0x16: "future.read", 0x17: "future.write",
	0x18: "future.cancel-read", 0x19: "future.cancel-write",
	0x1a: "future.drop-readable", 0x1b: "future.drop-writable",
	0x1c: "error-context.new", 0x1d: "error-context.debug-message",
	0x1e: "error-context.drop", 0x1f: "waitable-set.new",
	0x20: "waitable-set.wait", 0x21: "waitable-set.poll",
	0x22: "waitable-set.drop", 0x23: "waitable.join",
	0x24: "backpressure.inc", 0x25: "backpressure.dec",
	0x26: "thread.index", 0x27: "thread.new-indirect",
	0x28: "thread.resume-later", 0x29: "thread.suspend",
	0x2a: "thread.suspend-then-resume", 0x2b: "thread.yield-then-resume",
	0x2c: "thread.suspend-then-promote", 0x2d: "thread.yield-then-promote",
	0x40: "thread.spawn-ref", 0x41: "thread.spawn-indirect",
	0x42: "thread.available-parallelism",
}

func unsupportedReason(name string) string {
	switch {
	case strings.HasPrefix(name, "error-context."):
		return "error contexts are not supported yet"
	case strings.HasPrefix(name, "thread.") && name != "thread.yield":
		return "threads are not supported yet"
	}
	return "async components are not supported yet"
}

// canon handles an entry of the canon section.
func (d *decoder) canon(s *scope) {
	r := d.r
	off := r.offset()
	op := r.byte()
	if !r.ok() {
		return
	}
	switch op {
	case 0x00:
		if b := r.byte(); b != 0x00 && r.ok() {
			r.failAt(off, "canon lift: bad sort byte 0x%02x", b)
			return
		}
		def := &CanonLift{CoreFunc: r.u32()}
		d.checkIndex(s, SortCoreFunc, def.CoreFunc)
		def.Options = d.canonOptions(s, "canon lift", true)
		def.TypeIndex = r.u32()
		if t, ok := d.typeOfKind(s, def.TypeIndex, TypeFunc); ok {
			def.Type = t.Func
			if t.Func.Kind.IsAsync() {
				r.failAt(off, "canon lift: async function types: async components are not supported yet")
				return
			}
		}
		if !r.ok() {
			return
		}
		def.Index = s.next(SortFunc)
		s.push(def)
		s.funcs = append(s.funcs, def.Type)
	case 0x01:
		if b := r.byte(); b != 0x00 && r.ok() {
			r.failAt(off, "canon lower: bad sort byte 0x%02x", b)
			return
		}
		def := &CanonLower{Func: r.u32()}
		if d.checkIndex(s, SortFunc, def.Func) {
			def.Type = s.funcs[def.Func]
		}
		def.Options = d.canonOptions(s, "canon lower", false)
		if r.ok() && def.Type != nil && def.Type.Kind.IsAsync() {
			r.failAt(off, "canon lower: async function types: async components are not supported yet")
		}
		if !r.ok() {
			return
		}
		def.Index = s.next(SortCoreFunc)
		s.push(def)
	case 0x02, 0x03, 0x04:
		ti := r.u32()
		t, ok := d.typeOfKind(s, ti, TypeResource)
		if !ok {
			return
		}
		res := t.Resource
		if op != 0x03 && (res == nil || !res.Defined || res.Scope != s.comp) {
			r.failAt(off, "%s: type %d is not a resource defined by this component", [...]string{"", "", "resource.new", "", "resource.rep"}[op], ti)
			return
		}
		idx := s.next(SortCoreFunc)
		switch op {
		case 0x02:
			s.push(&ResourceNew{Index: idx, TypeIndex: ti, Resource: res})
		case 0x03:
			s.push(&ResourceDrop{Index: idx, TypeIndex: ti, Resource: res})
		default:
			s.push(&ResourceRep{Index: idx, TypeIndex: ti, Resource: res})
		}
	default:
		if name, ok := unsupportedCanon[op]; ok {
			r.failAt(off, "%s: %s", name, unsupportedReason(name))
			return
		}
		r.failAt(off, "unknown canon opcode 0x%02x", op)
	}
}

// canonOptions reads the options of a lift or lower.
func (d *decoder) canonOptions(s *scope, what string, lift bool) CanonOptions {
	r := d.r
	var o CanonOptions
	n := r.count("canon option", 1)
	var seenEnc, seenMem, seenRealloc, seenPost bool
	for i := 0; i < n && r.ok(); i++ {
		off := r.offset()
		switch b := r.byte(); b {
		case 0x00, 0x01, 0x02:
			if seenEnc {
				r.failAt(off, "%s: more than one string-encoding option", what)
			}
			seenEnc = true
			o.StringEncoding = StringEncoding(b)
		case 0x03:
			m := r.u32()
			if seenMem && r.ok() {
				r.failAt(off, "%s: duplicate memory option", what)
			}
			seenMem = true
			if d.checkIndex(s, SortCoreMemory, m) {
				o.Memory = &m
			}
		case 0x04:
			f := r.u32()
			if seenRealloc && r.ok() {
				r.failAt(off, "%s: duplicate realloc option", what)
			}
			seenRealloc = true
			if d.checkIndex(s, SortCoreFunc, f) {
				o.Realloc = &f
			}
		case 0x05:
			f := r.u32()
			if seenPost && r.ok() {
				r.failAt(off, "%s: duplicate post-return option", what)
			}
			if !lift && r.ok() {
				r.failAt(off, "%s: post-return is only allowed on canon lift", what)
			}
			seenPost = true
			if d.checkIndex(s, SortCoreFunc, f) {
				o.PostReturn = &f
			}
		case 0x06:
			r.failAt(off, "%s: async option: async components are not supported yet", what)
		case 0x07:
			r.failAt(off, "%s: callback option: async components are not supported yet", what)
		case 0x08:
			r.failAt(off, "%s: core-type option: not supported yet", what)
		case 0x09:
			r.failAt(off, "%s: gc option: not supported yet", what)
		default:
			if r.ok() {
				r.failAt(off, "%s: unknown canon option 0x%02x", what, b)
			}
		}
	}
	return o
}
