package wasmbudget

// A tiny module assembler for tests: enough to build the bombs and the
// normal modules the tests need, byte by byte.

func uleb(v uint64) []byte {
	var b []byte
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v != 0 {
			b = append(b, c|0x80)
			continue
		}
		return append(b, c)
	}
}

func cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

func section(id byte, body []byte) []byte {
	return cat([]byte{id}, uleb(uint64(len(body))), body)
}

// vec prefixes items with their count.
func vec(items ...[]byte) []byte {
	return cat(uleb(uint64(len(items))), cat(items...))
}

// funcType is a type section entry: params and results as value type bytes.
func funcType(params, results []byte) []byte {
	return cat([]byte{0x60}, uleb(uint64(len(params))), params, uleb(uint64(len(results))), results)
}

// body is a code section entry: local groups (count, type) and code, which
// must end with 0x0b.
func body(locals [][2]uint64, code []byte) []byte {
	b := uleb(uint64(len(locals)))
	for _, l := range locals {
		b = cat(b, uleb(l[0]), []byte{byte(l[1])})
	}
	b = cat(b, code)
	return cat(uleb(uint64(len(b))), b)
}

// module assembles a module whose functions all have type 0 of types.
func module(types [][]byte, bodies ...[]byte) []byte {
	funcs := make([][]byte, len(bodies))
	for i := range funcs {
		funcs[i] = uleb(0)
	}
	m := cat(coreMagic[:], section(1, vec(types...)), section(3, vec(funcs...)))
	if len(bodies) > 0 {
		m = cat(m, section(10, vec(bodies...)))
	}
	return m
}

var voidType = funcType(nil, nil)

func repeat(b []byte, n int) []byte {
	out := make([]byte, 0, len(b)*n)
	for range n {
		out = append(out, b...)
	}
	return out
}

// nested is a body of n nested empty blocks.
func nested(n int) []byte {
	return body(nil, cat(repeat([]byte{0x02, 0x40}, n), repeat([]byte{0x0b}, n), []byte{0x0b}))
}

// brTable is a body with one block and a br_table of n targets (default
// included) all branching out of it.
func brTable(n int) []byte {
	return body(nil, cat([]byte{0x02, 0x40, 0x41, 0x00, 0x0e}, uleb(uint64(n-1)), repeat([]byte{0x00}, n), []byte{0x0b, 0x0b}))
}
