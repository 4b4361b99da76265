package component

import (
	"bytes"
	"strings"
	"testing"

	"github.com/bigband-dev/bigband/wit"
)

// worldType is a component type describing world test:pkg/w: it imports
// interface test:pkg/iface (a function f) and exports func hello.
func worldType() []byte {
	return tComponent(
		dType(tComponent(
			dType(tFunc(nil, b(0x73))),                                        // 0
			dType(tInstance(dAliasOuter(1, 0), dExport(name("f"), xFunc(0)))), // 1
			dImport(name("test:pkg/iface"), xInstance(1)),
			dType(tFunc([][]byte{field("n", b(0x79))}, nil)), // 2
			dExport(name("hello"), xFunc(2)),
		)),
		dExport(name("test:pkg/w"), xComponent(0)),
	)
}

func TestCoreComponentType(t *testing.T) {
	payload := component(
		section(0, str("wit-component-encoding"), b(0x04, 0x00)),
		vsec(7, worldType()),
		vsec(11, cat(name("w"), sType, leb(0), b(0x00))),
	)
	mod := coreModule(
		vsec(1, coreFuncType(b(0x7f), nil)),
		vsec(2, cat(str(""), str("f"), b(0x00), leb(0)), cat(str("env"), str("g"), b(0x00), leb(0))),
		vsec(3, leb(0)),
		vsec(7, cat(str("hello"), b(0x00), leb(2))),
		section(0, str("component-type:w"), payload),
		section(0, str("component-type:w2"), payload),
	)
	m, err := DecodeCore(mod)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Imports) != 2 || m.Imports[0].Module != "" || m.Exports[0].Type.Func == nil || len(m.Exports[0].Type.Func.Params) != 1 {
		t.Errorf("module = %+v", m.CoreModuleType)
	}
	if len(m.ComponentTypes) != 2 {
		t.Fatalf("%d component types", len(m.ComponentTypes))
	}
	r, wid, err := m.World()
	if err != nil {
		t.Fatal(err)
	}
	w := r.Worlds[wid]
	if w.Name != "w" || r.Packages[*w.Package].Name.String() != "test:pkg" {
		t.Errorf("world %s in %v", w.Name, w.Package)
	}
	if len(w.Imports) != 1 || r.KeyName(w.Imports[0].Key) != "test:pkg/iface" || len(w.Exports) != 1 || w.Exports[0].Function.Name != "hello" {
		t.Errorf("world items: %d imports, %d exports", len(w.Imports), len(w.Exports))
	}
	if f := r.Interfaces[w.Imports[0].Interface].Function("f"); f == nil || f.Result.Prim != wit.String {
		t.Errorf("f = %+v", f)
	}

	// The empty module name goes; everything else stays byte for byte.
	out, err := RewriteEmptyImportModules(mod)
	if err != nil {
		t.Fatal(err)
	}
	m2, err := DecodeCore(out)
	if err != nil {
		t.Fatal(err)
	}
	if m2.Imports[0].Module != EmptyImportModule || m2.Imports[1].Module != "env" {
		t.Errorf("imports after rewrite: %+v", m2.Imports)
	}
	if !bytes.HasSuffix(out, mod[bytes.Index(mod, vsec(3, leb(0))):]) || !bytes.HasPrefix(out, mod[:8+len(vsec(1, coreFuncType(b(0x7f), nil)))]) {
		t.Error("bytes outside the import section changed")
	}
	same, err := RewriteEmptyImportModules(out)
	if err != nil || &same[0] != &out[0] {
		t.Errorf("rewriting a module without empty names copied it (%v)", err)
	}
}

func TestDecodeCoreErrors(t *testing.T) {
	cases := []struct {
		name string
		bin  []byte
		want string
	}{
		{"component", component(), "this is a component, not a core module"},
		{"magic", b(1, 2, 3, 4, 5, 6, 7, 8), "bad magic"},
		{"preamble cut", b(0, 0x61, 0x73), "truncated at byte 3 (reading the 8-byte preamble)"},
		{"section cut", cat(coreModule(), b(1, 9, 1)), "truncated at byte 11 (reading the type section (id 1) of 9 bytes at byte 8, the file ends 1 byte into it)"},
		{"func type index", coreModule(vsec(3, leb(4))), "function 0: type index 4 is not a function type"},
		{"import kind", coreModule(vsec(2, cat(str("a"), str("b"), b(0x09)))), "core import section: entry 0: unknown import kind 0x09"},
		{"export index", coreModule(vsec(7, cat(str("f"), b(0x00), leb(3)))), `export "f": function index 3 out of range`},
		{"bad component type", coreModule(section(0, str("component-type"), b(1, 2))), `custom section "component-type"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeCore(tc.bin)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
			if _, err := RewriteEmptyImportModules(tc.bin); err == nil && tc.name == "magic" {
				t.Error("rewrite accepted a bad module")
			}
		})
	}
}

func TestDecodeWITPackage(t *testing.T) {
	iface := tComponent(
		dType(tInstance(
			dType(tRecord(field("a", b(0x7f)))),
			dExport(name("rec"), xEq(0)),
			dType(tFunc([][]byte{field("r", idx(1))}, nil)),
			dExport(name("use-rec"), xFunc(2)),
		)),
		dExport(name("test:pkg/iface@0.1.0"), xInstance(0)),
	)
	world := tComponent(
		dType(tComponent(
			dType(tInstance(
				dType(tRecord(field("a", b(0x7f)))),
				dExport(name("rec"), xEq(0)),
				dType(tFunc([][]byte{field("r", idx(1))}, nil)),
				dExport(name("use-rec"), xFunc(2)),
			)),
			dExport(name("test:pkg/iface@0.1.0"), xInstance(0)),
		)),
		dExport(name("test:pkg/w@0.1.0"), xComponent(0)),
	)
	bin := component(
		vsec(7, iface, world),
		vsec(11, cat(name("iface"), sType, leb(0), b(0)), cat(name("w"), sType, leb(1), b(0))),
	)
	r, pid, err := DecodeWITPackage(bin)
	if err != nil {
		t.Fatal(err)
	}
	p := r.Packages[pid]
	if p.Name.String() != "test:pkg@0.1.0" || len(p.Interfaces) != 1 || len(p.Worlds) != 1 {
		t.Fatalf("package %s: %d interfaces, %d worlds", p.Name, len(p.Interfaces), len(p.Worlds))
	}
	w := r.Worlds[p.Worlds[0].ID]
	if len(w.Exports) != 1 || w.Exports[0].Interface != p.Interfaces[0].ID {
		t.Errorf("world exports do not point at the package's interface")
	}
	f := r.Interfaces[p.Interfaces[0].ID].Function("use-rec")
	if f == nil || r.Types[f.Params[0].Type.ID].Name != "rec" {
		t.Errorf("use-rec = %+v", f)
	}
	if _, _, err := DecodeWITPackage(sample()); err == nil || !strings.Contains(err.Error(), "not a WIT package") {
		t.Errorf("sample as WIT package: %v", err)
	}
}

func TestParseInterfaceName(t *testing.T) {
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"wasi:io/streams@0.2.0", "wasi:io/streams@0.2.0", true},
		{"backstage:plugins/backstage-frontend-plugin", "backstage:plugins/backstage-frontend-plugin", true},
		{"a:b/c@1.0.0-rc.1+build", "a:b/c@1.0.0-rc.1+build", true},
		{"hello", "", false},
		{"[method]r.f", "", false},
		{"a:b", "", false},
		{"a:b/c/d", "", false},
		{"a:b/c@1", "", false},
		{"A:b/c", "A:b/c", true},
		{"aB:b/c", "", false},
		{"a:b/-c", "", false},
	}
	for _, tc := range cases {
		n, err := ParseInterfaceName(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("%q: err = %v, want ok=%v", tc.in, err, tc.ok)
			continue
		}
		if tc.ok && n.String() != tc.want {
			t.Errorf("%q: %s", tc.in, n)
		}
	}
}
