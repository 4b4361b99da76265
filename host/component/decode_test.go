package component

import (
	"errors"
	"strings"
	"testing"

	"github.com/bigband-dev/bigband/wit"
)

func mustDecode(t testing.TB, bin []byte) *Component {
	t.Helper()
	c, err := Decode(bin)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// checkSpaces verifies the typed views match the index spaces and every
// def mints the index recorded for it.
func checkSpaces(t *testing.T, c *Component) {
	t.Helper()
	pairs := []struct {
		s Sort
		n int
	}{{SortType, len(c.Types)}, {SortCoreType, len(c.CoreTypes)}, {SortFunc, len(c.Funcs)}, {SortInstance, len(c.Instances)}, {SortComponent, len(c.Components)}, {SortCoreModule, len(c.CoreModules)}}
	for _, p := range pairs {
		if c.Len(p.s) != p.n {
			t.Errorf("%s: %d indices but %d typed entries", p.s, c.Len(p.s), p.n)
		}
	}
	for s := Sort(0); s < numSorts; s++ {
		for i, pos := range c.Spaces[s] {
			ms, mi := c.Defs[pos].Minted()
			if ms != s || int(mi) != i {
				t.Errorf("%s %d: def %d mints %s %d", s, i, pos, ms, mi)
			}
		}
	}
	for _, d := range c.Defs {
		if n, ok := d.(*NestedComponent); ok {
			checkSpaces(t, n.Component)
		}
	}
}

func TestDecodeSample(t *testing.T) {
	c := mustDecode(t, sample())
	checkSpaces(t, c)
	want := map[Sort]int{SortType: 26, SortCoreType: 2, SortFunc: 4, SortInstance: 6, SortComponent: 1, SortCoreModule: 1, SortCoreInstance: 2, SortCoreFunc: 6, SortCoreMemory: 1}
	for s, n := range want {
		if c.Len(s) != n {
			t.Errorf("%s space has %d entries, want %d", s, c.Len(s), n)
		}
	}
	if len(c.Customs) != 1 || c.Customs[0].Name != "hello" || string(c.Customs[0].Data) != "\x01\x02\x03" {
		t.Errorf("customs = %+v", c.Customs)
	}
	kinds := []wit.TypeDefKind{wit.KindResource, wit.KindRecord, wit.KindVariant, wit.KindList, wit.KindFixedList, wit.KindTuple, wit.KindFlags, wit.KindEnum, wit.KindOption, wit.KindResult, wit.KindOwn, wit.KindBorrow, wit.KindStream, wit.KindFuture, wit.KindMap}
	for i, k := range kinds {
		v := c.Types[i].Value
		if v.Prim != wit.Ref || c.Resolve.Types[v.ID].Kind != k {
			t.Errorf("type %d: %+v, want a %s", i, v, k)
		}
	}
	if c.Types[15].Value.Prim != wit.ErrorContext {
		t.Errorf("type 15 = %+v, want error-context", c.Types[15].Value)
	}
	if fx := c.Resolve.Types[c.Types[4].Value.ID]; fx.Size != 4 || fx.Elem.Prim != wit.U8 {
		t.Errorf("fixed list = %+v", fx)
	}
	f := c.Types[16].Func
	if len(f.Params) != 2 || f.Params[0].Name != "x" || f.Result != c.Types[9].Value {
		t.Errorf("func type 16 = %+v", f)
	}
	// The defined resource takes its name from the nested component's
	// `import-type-r`.
	res := c.Types[0].Resource
	if res == nil || !res.Defined || c.Resolve.Types[res.ID].Name != "r" {
		t.Errorf("resource 0 = %+v", res)
	}
	// Imports: legacy and attributed names.
	if !c.Imports[1].Name.Legacy || c.Imports[1].Name.Name != "test:pkg/other" {
		t.Errorf("import 1 name = %+v", c.Imports[1].Name)
	}
	if c.Imports[2].Name.ExternalID != "ext-id" {
		t.Errorf("import 2 name = %+v", c.Imports[2].Name)
	}
	// Two imports of equal instance types still have distinct resources.
	r0 := c.Instances[0].Export("res").Desc.Type.Resource
	r1 := c.Instances[1].Export("res").Desc.Type.Resource
	if r0 == nil || r1 == nil || r0 == r1 || r0.Defined {
		t.Errorf("import resources %+v %+v", r0, r1)
	}
	// resource.drop of the aliased import resource.
	d, err := c.Def(SortCoreFunc, 2)
	if err != nil {
		t.Fatal(err)
	}
	if rd, ok := d.(*ResourceDrop); !ok || rd.Resource != r0 {
		t.Errorf("core func 2 = %#v", d)
	}
	d, _ = c.Def(SortFunc, 2)
	lift, ok := d.(*CanonLift)
	if !ok || lift.CoreFunc != 4 || lift.Options.Memory == nil || *lift.Options.Realloc != 5 || lift.Options.StringEncoding != UTF8 {
		t.Errorf("func 2 = %#v", d)
	}
	if _, err := c.Def(SortFunc, 99); err == nil {
		t.Error("Def out of range: no error")
	}
	// The instance of the nested component has its abstract resource
	// replaced by the resource passed in.
	it := c.Instances[2]
	ctor := c.Resolve.Types[Underlying(c.Resolve, it.Export("r").Desc.Type.Value).ID]
	if ctor.Kind != wit.KindResource || it.Export("r").Desc.Type.Resource != res {
		t.Errorf("instance 2 export r = %+v", it.Export("r").Desc.Type)
	}
	nested := c.Defs[c.Spaces[SortComponent][0]].(*NestedComponent).Component
	if nested.Parent != c || len(nested.Exports) != 3 || nested.Exports[2].Ascribed == nil {
		t.Errorf("nested component = %+v", nested)
	}
	mod := c.Defs[c.Spaces[SortCoreModule][0]].(*CoreModuleDef)
	if len(mod.Type.Imports) != 1 || mod.Type.Export("run") == nil || mod.Type.Export("run").Type.Func == nil {
		t.Errorf("core module type = %+v", mod.Type)
	}
}

func TestWorldSample(t *testing.T) {
	c := mustDecode(t, sample())
	r, wid, err := c.World()
	if err != nil {
		t.Fatal(err)
	}
	w := r.Worlds[wid]
	var imports, exports []string
	for _, it := range w.Imports {
		imports = append(imports, r.KeyName(it.Key))
	}
	for _, it := range w.Exports {
		exports = append(exports, r.KeyName(it.Key))
	}
	if got := strings.Join(imports, " "); got != "test:pkg/iface@1.2.3 test:pkg/other log tres teq" {
		t.Errorf("imports = %s", got)
	}
	if got := strings.Join(exports, " "); got != "test:pkg/exported@1.0.0 run2 inline" {
		t.Errorf("exports = %s", got)
	}
	iface := r.Interfaces[w.Imports[0].Interface]
	ctor := iface.Function("[constructor]res")
	if ctor == nil || ctor.Kind != wit.Constructor || r.Types[ctor.Resource].Name != "res" {
		t.Fatalf("constructor = %+v", ctor)
	}
	m := iface.Function("[method]res.get")
	if m == nil || m.Kind != wit.Method || m.Resource != ctor.Resource || m.Result.Prim != wit.U32 {
		t.Errorf("method = %+v", m)
	}
	if id, ok := iface.Type("rec"); !ok || r.Types[id].Kind != wit.KindRecord || r.Types[id].Fields[1].Name != "n" {
		t.Errorf("rec = %v %v", id, ok)
	}
	exp := r.Interfaces[w.Exports[0].Interface]
	rid, ok := exp.Type("r")
	if !ok || r.Types[rid].Kind != wit.KindResource {
		t.Fatalf("exported r: %v", ok)
	}
	run := exp.Function("run")
	if run == nil || len(run.Params) != 0 || !run.Result.IsNone() {
		t.Errorf("exported run = %+v", run)
	}
	pkg := r.Packages[*exp.Package]
	if pkg.Name.String() != "test:pkg@1.0.0" {
		t.Errorf("exported interface package = %s", pkg.Name)
	}
	inline := r.Interfaces[w.Exports[2].Interface]
	if inline.Name != nil || inline.Function("run") == nil {
		t.Errorf("inline interface = %+v", inline)
	}
	if len(r.JSON()) == 0 {
		t.Error("no JSON")
	}
}

// errCase builds a component from sections and expects an error.
type errCase struct {
	name string
	bin  []byte
	want string
}

func TestDecodeErrors(t *testing.T) {
	fn := vsec(7, tFunc(nil, nil))
	imp := vsec(10, cat(name("f"), xFunc(0)))
	canon := func(entries ...[]byte) []byte { return component(fn, imp, vsec(8, entries...)) }
	cases := []errCase{
		{"empty", nil, "offset 0x0: not a WebAssembly binary"},
		{"core module", coreModule(), "this is a core module, not a component"},
		{"version", cat(b(0, 0x61, 0x73, 0x6d, 0x0c, 0, 1, 0)), "unsupported component binary version"},
		{"unknown section", component(section(13)), "unknown section id 13"},
		{"section too long", cat(component(), b(7, 10, 0)), "truncated at byte 11 (reading the type section (id 7) of 10 bytes at byte 8, the file ends 1 byte into it)"},
		{"section size cut", cat(component(), b(7, 0x80)), "truncated at byte 10 (reading the size of the type section (id 7) at byte 8)"},
		{"preamble cut", b(0, 0x61, 0x73, 0x6d, 0x0d, 0), "truncated at byte 6 (reading the 8-byte preamble)"},
		{"trailing bytes", component(section(7, vec(), b(0))), "type section: 1 unread bytes at the end of the section"},
		{"unknown value type", component(vsec(7, b(0x70, 0x59))), "offset 0xc: type section entry 0: unknown value type 0x59"},
		{"unknown type", component(vsec(7, b(0x5a))), "type section entry 0: unknown type 0x5a"},
		{"type index out of range", component(vsec(7, b(0x70, 0x05))), "type index 5 out of range (0 types defined)"},
		{"not a value type", component(fn, vsec(7, b(0x70, 0x00))), "type index 0 is a func type, not a value type"},
		{"own of non-resource", component(vsec(7, b(0x7f), b(0x69, 0x00))), "type section entry 1: type index 0 is a value type, not a resource type"},
		{"empty record", component(vsec(7, tRecord())), "record with no fields"},
		{"duplicate field", component(vsec(7, tRecord(field("a", b(0x7f)), field("a", b(0x7f))))), `duplicate field name "a"`},
		{"too many flags", component(vsec(7, cat(b(0x6e), vec(func() [][]byte {
			var l [][]byte
			for i := 0; i < 33; i++ {
				l = append(l, str(string(rune('a'+i%26))+strings.Repeat("x", i/26)))
			}
			return l
		}()...)))), "flags with 33 labels"},
		{"fixed list 0", component(vsec(7, b(0x67, 0x7f, 0x00))), "fixed-length list of length 0"},
		{"fixed list too long", component(vsec(7, cat(b(0x67, 0x7f), leb(1<<28)))), "fixed-length list of length 268435456: the component model allows at most 268435455"},
		{"fixed list u32 max", component(vsec(7, cat(b(0x67, 0x7f), leb(1<<32-1)))), "fixed-length list of length 4294967295"},
		{"map key", component(vsec(7, b(0x63, 0x76, 0x7f))), "map key must be"},
		{"named results", component(vsec(7, cat(b(0x40), vec(), b(0x01, 0x01), str("a"), b(0x7f)))), "named results are not supported"},
		{"borrow result", component(vsec(7, b(0x3f, 0x7f, 0x00), b(0x68, 0x00), tFunc(nil, idx(1)))), "function result contains a borrow handle"},
		{"resource rep", component(vsec(7, b(0x3f, 0x7e, 0x00))), "resource representation must be i32"},
		{"resource in type", component(vsec(7, tInstance(dType(b(0x3f, 0x7f, 0x00))))), "resource types cannot be defined inside component or instance types"},
		{"import in instance type", component(vsec(7, tInstance(dImport(name("a"), xSubResource())))), "imports are not allowed in instance types"},
		{"duplicate import", component(fn, vsec(10, cat(name("f"), xFunc(0)), cat(name("f"), xFunc(0)))), `duplicate import name "f"`},
		{"duplicate export", component(fn, imp, vsec(11, cat(name("g"), sFunc, leb(0), b(0)), cat(name("g"), sFunc, leb(0), b(0)))), `duplicate export name "g"`},
		{"bad name encoding", component(fn, vsec(10, cat(b(0x05), str("f"), xFunc(0)))), "unknown name encoding 0x05"},
		{"value import", component(vsec(10, cat(name("v"), b(0x02, 0x01, 0x7f)))), "value imports and exports are not supported yet"},
		{"start", component(section(9, leb(0), vec(), leb(0))), "start section: component start functions are not supported yet"},
		{"value section", component(section(12, vec())), "value section: component values are not supported yet"},
		{"outer alias too far", component(vsec(6, cat(sType, b(0x02), leb(3), leb(0)))), "outer alias count 3 exceeds the 0 enclosing scopes"},
		{"alias missing export", component(vsec(7, tInstance()), vsec(10, cat(name("i"), xInstance(0))), vsec(6, cat(sFunc, b(0x00), leb(0), str("nope")))), `instance 0 has no func export "nope"`},
		{"missing instantiate arg", component(section(4, component(fn, imp)), vsec(5, cat(b(0x00), leb(0), vec()))), `instantiate: no argument for import "f"`},
		{"core instantiate missing arg", component(section(1, sampleModule()), vsec(2, cat(b(0x00), leb(0), vec()))), `imports from "host" but no argument supplies it`},
		{"core alias missing", component(section(1, coreModule()), vsec(2, cat(b(0x00), leb(0), vec())), vsec(6, cat(b(0x00, 0x00, 0x01), leb(0), str("f")))), `core instance 0 has no core func export "f"`},
		{"bad core module", component(section(1, b(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 2, 5, 1))), "offset 0x12: core module section (core module 0): import section (id 2) of 5 bytes runs past the end of the embedded binary (1 byte left)"},
		{"canon lift bad type", canon(cat(b(0x01, 0x00), leb(0), vec()), cat(b(0x00, 0x00), leb(0), vec(), leb(5))), "canon section entry 1: type index 5 out of range"},
		{"canon lower bad func", canon(cat(b(0x01, 0x00), leb(7), vec())), "func index 7 out of range (1 defined)"},
		{"canon duplicate encoding", canon(cat(b(0x01, 0x00), leb(0), vec(b(0x00), b(0x01)))), "more than one string-encoding option"},
		{"canon post-return on lower", canon(cat(b(0x01, 0x00), leb(0), vec(cat(b(0x05), leb(0))))), "post-return is only allowed on canon lift"},
		{"canon async option", canon(cat(b(0x01, 0x00), leb(0), vec(b(0x06)))), "canon lower: async option: async components are not supported yet"},
		{"canon callback option", canon(cat(b(0x01, 0x00), leb(0), vec(cat(b(0x07), leb(0))))), "callback option: async components are not supported yet"},
		{"canon memory out of range", canon(cat(b(0x01, 0x00), leb(0), vec(cat(b(0x03), leb(0))))), "core memory index 0 out of range"},
		{"resource.new of import", component(vsec(10, cat(name("r"), xSubResource())), vsec(8, cat(b(0x02), leb(0)))), "resource.new: type 0 is not a resource defined by this component"},
		{"unknown canon", canon(b(0x3a, 0x00)), "unknown canon opcode 0x3a"},
		{"async func type lift", component(vsec(7, cat(b(0x43), vec(), b(0x01, 0x00))), vsec(8, cat(b(0x00, 0x00), leb(0), vec(), leb(0)))), "core func index 0 out of range"},
		{"leb too long", component(section(7, b(0x80, 0x80, 0x80, 0x80, 0x80, 0x00))), "integer representation too long"},
		{"count too large", component(section(7, leb(1000))), "type count 1000 exceeds the 0 bytes left"},
		{"bad utf8", component(vsec(10, cat(b(0x00, 0x01, 0xff), xFunc(0)))), "name is not valid UTF-8"},
		{"nested error context", component(section(4, component(vsec(7, b(0x59))))), "component section (component 0): type section entry 0: unknown type 0x59"},
	}
	for op, nm := range unsupportedCanon {
		cases = append(cases, errCase{"canon " + nm, canon(cat(b(op), b(0, 0, 0, 0, 0, 0))), "canon section entry 0: " + nm + ": " + unsupportedReason(nm)})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(tc.bin)
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			var de *Error
			if !errors.As(err, &de) {
				t.Fatalf("error %T is not *Error", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q\nwant it to contain %q", err, tc.want)
			}
			if de.Offset < 0 || de.Offset > len(tc.bin) {
				t.Errorf("offset %d outside the input (%d bytes)", de.Offset, len(tc.bin))
			}
		})
	}
}

func TestTaskReturnMessage(t *testing.T) {
	var err error
	_, err = Decode(component(vsec(8, b(0x09, 0x01, 0x00, 0x00))))
	want := "offset 0xb: canon section entry 0: task.return: async components are not supported yet"
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

// sectionEnds lists the offsets where a top-level section ends.
func sectionEnds(bin []byte) map[int]bool {
	ends := map[int]bool{8: true}
	r := newReader(bin, 0)
	r.pos = 8
	for r.ok() && !r.eof() {
		r.byte()
		n := r.u32()
		r.bytes(int(n))
		if r.ok() {
			ends[r.pos] = true
		}
	}
	return ends
}

func TestTruncated(t *testing.T) {
	bin := sample()
	ends := sectionEnds(bin)
	for n := 0; n < len(bin); n++ {
		_, err := Decode(bin[:n])
		if ends[n] {
			// A prefix of whole sections is a component too, unless a
			// later section supplied something an earlier one needs.
			continue
		}
		if err == nil {
			t.Errorf("prefix of %d bytes decoded without error", n)
			continue
		}
		var de *Error
		if !errors.As(err, &de) || de.Offset > n {
			t.Errorf("prefix %d: error %v has offset beyond the input", n, err)
		}
	}
}

func TestCorrupted(t *testing.T) {
	// Every single-byte change must give a component or an error, never a panic.
	bin := sample()
	for i := range bin {
		for _, v := range []byte{0x00, 0x01, 0x7f, 0x80, 0xff, bin[i] + 1} {
			c := append([]byte(nil), bin...)
			c[i] = v
			if comp, err := Decode(c); err == nil {
				_, _, _ = comp.World()
			}
		}
	}
}

func TestTypeDeclarations(t *testing.T) {
	ct := tComponent(
		dType(tInstance(dExport(name("r"), xSubResource()))), // type 0
		dImport(name("i"), xInstance(0)),                     // instance 0
		dAliasExport(0, "r"),                                 // type 1
		dType(b(0x69, 0x01)),                                 // type 2: own<r>
		dType(tFunc(nil, idx(2))),                            // type 3
		dExport(name("make"), xFunc(3)),
		dCoreType(cat(b(0x50), vec(cat(b(0x03), str("memory"), b(0x02, 0x00, 0x01))))),
		dImport(name("m"), xModule(0)),
	)
	c := mustDecode(t, component(
		vsec(7, ct),
		section(4, component()),
		vsec(5, cat(b(0x01), vec(cat(name("c"), sComponent, leb(0))))),
	))
	checkSpaces(t, c)
	typ := c.Types[0].Component
	if len(typ.Imports) != 2 || len(typ.Exports) != 1 || typ.Imports[1].Desc.CoreModule.Export("memory").Type.Kind != CoreMemory {
		t.Fatalf("component type = %+v", typ)
	}
	// own<r> inside the type refers to the resource of the imported instance.
	own := c.Resolve.Types[typ.Exports[0].Desc.Func.Result.ID]
	if own.Kind != wit.KindOwn || c.Resources[own.Resource] != typ.Imports[0].Desc.Instance.Export("r").Desc.Type.Resource {
		t.Errorf("own<r> = %+v", own)
	}
	if e := c.Instances[0].Export("c"); e == nil || e.Desc.Sort != SortComponent {
		t.Errorf("inline export of a component: %+v", e)
	}
}

func TestSharedSubtypesStayLinear(t *testing.T) {
	// tuple<t, t> nested 400 deep has 2^400 paths; checks that walk types
	// (borrows in results, substitution, World) must not follow them all.
	types := [][]byte{b(0x3f, 0x7f, 0x00), b(0x68, 0x00)}
	for i := 1; i < 400; i++ {
		types = append(types, cat(b(0x6f), vec(idx(uint32(i)), idx(uint32(i)))))
	}
	types = append(types, tFunc([][]byte{field("a", idx(uint32(len(types)-1)))}, nil))
	c := mustDecode(t, component(vsec(7, types...)))
	if c.Len(SortType) != 402 {
		t.Fatalf("%d types", c.Len(SortType))
	}
	types[len(types)-1] = tFunc(nil, idx(uint32(len(types)-2)))
	if _, err := Decode(component(vsec(7, types...))); err == nil || !strings.Contains(err.Error(), "contains a borrow") {
		t.Errorf("borrow in a deep result: %v", err)
	}
	deep := [][]byte{b(0x7f)}
	for i := 0; i < maxTypeDepth+2; i++ {
		deep = append(deep, cat(b(0x70), idx(uint32(i))))
	}
	if _, err := Decode(component(vsec(7, deep...))); err == nil || !strings.Contains(err.Error(), "nested more than") {
		t.Errorf("too deep: %v", err)
	}
}
