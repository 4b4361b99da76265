package component

// A tiny encoder for building component binaries in tests.

func leb(v uint32) []byte { return AppendU32(nil, v) }

func str(s string) []byte { return AppendName(nil, s) }

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func b(bs ...byte) []byte { return bs }

// vec is a count followed by the items.
func vec(items ...[]byte) []byte { return cat(leb(uint32(len(items))), cat(items...)) }

func section(id byte, body ...[]byte) []byte {
	c := cat(body...)
	return cat(b(id), leb(uint32(len(c))), c)
}

// vsec is a section holding a vector of entries.
func vsec(id byte, entries ...[]byte) []byte { return section(id, vec(entries...)) }

func component(sections ...[]byte) []byte {
	return cat(b(0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00), cat(sections...))
}

func coreModule(sections ...[]byte) []byte {
	return cat(b(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00), cat(sections...))
}

// Names.
func name(s string) []byte   { return cat(b(0x00), str(s)) }
func legacy(s string) []byte { return cat(b(0x01), str(s)) }

// Type constructors (section 7 entries, or declarations after 0x01).
func tRecord(fields ...[]byte) []byte { return cat(b(0x72), vec(fields...)) }
func field(n string, t []byte) []byte { return cat(str(n), t) }

// idx is a type index as a valtype: a signed (s33) LEB128.
func idx(i uint32) []byte {
	var out []byte
	v := int64(i)
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v == 0 && c&0x40 == 0 {
			return append(out, c)
		}
		out = append(out, c|0x80)
	}
}
func tFunc(params [][]byte, result []byte) []byte {
	res := b(0x01, 0x00)
	if result != nil {
		res = cat(b(0x00), result)
	}
	return cat(b(0x40), vec(params...), res)
}
func tInstance(decls ...[]byte) []byte  { return cat(b(0x42), vec(decls...)) }
func tComponent(decls ...[]byte) []byte { return cat(b(0x41), vec(decls...)) }

// Declarations.
func dType(t []byte) []byte                { return cat(b(0x01), t) }
func dExport(n []byte, desc []byte) []byte { return cat(b(0x04), n, desc) }
func dImport(n []byte, desc []byte) []byte { return cat(b(0x03), n, desc) }
func dAliasOuter(count, i uint32) []byte   { return cat(b(0x02, 0x03, 0x02), leb(count), leb(i)) }
func dCoreType(t []byte) []byte            { return cat(b(0x00), t) }
func dAliasExport(inst uint32, n string) []byte {
	return cat(b(0x02, 0x03, 0x00), leb(inst), str(n))
}

// Extern descriptions.
func xFunc(t uint32) []byte      { return cat(b(0x01), leb(t)) }
func xInstance(t uint32) []byte  { return cat(b(0x05), leb(t)) }
func xComponent(t uint32) []byte { return cat(b(0x04), leb(t)) }
func xSubResource() []byte       { return b(0x03, 0x01) }
func xEq(t uint32) []byte        { return cat(b(0x03, 0x00), leb(t)) }
func xModule(t uint32) []byte    { return cat(b(0x00, 0x11), leb(t)) }

// Sort bytes.
var (
	sFunc      = b(0x01)
	sType      = b(0x03)
	sComponent = b(0x04)
	sInstance  = b(0x05)
	sCoreFunc  = b(0x00, 0x00)
	sCoreMem   = b(0x00, 0x02)
	sCoreMod   = b(0x00, 0x11)
)

func coreFuncType(params, results []byte) []byte {
	return cat(b(0x60), leb(uint32(len(params))), params, leb(uint32(len(results))), results)
}
