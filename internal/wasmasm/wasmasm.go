// Package wasmasm assembles small core WebAssembly modules byte by byte,
// for tests and fixture generators that need exactly the instructions (or
// the malformed counts) they describe, which no compiler would emit.
package wasmasm

// Magic is the core module preamble: "\0asm" and version 1.
const Magic = "\x00asm\x01\x00\x00\x00"

// Value types.
const (
	I32 = 0x7f
	I64 = 0x7e
)

// ULEB appends v as unsigned LEB128.
func ULEB(b []byte, v uint64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v == 0 {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

// U is v as unsigned LEB128 on its own.
func U(v uint64) []byte { return ULEB(nil, v) }

// Cat concatenates parts.
func Cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// Name is a length-prefixed UTF-8 name.
func Name(s string) []byte { return append(U(uint64(len(s))), s...) }

// Vec prefixes items with their count.
func Vec(items ...[]byte) []byte { return Cat(U(uint64(len(items))), Cat(items...)) }

// Section is a section with its id and size.
func Section(id byte, body []byte) []byte { return Cat([]byte{id}, U(uint64(len(body))), body) }

// FuncType is a type section entry; params and results are value types.
func FuncType(params, results []byte) []byte {
	return Cat([]byte{0x60}, U(uint64(len(params))), params, U(uint64(len(results))), results)
}

// Body is a code section entry: local groups (count, type) and code, which
// must end with 0x0b. Counts are taken as given, so tests can declare
// absurd ones.
func Body(locals [][2]uint64, code []byte) []byte {
	b := U(uint64(len(locals)))
	for _, l := range locals {
		b = Cat(b, U(l[0]), []byte{byte(l[1])})
	}
	b = Cat(b, code)
	return Cat(U(uint64(len(b))), b)
}

// Func is a function of a Module.
type Func struct {
	Export          string // "" for none
	Params, Results []byte
	Locals          []byte // one value type per local
	Body            []byte // without the final end
}

// Import is an imported function.
type Import struct {
	Module, Name    string
	Params, Results []byte
}

// Module is a module of imported and defined functions (indices: imports
// first), one memory of MinPages exported as "memory" (or imported as
// env.memory), an optional start function, and data at offset 0.
type Module struct {
	Imports   []Import
	Funcs     []Func
	MinPages  uint32
	Start     *uint32
	Data      []byte
	MemImport bool
}

// Bytes assembles the module.
func (m Module) Bytes() []byte {
	var types, imps, fidx, exps, codes [][]byte
	for _, im := range m.Imports {
		imps = append(imps, Cat(Name(im.Module), Name(im.Name), []byte{0}, U(uint64(len(types)))))
		types = append(types, FuncType(im.Params, im.Results))
	}
	if m.MemImport {
		imps = append(imps, Cat(Name("env"), Name("memory"), []byte{2, 0, 0}))
	} else {
		exps = append(exps, Cat(Name("memory"), []byte{2, 0}))
	}
	for i, f := range m.Funcs {
		fidx = append(fidx, U(uint64(len(types))))
		types = append(types, FuncType(f.Params, f.Results))
		if f.Export != "" {
			exps = append(exps, Cat(Name(f.Export), []byte{0}, U(uint64(len(m.Imports)+i))))
		}
		var locals [][2]uint64
		for _, l := range f.Locals {
			locals = append(locals, [2]uint64{1, uint64(l)})
		}
		codes = append(codes, Body(locals, Cat(f.Body, []byte{0x0b})))
	}
	out := Cat([]byte(Magic), Section(1, Vec(types...)))
	if len(imps) > 0 {
		out = Cat(out, Section(2, Vec(imps...)))
	}
	out = Cat(out, Section(3, Vec(fidx...)))
	if !m.MemImport {
		out = Cat(out, Section(5, Vec(Cat([]byte{0}, U(uint64(m.MinPages))))))
	}
	out = Cat(out, Section(7, Vec(exps...)))
	if m.Start != nil {
		out = Cat(out, Section(8, U(uint64(*m.Start))))
	}
	out = Cat(out, Section(10, Vec(codes...)))
	if len(m.Data) > 0 {
		out = Cat(out, Section(11, Vec(Cat([]byte{0, 0x41, 0, 0x0b}, U(uint64(len(m.Data))), m.Data))))
	}
	return out
}

// Index is a pointer to i, for Module.Start.
func Index(i uint32) *uint32 { return &i }
