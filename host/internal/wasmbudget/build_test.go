package wasmbudget

import "github.com/bigband-dev/bigband/internal/wasmasm"

// A tiny module assembler for tests: enough to build the bombs and the
// normal modules the tests need, byte by byte.

// The byte-level helpers come from wasmasm, under the short names the
// tests read best with.
var (
	uleb     = wasmasm.U
	cat      = wasmasm.Cat
	section  = wasmasm.Section
	vec      = wasmasm.Vec
	funcType = wasmasm.FuncType
	body     = wasmasm.Body
)

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
