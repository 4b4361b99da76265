package syntax

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func mustParse(t *testing.T, src string) *SourceFile {
	t.Helper()
	fset := NewFileSet()
	f, errs := ParseFile(fset, "x.wit", []byte(src))
	for _, e := range errs {
		t.Errorf("%s", fset.Render(e))
	}
	return f
}

// text returns the source covered by span.
func text(f *SourceFile, s Span) string {
	return string(f.File.Source()[f.File.Offset(s.Start):f.File.Offset(s.End)])
}

func TestSpans(t *testing.T) {
	const src = `/// header docs
package ns:pkg@1.2.3-rc.1+b5;

@since(version = 1.0.0)
interface i {
  use ns:other/types@2.0.0.{t as u};
  /// a record
  record r { a: u32, /* b */ b: list<u8, 4>, }
  resource res {
    constructor(x: u32) -> result<res, string>;
    /* m */ m: func();
    s: static async func(b: borrow<res>) -> own<res>;
  }
  f: async func(x: map<string, option<%type>>) -> result<_, u32>;
  resource plain;
  type t = tuple<future, stream<u8>>;
}

world w {
  import name: ns:pkg/i;
  export x: interface { g: func(); }
  include ns:pkg/w2 with { a as b }
  @external-id("x\u{41}")
  import %q: func();
}
`
	f := mustParse(t, src)
	if t.Failed() {
		return
	}
	check := func(what string, s Span, want string) {
		t.Helper()
		if got := text(f, s); got != want {
			t.Errorf("%s: span covers %q, want %q", what, got, want)
		}
	}
	pkg := f.Package
	check("package decl", pkg.Span, "package ns:pkg@1.2.3-rc.1+b5;")
	check("package name", pkg.Name.Span, "ns:pkg@1.2.3-rc.1+b5")
	check("package version", pkg.Name.Version.Span, "1.2.3-rc.1+b5")
	check("package docs", pkg.Docs.Span, "/// header docs")

	i := f.Items[0].(*Interface)
	check("interface", i.Span, src[strings.Index(src, "interface i"):strings.Index(src, "\n\nworld")])
	check("attribute", i.Attributes[0].Span, "since")
	check("attribute full", i.Attributes[0].Full, "@since(version = 1.0.0)")
	check("attribute version", i.Attributes[0].Version.Span, "1.0.0")

	use := i.Items[0].(*Use)
	check("use", use.Span, "use ns:other/types@2.0.0.{t as u};")
	check("use path", use.From.Span, "ns:other/types@2.0.0")
	check("use path package", use.From.Package.Span, "ns:other")
	check("use alias", use.Names[0].As.Span, "u")

	rec := i.Items[1].(*TypeDef)
	check("record typedef", rec.Span, "record r { a: u32, /* b */ b: list<u8, 4>, }")
	check("record docs", rec.Docs.Span, "/// a record")
	rt := rec.Type.(*RecordType)
	check("record body", rt.Span, "{ a: u32, /* b */ b: list<u8, 4>, }")
	check("field docs", rt.Fields[1].Docs.Span, "/* b */")
	lt := rt.Fields[1].Type.(*ListType)
	check("fixed list", lt.Span, "list<u8, 4>")
	check("fixed list size", lt.SizeAt, "4")
	if !lt.HasSize || lt.Size != 4 {
		t.Errorf("list size = %v %d", lt.HasSize, lt.Size)
	}

	res := i.Items[2].(*TypeDef)
	rst := res.Type.(*ResourceType)
	check("resource body", rst.Span, src[strings.Index(src, "{\n    constructor"):strings.Index(src, "\n  f: async")])
	ctor := rst.Funcs[0]
	check("constructor", ctor.Span, "constructor(x: u32) -> result<res, string>;")
	check("constructor name", ctor.Name.Span, "constructor")
	check("constructor func", ctor.Func.Span, "constructor")
	check("constructor result", ctor.Func.Result.TypeSpan(), "result<res, string>")
	if ctor.Name.Name != "constructor" || ctor.Func.Kind != FuncConstructor {
		t.Errorf("constructor = %q kind %d", ctor.Name.Name, ctor.Func.Kind)
	}
	m, s := rst.Funcs[1], rst.Funcs[2]
	check("method docs", m.Docs.Span, "/* m */")
	check("method", m.Span, "m: func();")
	check("static func kw", s.Func.Span, "func")
	check("borrow", s.Func.Params[0].Type.TypeSpan(), "borrow<res>")
	check("own", s.Func.Result.TypeSpan(), "own<res>")
	if m.Func.Kind != FuncMethod || s.Func.Kind != FuncStatic || !s.Func.Async {
		t.Errorf("kinds %d %d async %v", m.Func.Kind, s.Func.Kind, s.Func.Async)
	}

	fn := i.Items[3].(*NamedFunc)
	check("func", fn.Span, "f: async func(x: map<string, option<%type>>) -> result<_, u32>;")
	check("func kw", fn.Func.Span, "func")
	mt := fn.Func.Params[0].Type.(*MapType)
	check("map", mt.Span, "map<string, option<%type>>")
	named := mt.Value.(*OptionType).Elem.(*NamedType)
	check("explicit id", named.Name.Span, "%type")
	if named.Name.Name != "type" {
		t.Errorf("explicit id name %q", named.Name.Name)
	}
	rt2 := fn.Func.Result.(*ResultType)
	check("result", rt2.Span, "result<_, u32>")
	if rt2.Ok != nil || rt2.Err == nil {
		t.Errorf("result<_, u32> = %+v", rt2)
	}
	plain := i.Items[4].(*TypeDef).Type.(*ResourceType)
	check("resource without body", plain.Span, "plain")
	if plain.HasBody {
		t.Error("resource plain has a body")
	}
	tup := i.Items[5].(*TypeDef).Type.(*TupleType)
	check("tuple", tup.Span, "tuple<future, stream<u8>>")
	check("bare future", tup.Types[0].TypeSpan(), "future")

	w := f.Items[1].(*World)
	imp := w.Items[0].(*ImportExport)
	if imp.Kind != ExternNamedPath || imp.Name.Name != "name" || imp.Path.Name.Name != "i" {
		t.Errorf("named import = %+v", imp)
	}
	check("import", imp.Span, "import name: ns:pkg/i;")
	exp := w.Items[1].(*ImportExport)
	check("inline interface body", exp.Body, "{ g: func(); }")
	if !exp.Export || exp.Kind != ExternInterface || len(exp.Items) != 1 {
		t.Errorf("export = %+v", exp)
	}
	inc := w.Items[2].(*Include)
	check("include", inc.Span, "include ns:pkg/w2 with { a as b }")
	ext := w.Items[3].(*ImportExport)
	if len(ext.Attributes) != 1 || ext.Attributes[0].Kind != AttrExternalID || ext.Attributes[0].Value != "xA" {
		t.Errorf("external-id = %+v", ext.Attributes)
	}
	check("external-id full", ext.Attributes[0].Full, `@external-id("x\u{41}")`)
}

func TestImportForms(t *testing.T) {
	f := mustParse(t, `package a:b;
world w {
  import a:b/c;
  import a:b/c@1.0.0;
  import c;
  import a: b;
  import a: a:b/c;
  import f: func();
  import g: async func();
  import h: interface {}
}`)
	w := f.Items[0].(*World)
	want := []ExternKindTag{ExternPath, ExternPath, ExternPath, ExternNamedPath, ExternNamedPath, ExternFunc, ExternFunc, ExternInterface}
	var got []ExternKindTag
	for _, it := range w.Items {
		got = append(got, it.(*ImportExport).Kind)
	}
	if !slices.Equal(got, want) {
		t.Errorf("kinds %v, want %v", got, want)
	}
}

func TestDocs(t *testing.T) {
	f := mustParse(t, `// not docs of the header: it has none
package a:b;

// one
/* two */
interface i {
  // for f
  f: func();

  enum e {
    // case a
    a,
    b, // trailing: docs of c
    c,
  }
}
// end
`)
	texts := func(d Docs) []string {
		var out []string
		for _, c := range d.Comments {
			out = append(out, c.Text)
		}
		return out
	}
	if got := texts(f.Package.Docs); !slices.Equal(got, []string{"// not docs of the header: it has none"}) {
		t.Errorf("package docs %q", got)
	}
	i := f.Items[0].(*Interface)
	if got := texts(i.Docs); !slices.Equal(got, []string{"// one", "/* two */"}) {
		t.Errorf("interface docs %q", got)
	}
	if got := texts(i.Items[0].(*NamedFunc).Docs); !slices.Equal(got, []string{"// for f"}) {
		t.Errorf("func docs %q", got)
	}
	cases := i.Items[1].(*TypeDef).Type.(*EnumType).Cases
	if got := texts(cases[0].Docs); !slices.Equal(got, []string{"// case a"}) {
		t.Errorf("case a docs %q", got)
	}
	if got := texts(cases[2].Docs); !slices.Equal(got, []string{"// trailing: docs of c"}) {
		t.Errorf("case c docs %q", got)
	}
	if len(f.Comments) != 7 {
		t.Errorf("%d comments, want 7", len(f.Comments))
	}
}

// errorsOf parses src and renders its errors as "line:col: message".
func errorsOf(src string) (*SourceFile, []string) {
	fset := NewFileSet()
	f, errs := ParseFile(fset, "x.wit", []byte(src))
	var out []string
	for _, e := range errs {
		p := fset.Position(e.Span.Start)
		out = append(out, fmt.Sprintf("%d:%d: %s", p.Line, p.Column, e.Msg))
	}
	return f, out
}

func TestRecovery(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		errs  []string
		items string // the parsed items, as summarized by summarize
	}{{
		name: "independent errors in one interface",
		src: `package a:b;
interface one {
  x: func(a: u32) -> ;
  y: func()
  z: func();
  record r { a: u32 b: u32 }
  variant v { a(u32), b(list<>), c }
  w: func(a: u32, b: , c: u32);
}
interface two { f: func(); }
`,
		errs: []string{
			"3:22: expected a type, found ';'",
			"5:3: expected ';', found an identifier",
			"6:21: expected '}', found an identifier",
			"7:30: expected a type, found '>'",
			"8:22: expected a type, found ','",
		},
		items: "interface one{z r v w} interface two{f}",
	}, {
		name: "lexical errors",
		src: `interface i {
  type t = u32;
  $
  type s = "abc\q";
  type u = u8;
}`,
		errs:  []string{"3:3: unexpected character '$'", "4:17: invalid string escape 'q'"},
		items: "interface i{t u}",
	}, {
		name: "world items",
		src: `world w {
  import foo: func() -> u32;
  export bar
  import baz;
  include x with { a as b, c }
  export qux;
}`,
		errs:  []string{"4:3: expected ';', found keyword `import`", "5:30: expected keyword `as`, found '}'"},
		items: "world w{foo baz x qux}",
	}, {
		name: "missing closing brace",
		src: `interface three {
  f: func();

interface four {
  g: func();
}`,
		errs:  []string{"4:1: expected `type`, `resource` or `func`, found keyword `interface`"},
		items: "interface three{f} interface four{g}",
	}, {
		name:  "bad top-level items",
		src:   "foo bar;\ninterface ok {}\n} world w {}\ninterface { }\nworld x {}",
		errs:  []string{"1:1: expected `world`, `interface` or `use`, found an identifier", "3:1: expected `world`, `interface` or `use`, found '}'", "4:11: expected an identifier or string, found '{'"},
		items: "interface ok{} world w{} world x{}",
	}, {
		name:  "bad identifiers do not stop parsing",
		src:   "interface Bad { a_b: func(); c: func(); }",
		errs:  []string{"1:11: invalid character in identifier 'a'", "1:17: invalid character in identifier '_'"},
		items: "interface Bad{a_b c}",
	}, {
		name: "attributes",
		src: `@since(version = 1.0.0)
@frob(x = y)
interface i {
  @since(feature = x)
  f: func();
  @unstable(feature = x)
  g: func();
}`,
		errs:  []string{"2:2: unknown attribute `frob`", "4:10: expected `version`, found `feature`", "4:20: expected an integer, found an identifier"},
		items: "interface i{f g}",
	}, {
		name:  "unterminated comment ends quietly",
		src:   "interface i {\n  f: func();\n/* open",
		errs:  []string{"3:1: unterminated block comment"},
		items: "interface i{f}",
	}, {
		name:  "bad version",
		src:   "package a:b@01.0.0;\ninterface i {}",
		errs:  []string{`1:13: invalid version "01.0.0": invalid leading zero in "01"`},
		items: "interface i{}",
	}, {
		name:  "nested packages",
		src:   "package a:b;\n@since(version = 1.0.0)\npackage c:d {\n  package e:f {}\n  interface i {}\n}\ninterface j {}",
		errs:  []string{"3:1: cannot place attributes on nested packages", "4:11: nested packages must be placed at the top-level"},
		items: "package c:d{package e:f{} interface i{}} interface j{}",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, errs := errorsOf(tt.src)
			if !slices.Equal(errs, tt.errs) {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(errs, "\n"), strings.Join(tt.errs, "\n"))
			}
			if got := summarize(f.Items); got != tt.items {
				t.Errorf("items %q, want %q", got, tt.items)
			}
		})
	}
}

// summarize lists items and their members' names, to check what survived
// recovery.
func summarize(items []Item) string {
	var parts []string
	for _, it := range items {
		var s string
		var names []string
		switch it := it.(type) {
		case *Interface:
			s = "interface " + it.Name.Name
			for _, m := range it.Items {
				switch m := m.(type) {
				case *NamedFunc:
					names = append(names, m.Name.Name)
				case *TypeDef:
					names = append(names, m.Name.Name)
				case *Use:
					names = append(names, "use")
				}
			}
		case *World:
			s = "world " + it.Name.Name
			for _, m := range it.Items {
				switch m := m.(type) {
				case *ImportExport:
					if m.Name != nil {
						names = append(names, m.Name.Name)
					} else {
						names = append(names, m.Path.Name.Name)
					}
				case *Include:
					names = append(names, m.From.Name.Name)
				case *TypeDef:
					names = append(names, m.Name.Name)
				case *Use:
					names = append(names, "use")
				}
			}
		case *NestedPackage:
			s = "package " + it.Name.Namespace.Name + ":" + it.Name.Name.Name
			names = append(names, summarize(it.Items))
		case *TopUse:
			s = "use " + it.Path.Name.Name
		}
		parts = append(parts, s+"{"+strings.Join(names, " ")+"}")
	}
	return strings.Join(parts, " ")
}
