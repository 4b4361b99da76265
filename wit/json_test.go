package wit

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// jsonCorpusDir holds wit-parser's UI tests with their expected JSON,
// shared by every checkout on these machines (see its PROVENANCE.md).
const jsonCorpusDir = "../../shared/wit-conformance"

func jsonCorpus(tb testing.TB) []string {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join(jsonCorpusDir, "*.wit.json"))
	if err != nil {
		tb.Fatal(err)
	}
	if len(files) == 0 {
		tb.Skipf("no conformance corpus at %s", jsonCorpusDir)
	}
	return files
}

// TestJSONConformance decodes every expected output of wit-parser and
// re-encodes it: equal bytes prove both directions on real data.
func TestJSONConformance(t *testing.T) {
	files := jsonCorpus(t)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			want = bytes.TrimRight(bytes.ReplaceAll(want, []byte("\r\n"), []byte("\n")), " \t\r\n")
			r, err := DecodeJSON(want)
			if err != nil {
				t.Fatal(err)
			}
			if got := r.JSON(); !bytes.Equal(got, want) {
				t.Errorf("re-encoding differs from wit-parser:\n%s", jsonDiff(got, want))
			}
		})
	}
	t.Logf("%d conformance files round-tripped", len(files))
}

// jsonDiff shows the lines around the first difference.
func jsonDiff(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		if i >= len(g) || i >= len(w) || g[i] != w[i] {
			lo := max(i-3, 0)
			return "line " + strconv.Itoa(i+1) + "\n got: " + strings.Join(g[lo:min(i+3, len(g))], "\n      ") +
				"\nwant: " + strings.Join(w[lo:min(i+3, len(w))], "\n      ")
		}
	}
	return "(no line differs)"
}

func TestJSONStringEscapes(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain-name", `"plain-name"`},
		{`q"b\s`, `"q\"b\\s"`},
		{"\n\t\r\b\f", `"\n\t\r\b\f"`},
		{"\x00\x01\x1f", `"\u0000\u0001\u001f"`},
		{"\x7f<>&/", "\"\x7f<>&/\""},
		{"é😀\u2028", "\"é😀\u2028\""},
		{"a\xffb", "\"a\uFFFDb\""},
		{"", `""`},
	}
	for _, tt := range tests {
		var w jsonWriter
		w.str(tt.in)
		if got := string(w.buf); got != tt.want {
			t.Errorf("str(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func jsonPtr[T any](v T) *T { return &v }

func TestJSONDocsAndStability(t *testing.T) {
	v := func(s string) *Version {
		return &Version{Major: uint64(s[0] - '0'), Minor: uint64(s[2] - '0'), Patch: uint64(s[4] - '0')}
	}
	tests := []struct {
		name string
		docs Docs
		stab Stability
		want string // members after name/kind/owner
	}{
		{"none", Docs{}, Stability{}, ``},
		{"empty-docs", Docs{Contents: jsonPtr("")}, Stability{}, `,
  "docs": {
    "contents": ""
  }`},
		{"docs", Docs{Contents: jsonPtr("line 1\nline \"2\"")}, Stability{}, `,
  "docs": {
    "contents": "line 1\nline \"2\""
  }`},
		{"stable", Docs{}, Stability{Kind: StabilityStable, Since: v("1.2.3")}, `,
  "stability": {
    "stable": {
      "since": "1.2.3"
    }
  }`},
		{"stable-deprecated", Docs{}, Stability{Kind: StabilityStable, Since: v("1.0.0"), Deprecated: v("2.0.0")}, `,
  "stability": {
    "stable": {
      "since": "1.0.0",
      "deprecated": "2.0.0"
    }
  }`},
		{"unstable", Docs{}, Stability{Kind: StabilityUnstable, Feature: "fancy"}, `,
  "stability": {
    "unstable": {
      "feature": "fancy"
    }
  }`},
		{"unstable-deprecated", Docs{Contents: jsonPtr("d")}, Stability{Kind: StabilityUnstable, Feature: "f", Deprecated: &Version{Major: 1, Pre: "rc.1", Build: "b5"}}, `,
  "docs": {
    "contents": "d"
  },
  "stability": {
    "unstable": {
      "feature": "f",
      "deprecated": "1.0.0-rc.1+b5"
    }
  }`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			td := &TypeDef{Name: "r", Kind: KindResource, Docs: tt.docs, Stability: tt.stab}
			want := "{\n  \"name\": \"r\",\n  \"kind\": \"resource\",\n  \"owner\": null" + tt.want + "\n}"
			checkTypeDefJSON(t, []*TypeDef{td}, want)
		})
	}
}

// checkTypeDef encodes the last of types, compares it with want and checks
// that a Resolve holding types survives a decode/encode round trip.
func checkTypeDefJSON(t *testing.T, types []*TypeDef, want string) {
	t.Helper()
	var w jsonWriter
	w.typeDef(types[len(types)-1])
	if got := string(w.buf); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	jsonRoundTrip(t, &Resolve{Types: types})
}

func jsonRoundTrip(t *testing.T, r *Resolve) {
	t.Helper()
	enc := r.JSON()
	back, err := DecodeJSON(enc)
	if err != nil {
		t.Fatalf("decoding our own output: %v\n%s", err, enc)
	}
	if again := back.JSON(); !bytes.Equal(again, enc) {
		t.Errorf("round trip differs:\n%s", jsonDiff(again, enc))
	}
}

func TestJSONTypeDefKinds(t *testing.T) {
	res := &TypeDef{Name: "res", Kind: KindResource}
	u32 := Type{Prim: U32}
	tests := []struct {
		def  TypeDef
		want string // the "kind" value
	}{
		{TypeDef{Kind: KindRecord, Fields: []Field{{Name: "a", Type: u32}, {Name: "b", Type: TypeRef(0), Docs: Docs{Contents: jsonPtr("x")}}}}, `{
    "record": {
      "fields": [
        {
          "name": "a",
          "type": "u32"
        },
        {
          "name": "b",
          "type": 0,
          "docs": {
            "contents": "x"
          }
        }
      ]
    }
  }`},
		{TypeDef{Kind: KindRecord}, `{
    "record": {
      "fields": []
    }
  }`},
		{TypeDef{Kind: KindResource}, `"resource"`},
		{TypeDef{Kind: KindOwn, Resource: 0}, `{
    "handle": {
      "own": 0
    }
  }`},
		{TypeDef{Kind: KindBorrow, Resource: 0}, `{
    "handle": {
      "borrow": 0
    }
  }`},
		{TypeDef{Kind: KindFlags, Flags: []Flag{{Name: "r"}, {Name: "w", Docs: Docs{Contents: jsonPtr("")}}}}, `{
    "flags": {
      "flags": [
        {
          "name": "r"
        },
        {
          "name": "w",
          "docs": {
            "contents": ""
          }
        }
      ]
    }
  }`},
		{TypeDef{Kind: KindTuple, Types: []Type{{Prim: Bool}, {Prim: ErrorContext}}}, `{
    "tuple": {
      "types": [
        "bool",
        "error-context"
      ]
    }
  }`},
		{TypeDef{Kind: KindVariant, Cases: []Case{{Name: "none"}, {Name: "some", Type: Type{Prim: Char}}}}, `{
    "variant": {
      "cases": [
        {
          "name": "none",
          "type": null
        },
        {
          "name": "some",
          "type": "char"
        }
      ]
    }
  }`},
		{TypeDef{Kind: KindEnum, Enum: []EnumCase{{Name: "a"}}}, `{
    "enum": {
      "cases": [
        {
          "name": "a"
        }
      ]
    }
  }`},
		{TypeDef{Kind: KindOption, Elem: Type{Prim: String}}, `{
    "option": "string"
  }`},
		{TypeDef{Kind: KindResult, Ok: Type{Prim: S64}}, `{
    "result": {
      "ok": "s64",
      "err": null
    }
  }`},
		{TypeDef{Kind: KindList, Elem: Type{Prim: U8}}, `{
    "list": "u8"
  }`},
		{TypeDef{Kind: KindMap, Key: Type{Prim: String}, Elem: TypeRef(0)}, `{
    "map": [
      "string",
      0
    ]
  }`},
		{TypeDef{Kind: KindFixedList, Elem: Type{Prim: F32}, Size: 4294967295}, `{
    "fixed-length-list": [
      "f32",
      4294967295
    ]
  }`},
		{TypeDef{Kind: KindFuture}, `{
    "future": null
  }`},
		{TypeDef{Kind: KindFuture, Elem: Type{Prim: F64}}, `{
    "future": "f64"
  }`},
		{TypeDef{Kind: KindStream, Elem: Type{Prim: S8}}, `{
    "stream": "s8"
  }`},
		{TypeDef{Kind: KindAlias, Elem: TypeRef(0)}, `{
    "type": 0
  }`},
		{TypeDef{Kind: KindUnknown}, `"unknown"`},
	}
	for _, tt := range tests {
		t.Run(tt.def.Kind.String(), func(t *testing.T) {
			def := tt.def
			want := "{\n  \"name\": null,\n  \"kind\": " + tt.want + ",\n  \"owner\": null\n}"
			checkTypeDefJSON(t, []*TypeDef{res, &def}, want)
		})
	}
}

func TestJSONFunctionKinds(t *testing.T) {
	for k := Freestanding; k <= Constructor; k++ {
		t.Run(k.String(), func(t *testing.T) {
			f := &Function{Name: "f", Kind: k, Params: []Param{{Name: "self", Type: TypeRef(1)}, {Type: Type{Prim: U16}}}}
			kind := `"` + k.String() + `"`
			if k != Freestanding && k != AsyncFreestanding {
				f.Resource = 0
				kind = "{\n    \"" + k.String() + "\": 0\n  }"
			}
			if k == Constructor {
				f.Result = TypeRef(1)
			}
			var w jsonWriter
			w.function(f)
			want := "{\n  \"name\": \"f\",\n  \"kind\": " + kind + `,
  "params": [
    {
      "name": "self",
      "type": 1
    },
    {
      "type": "u16"
    }
  ]`
			if k == Constructor {
				want += ",\n  \"result\": 1"
			}
			want += "\n}"
			if got := string(w.buf); got != want {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
			jsonRoundTrip(t, &Resolve{
				Types:      []*TypeDef{{Name: "r", Kind: KindResource}, {Kind: KindBorrow}},
				Interfaces: []*Interface{{Name: jsonPtr("i"), Functions: []*Function{f}}},
			})
		})
	}
}

// TestJSONWorld covers world keys, item kinds and packages, which the
// conformance corpus has but where a mistake would be easy to miss.
func TestJSONWorld(t *testing.T) {
	pkg := PackageID(0)
	r := &Resolve{
		Packages: []*Package{{
			Name:       PackageName{Namespace: "a", Name: "b", Version: &Version{Minor: 2}},
			Docs:       Docs{Contents: jsonPtr("pkg")},
			Interfaces: []NamedInterface{{Name: "i", ID: 0}},
			Worlds:     []NamedWorld{{Name: "w", ID: 0}},
		}},
		Interfaces: []*Interface{{Name: jsonPtr("i"), Package: &pkg}, {Package: &pkg, CloneOf: jsonPtr(InterfaceID(0))}},
		Types:      []*TypeDef{{Name: "t", Kind: KindResource, Owner: Owner{Kind: OwnerWorld}, ExternalID: "x"}},
		Worlds: []*World{{
			Name:    "w",
			Package: &pkg,
			Imports: []*WorldItem{
				{Key: WorldKey{Interface: 0, IsInterface: true}, Kind: WorldInterface, ExternalID: "ext"},
				{Key: WorldKey{Name: "inline"}, Kind: WorldInterface, Interface: 1, Docs: Docs{Contents: jsonPtr("d")}},
				{Key: WorldKey{Name: "t"}, Kind: WorldType},
			},
			Exports: []*WorldItem{{Key: WorldKey{Name: "f"}, Kind: WorldFunction, Function: &Function{Name: "f"}}},
		}},
	}
	jsonRoundTrip(t, r)
	back, err := DecodeJSON(r.JSON())
	if err != nil {
		t.Fatal(err)
	}
	if k := back.Worlds[0].Imports[0].Key; !k.IsInterface || k.Interface != 0 {
		t.Errorf("interface key decoded as %+v", k)
	}
	if k := back.Worlds[0].Imports[1].Key; k.IsInterface || k.Name != "inline" {
		t.Errorf("named key decoded as %+v", k)
	}
	if id, ok := back.PackageNames["a:b@0.2.0"]; !ok || id != 0 {
		t.Errorf("PackageNames = %v", back.PackageNames)
	}
	for _, s := range []string{`"interface-0": {`, `"external_id": "ext"`, `"clone_of": 0`, `"name": "a:b@0.2.0"`, `"exports": {
        "f": {
          "function": {`, `"t": {
          "type": 0
        }`} {
		if !bytes.Contains(r.JSON(), []byte(s)) {
			t.Errorf("output lacks %s", s)
		}
	}
}

func TestDecodeJSONErrors(t *testing.T) {
	const base = `{"worlds": [], "interfaces": [], "types": [%s], "packages": []}`
	doc := func(types string) string { return strings.Replace(base, "%s", types, 1) }
	tests := []struct {
		in, path, msg string
	}{
		{`{"worlds": [}`, "", "invalid character"},
		{`{"worlds": []`, "", "unexpected end of input"},
		{`{} {}`, "", "after the top-level value"},
		{`[]`, "", "expected an object, found an array"},
		{`{"worlds": [], "interfaces": [], "types": []}`, "", `missing field "packages"`},
		{`{"worlds": [], "worlds": [], "interfaces": [], "types": [], "packages": []}`, "worlds", `duplicate key "worlds"`},
		{doc(`{"name": null, "kind": {"list": 5}, "owner": null}`), "types[0].kind.list", "type id 5 out of range (1 types)"},
		{doc(`{"name": null, "kind": {"list": 0}, "owner": null}`), "types[0].kind.list", "not defined before type 0"},
		{doc(`{"name": null, "kind": {"list": -1}, "owner": null}`), "types[0].kind.list", "expected an integer"},
		{doc(`{"name": null, "kind": {"list": "u31"}, "owner": null}`), "types[0].kind.list", `unknown primitive type "u31"`},
		{doc(`{"name": null, "kind": {"list": null}, "owner": null}`), "types[0].kind.list", "expected a type"},
		{doc(`{"name": "", "kind": "resource", "owner": null}`), "types[0].name", "empty type name"},
		{doc(`{"name": "r", "kind": "resource", "owner": {"interface": 0}}`), "types[0].owner.interface", "interface id 0 out of range"},
		{doc(`{"name": "r", "kind": "resource", "owner": null, "colour": 1}`), "types[0].colour", `unknown field "colour"`},
		{doc(`{"name": "r", "kind": {"list": "u8", "option": "u8"}, "owner": null}`), "types[0].kind", "expected exactly one of"},
		{doc(`{"name": "r", "kind": "resource", "owner": null, "stability": {"stable": {"since": "1.0"}}}`), "types[0].stability.stable.since", "invalid version"},
		{doc(`{"name": "r", "kind": {"fixed-length-list": ["u8"]}, "owner": null}`), "types[0].kind.fixed-length-list", "expected 2 elements"},
		{doc(`{"name": "r", "kind": {"fixed-length-list": ["u8", 4294967296]}, "owner": null}`), "types[0].kind.fixed-length-list[1]", "expected an integer"},
		{`{"worlds": [], "interfaces": [{"name": "i", "types": {}, "functions": {"[method]r.f": {"name": "g", "kind": "freestanding", "params": []}}, "package": null}], "types": [], "packages": []}`,
			`interfaces[0].functions["[method]r.f"]`, "must match"},
		{`{"worlds": [], "interfaces": [], "types": [], "packages": [{"name": "nocolon", "interfaces": {}, "worlds": {}}]}`, "packages[0].name", "not namespace:name"},
		{`{"worlds": [], "interfaces": [], "types": [], "packages": [{"name": "a:b", "interfaces": {}, "worlds": {}}, {"name": "a:b", "interfaces": {}, "worlds": {}}]}`, "packages[1]", "duplicate package a:b"},
		{`{"worlds": [{"name": "w", "imports": {"x": {"type": 0}}, "exports": {}, "package": null}], "interfaces": [], "types": [], "packages": []}`, `worlds[0].imports.x.type`, "type id 0 out of range (0 types)"},
	}
	for _, tt := range tests {
		_, err := DecodeJSON([]byte(tt.in))
		var je *JSONError
		if !errors.As(err, &je) {
			t.Errorf("DecodeJSON(%s) = %v, want a *JSONError", tt.in, err)
			continue
		}
		if je.Path != tt.path || !strings.Contains(je.Msg, tt.msg) {
			t.Errorf("DecodeJSON(%s):\n got %v\nwant path %q and message containing %q", tt.in, err, tt.path, tt.msg)
		}
		if je.Offset < 0 || je.Offset > int64(len(tt.in)) {
			t.Errorf("DecodeJSON(%s): offset %d outside the input", tt.in, je.Offset)
		}
	}
}

func FuzzDecodeJSON(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(jsonCorpusDir, "*.wit.json"))
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"worlds": [], "interfaces": [], "types": [], "packages": []}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := DecodeJSON(data)
		if err != nil {
			return
		}
		enc := r.JSON()
		back, err := DecodeJSON(enc)
		if err != nil {
			t.Fatalf("re-decoding our output: %v\n%s", err, enc)
		}
		if again := back.JSON(); !bytes.Equal(again, enc) {
			t.Fatalf("re-encoding differs:\n%s", jsonDiff(again, enc))
		}
	})
}

// largestConformance returns the biggest expected output in the corpus.
func largestCorpusJSON(b *testing.B) []byte {
	var best []byte
	for _, file := range jsonCorpus(b) {
		data, err := os.ReadFile(file)
		if err != nil {
			b.Fatal(err)
		}
		if len(data) > len(best) {
			best = data
		}
	}
	return best
}

func BenchmarkJSON(b *testing.B) {
	r, err := DecodeJSON(largestCorpusJSON(b))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(r.JSON())))
	b.ReportAllocs()
	for b.Loop() {
		r.JSON()
	}
}

func BenchmarkDecodeJSON(b *testing.B) {
	data := largestCorpusJSON(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeJSON(data); err != nil {
			b.Fatal(err)
		}
	}
}
