package host_test

// A tiny core-module assembler for hostile test guests: each is a few
// instructions, written out as bytes so the test shows exactly what runs.

func uleb(v uint32) []byte {
	var out []byte
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v == 0 {
			return append(out, c)
		}
		out = append(out, c|0x80)
	}
}

func wname(s string) []byte { return append(uleb(uint32(len(s))), s...) }

func wsec(id byte, count int, entries ...[]byte) []byte {
	body := uleb(uint32(count))
	for _, e := range entries {
		body = append(body, e...)
	}
	return append(append([]byte{id}, uleb(uint32(len(body)))...), body...)
}

const (
	i32 = 0x7f
	i64 = 0x7e
)

// wfunc is a function of a test module.
type wfunc struct {
	export          string // "" for none
	params, results []byte
	locals          []byte // i32 locals, one byte each
	body            []byte // without the final end
}

// wimport is an imported function.
type wimport struct {
	module, name    string
	params, results []byte
}

// wmodule assembles a module: imports, one memory of minPages exported as
// "memory", functions (index after the imports), an optional start
// function (index into all functions), and data at offset 0.
type wmodule struct {
	imports   []wimport
	funcs     []wfunc
	minPages  uint32
	start     *uint32
	data      []byte
	memImport bool // import env.memory instead of defining one
}

func (m wmodule) bytes() []byte {
	out := []byte("\x00asm\x01\x00\x00\x00")
	var types [][]byte
	sig := func(params, results []byte) []byte {
		t := append([]byte{0x60}, uleb(uint32(len(params)))...)
		t = append(t, params...)
		t = append(t, uleb(uint32(len(results)))...)
		return append(t, results...)
	}
	for _, im := range m.imports {
		types = append(types, sig(im.params, im.results))
	}
	for _, f := range m.funcs {
		types = append(types, sig(f.params, f.results))
	}
	out = append(out, wsec(1, len(types), types...)...)
	var imps [][]byte
	for i, im := range m.imports {
		e := append(wname(im.module), wname(im.name)...)
		imps = append(imps, append(append(e, 0), uleb(uint32(i))...))
	}
	if m.memImport {
		e := append(wname("env"), wname("memory")...)
		imps = append(imps, append(e, 2, 0, 0))
	}
	if len(imps) > 0 {
		out = append(out, wsec(2, len(imps), imps...)...)
	}
	var fidx [][]byte
	for i := range m.funcs {
		fidx = append(fidx, uleb(uint32(len(m.imports)+i)))
	}
	out = append(out, wsec(3, len(fidx), fidx...)...)
	if !m.memImport {
		out = append(out, wsec(5, 1, append([]byte{0}, uleb(m.minPages)...))...)
	}
	exps := [][]byte{}
	if !m.memImport {
		exps = append(exps, append(wname("memory"), 2, 0))
	}
	for i, f := range m.funcs {
		if f.export != "" {
			exps = append(exps, append(append(wname(f.export), 0), uleb(uint32(len(m.imports)+i))...))
		}
	}
	out = append(out, wsec(7, len(exps), exps...)...)
	if m.start != nil {
		s := uleb(*m.start)
		out = append(out, append(append([]byte{8}, uleb(uint32(len(s)))...), s...)...)
	}
	var codes [][]byte
	for _, f := range m.funcs {
		var body []byte
		if len(f.locals) > 0 {
			body = append(uleb(1), append(uleb(uint32(len(f.locals))), i32)...)
		} else {
			body = uleb(0)
		}
		body = append(append(body, f.body...), 0x0b)
		codes = append(codes, append(uleb(uint32(len(body))), body...))
	}
	out = append(out, wsec(10, len(codes), codes...)...)
	if len(m.data) > 0 {
		seg := append([]byte{0, 0x41, 0, 0x0b}, uleb(uint32(len(m.data)))...)
		out = append(out, wsec(11, 1, append(seg, m.data...))...)
	}
	return out
}

func u32p(v uint32) *uint32 { return &v }
