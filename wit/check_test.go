package wit

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// writeTree writes files (slash paths relative to a new temp dir) and
// returns the dir.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, src := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// diagLines renders diagnostics as "file:line:col code" with the file
// relative to root, for comparison.
func diagLines(root string, ds []Diagnostic) []string {
	var out []string
	for _, d := range ds {
		file, _ := filepath.Rel(root, d.File)
		out = append(out, filepath.ToSlash(file)+":"+strconv.Itoa(d.Start.Line)+":"+strconv.Itoa(d.Start.Column)+" "+d.Code)
	}
	return out
}

func TestCheckReportsEveryError(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{
			name: "four semantic errors in one file",
			files: map[string]string{"a.wit": `package t:four;

interface i {
  record r { a: nope1, b: u32 }
  f: func(x: nope2) -> string;
  type r = u8;
  use missing.{x};
  g: func() -> x;
}
`},
			want: []string{
				"a.wit:7:7 wit/unknown-interface",
				"a.wit:6:8 wit/duplicate-name",
				"a.wit:4:17 wit/unknown-type",
				"a.wit:5:14 wit/unknown-type",
			},
		},
		{
			name: "syntax and semantic errors in different files",
			files: map[string]string{
				"a.wit": "package t:mix;\ninterface i {\n  f: func(x: ) -> u32;\n}\n",
				"b.wit": "package t:mix;\ninterface j {\n  g: func(x: bad);\n}\nworld w { import nope; }\n",
			},
			want: []string{
				"a.wit:3:14 wit/syntax",
				"b.wit:3:14 wit/unknown-type",
				"b.wit:5:18 wit/unknown-interface",
			},
		},
		{
			name:  "syntax and semantic errors in one file",
			files: map[string]string{"a.wit": "package t:one;\ninterface i {\n  type t = ;\n  f: func(x: nope);\n}\n"},
			want: []string{
				"a.wit:3:12 wit/syntax",
				"a.wit:4:14 wit/unknown-type",
			},
		},
		{
			// t failed to parse: its uses are covered by the syntax error,
			// not reported as unknown as well.
			name: "uses of a declaration that failed to parse",
			files: map[string]string{
				"a.wit": "package t:b;\ninterface i {\n  record t { a: , }\n  f: func(x: t) -> t;\n  resource r { m: func(; }\n  g: func(y: borrow<r>, z: u);\n}\n",
				"b.wit": "package t:b;\ninterface j {\n  use i.{t};\n}\nworld w { import k; }\ninterface k ! {}\n",
			},
			want: []string{
				"a.wit:3:17 wit/syntax",
				"a.wit:5:24 wit/syntax",
				"b.wit:6:13 wit/syntax",
				"a.wit:6:28 wit/unknown-type",
			},
		},
		{
			name: "errors in the package and in a dependency",
			files: map[string]string{
				"a.wit":          "package t:main;\nworld w {\n  import t:dep/i;\n  export nope: func(x: what);\n}\n",
				"deps/dep/i.wit": "package t:dep;\ninterface i {\n  type x = y;\n}\n",
			},
			want: []string{
				"a.wit:4:24 wit/unknown-type",
				"deps/dep/i.wit:3:12 wit/unknown-type",
			},
		},
		{
			name: "an error only found when pushing, beside a clean dependency",
			files: map[string]string{
				"a.wit":          "package t:main;\ninterface i {\n  use t:dep/j.{x, y, z};\n  use t:dep/nope.{w};\n  use t:other/k.{v};\n}\n",
				"deps/dep/j.wit": "package t:dep;\ninterface j {\n  type x = u8;\n}\n",
			},
			want: []string{
				"a.wit:4:13 wit/unknown-interface",
				"a.wit:5:7 wit/unknown-package",
				"a.wit:3:19 wit/unknown-type",
				"a.wit:3:22 wit/unknown-type",
			},
		},
		{
			name:  "every function returning a borrow",
			files: map[string]string{"a.wit": "package t:b;\ninterface i {\n  resource r;\n  f: func() -> borrow<r>;\n  g: func() -> option<borrow<r>>;\n  h: func(x: borrow<r>);\n}\nworld w {\n  use i.{r};\n  export k: func() -> list<borrow<r>>;\n}\n"},
			want: []string{
				"a.wit:4:3 wit/borrow",
				"a.wit:5:3 wit/borrow",
				"a.wit:10:10 wit/borrow",
			},
		},
		{
			name:  "every bad feature gate",
			files: map[string]string{"a.wit": "package t:g@0.1.0;\ninterface i {\n  @since(version = 0.2.0)\n  type t = u8;\n  @since(version = 0.3.0)\n  f: func();\n}\nworld w {\n  @since(version = 0.9.0)\n  import g: func();\n}\n"},
			want: []string{
				"a.wit:4:8 wit/feature-gate",
				"a.wit:6:3 wit/feature-gate",
				"a.wit:10:10 wit/feature-gate",
			},
		},
		{
			name: "cycle, conflict and bad handle",
			files: map[string]string{"a.wit": `package t:c;
interface i {
  type a = b;
  type b = a;
  record r {}
  f: func(h: borrow<r>);
}
world w {
  import f: func();
  import f: func();
}
`},
			want: []string{
				"a.wit:3:12 wit/cycle",
				"a.wit:6:21 wit/not-a-resource",
				"a.wit:10:10 wit/conflict",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := writeTree(t, tt.files)
			res := Check(context.Background(), root, LoadOptions{})
			checkResult(t, res)
			got := diagLines(root, res.Diagnostics)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("diagnostics:\n%s\nwant:\n%s\nmessages:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"), messages(res))
			}
			// Load reports the same errors, and its first is Check's first.
			_, _, err := Load(root, LoadOptions{})
			var le *LoadError
			if !errors.As(err, &le) {
				t.Fatalf("Load: %v, want a *LoadError", err)
			}
			if len(le.Errors) != len(res.Diagnostics) || le.Errors[0].Msg != res.Diagnostics[0].Message {
				t.Errorf("Load reports %d errors starting %q; Check %d starting %q", len(le.Errors), le.Errors[0].Msg, len(res.Diagnostics), res.Diagnostics[0].Message)
			}
		})
	}
}

func messages(res *Result) string {
	var b strings.Builder
	for _, d := range res.Diagnostics {
		b.WriteString(d.String() + "\n")
	}
	return b.String()
}

func TestCheckDiagnosticDetails(t *testing.T) {
	root := writeTree(t, map[string]string{
		"a.wit": "package t:d;\ninterface i {\n  type t = u8;\n}\n",
		"b.wit": "package t:d;\ninterface i {\n  type u = u8;\n}\ninterface j {\n  record r { a: u8 }\n  variant r { b }\n}\n",
	})
	res := Check(context.Background(), root, LoadOptions{})
	if len(res.Diagnostics) != 2 {
		t.Fatalf("got %d diagnostics, want 2:\n%s", len(res.Diagnostics), messages(res))
	}
	for i, want := range []struct {
		file      string
		line, col int
		endCol    int
		code      string
		relFile   string
		relLine   int
	}{
		{"b.wit", 2, 11, 12, "wit/duplicate-name", "a.wit", 2},
		{"b.wit", 7, 11, 12, "wit/duplicate-name", "b.wit", 6},
	} {
		d := res.Diagnostics[i]
		if d.File != filepath.Join(root, want.file) || d.Start.Line != want.line || d.Start.Column != want.col || d.End.Column != want.endCol || d.Code != want.code || d.Severity != SeverityError {
			t.Errorf("diagnostic %d: %s %s %s [%d-%d], want %s:%d:%d-%d %s", i, d.File, d.Start, d.Code, d.Span.Start, d.Span.End, want.file, want.line, want.col, want.endCol, want.code)
		}
		if len(d.Related) != 1 || d.Related[0].File != filepath.Join(root, want.relFile) || d.Related[0].Start.Line != want.relLine || d.Related[0].Message != "first defined here" {
			t.Errorf("diagnostic %d: related %+v, want %s:%d first defined here", i, d.Related, want.relFile, want.relLine)
		}
	}
	if got := res.Diagnostics[1].End.Offset - res.Diagnostics[1].Start.Offset; got != 1 {
		t.Errorf("span of `r` is %d bytes, want 1", got)
	}
	if !res.HasPackage || !res.Partial {
		t.Errorf("HasPackage %v, Partial %v: want a partial package", res.HasPackage, res.Partial)
	}
}

// TestCheckPartialPackage: a package with syntax and semantic errors is
// still resolved as far as it goes, so its worlds can be checked against a
// contract; what its push finds in other packages is reported too.
func TestCheckPartialPackage(t *testing.T) {
	root := writeTree(t, map[string]string{
		"a.wit":          "package t:p;\ninterface broken {\n  f: func(x: );\n  g: func(y: nope) -> string;\n}\n",
		"b.wit":          "package t:p;\ninterface api {\n  record route { path: string }\n  get-routes: func() -> result<list<route>, string>;\n  use t:dep/j.{gone};\n}\nworld plugin {\n  export api;\n  import broken;\n}\n",
		"deps/dep/j.wit": "package t:dep;\ninterface j {\n  type x = u8;\n}\n",
	})
	res := Check(context.Background(), root, LoadOptions{})
	checkResult(t, res)
	want := []string{"a.wit:3:14 wit/syntax", "a.wit:4:14 wit/unknown-type", "b.wit:5:16 wit/unknown-type"}
	if got := diagLines(root, res.Diagnostics); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got %v, want %v\n%s", got, want, messages(res))
	}
	// The foreign error stops the push (it can't be fallout), so no
	// partial package here; without it there is one.
	if res.HasPackage || res.Partial {
		t.Fatalf("HasPackage %v, Partial %v", res.HasPackage, res.Partial)
	}
	os.WriteFile(filepath.Join(root, "b.wit"), []byte("package t:p;\ninterface api {\n  record route { path: string }\n  get-routes: func() -> result<list<route>, string>;\n  use t:dep/j.{x};\n}\nworld plugin {\n  export api;\n  import broken;\n}\n"), 0o644)
	res = Check(context.Background(), root, LoadOptions{})
	checkResult(t, res)
	if len(res.Diagnostics) != 2 || !res.HasPackage || !res.Partial {
		t.Fatalf("%d diagnostics, HasPackage %v, Partial %v:\n%s", len(res.Diagnostics), res.HasPackage, res.Partial, messages(res))
	}
	r := res.Resolve
	wid, ok := r.Packages[res.Package].World("plugin")
	if !ok {
		t.Fatal("world plugin not resolved")
	}
	w := r.Worlds[wid]
	if len(w.Exports) != 1 || r.InterfaceName(w.Exports[0].Interface) != "t:p/api" {
		t.Fatalf("world plugin exports %v", w.Exports)
	}
	api := r.Interfaces[w.Exports[0].Interface]
	if f := api.Function("get-routes"); f == nil || f.Result.Prim != Ref || r.Types[f.Result.ID].Kind != KindResult {
		t.Errorf("get-routes not resolved: %+v", f)
	}
	// The function whose parameter failed is kept, the parameter's type absent.
	bid, _ := r.Packages[res.Package].Interface("broken")
	if g := r.Interfaces[bid].Function("g"); g == nil || len(g.Params) != 1 || !g.Params[0].Type.IsNone() {
		t.Errorf("broken.g: %+v", g)
	}
	// Load never keeps it.
	lr, _, err := Load(root, LoadOptions{})
	if err == nil || len(lr.Packages) != 1 {
		t.Errorf("Load: %v, %d packages, want an error and only the dependency", err, len(lr.Packages))
	}
}

func TestCheckOverlaysWin(t *testing.T) {
	root := writeTree(t, map[string]string{
		"a.wit": "package t:o;\ninterface i {\n  f: func(x: missing);\n}\n",
	})
	abs, err := filepath.Abs(root)
	if err != nil {
		t.Fatal(err)
	}
	if res := Check(context.Background(), abs, LoadOptions{}); len(res.Diagnostics) != 1 {
		t.Fatalf("on disk: %d diagnostics, want 1:\n%s", len(res.Diagnostics), messages(res))
	}
	// The unsaved buffer fixes the error and a new, unsaved file adds one.
	overlays := map[string][]byte{
		filepath.Join(abs, "a.wit"): []byte("package t:o;\ninterface i {\n  type missing = u32;\n  f: func(x: missing);\n}\n"),
		filepath.Join(abs, "b.wit"): []byte("package t:o;\ninterface j {\n  use i.{missing, gone};\n}\n"),
	}
	res := Check(context.Background(), abs, LoadOptions{Overlays: overlays})
	got := diagLines(abs, res.Diagnostics)
	if want := "b.wit:3:19 wit/unknown-type"; strings.Join(got, "\n") != want {
		t.Errorf("with overlays: %v, want %s\n%s", got, want, messages(res))
	}
	// Fixing the overlay too leaves a clean package.
	overlays[filepath.Join(abs, "b.wit")] = []byte("package t:o;\ninterface j {\n  use i.{missing};\n}\n")
	res = Check(context.Background(), abs, LoadOptions{Overlays: overlays})
	if len(res.Diagnostics) != 0 || !res.HasPackage {
		t.Fatalf("clean overlays: %v (package %v)", messages(res), res.HasPackage)
	}
	if n := len(res.Resolve.Packages[res.Package].Interfaces); n != 2 {
		t.Errorf("resolved package has %d interfaces, want 2", n)
	}
}

func TestCheckIOProblemsAreDiagnostics(t *testing.T) {
	root := writeTree(t, map[string]string{
		"a.wit": "package t:b;\ninterface i { f: func(x: nope); }\n",
		"b.wit": "package t:b;\x00\xff\xfe",
	})
	res := Check(context.Background(), root, LoadOptions{})
	got := diagLines(root, res.Diagnostics)
	want := []string{"b.wit:0:0 wit/io", "a.wit:2:26 wit/unknown-type"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got %v, want %v\n%s", got, want, messages(res))
	}
	// Load still stops at the unreadable file, as wit-parser does.
	if _, _, err := Load(root, LoadOptions{}); err == nil || !strings.Contains(err.Error(), "not valid UTF-8") {
		t.Errorf("Load: %v", err)
	}
}

func TestCheckCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res := Check(ctx, t.TempDir(), LoadOptions{})
	if !errors.Is(res.Err, context.Canceled) {
		t.Errorf("Err = %v, want context.Canceled", res.Err)
	}
}

func TestCheckReferences(t *testing.T) {
	root := writeTree(t, map[string]string{
		"a.wit":          "package t:r;\ninterface i {\n  use t:dep/j.{x};\n  type t = x;\n}\n",
		"b.wit":          "package t:r;\nworld w {\n  import i;\n  export f: func(a: s);\n  type s = u8;\n}\n",
		"deps/dep/j.wit": "package t:dep;\ninterface j {\n  type x = string;\n}\n",
	})
	for _, withError := range []bool{false, true} {
		opts := LoadOptions{}
		if withError {
			// A semantic error elsewhere must not take navigation away.
			opts.Overlays = map[string][]byte{filepath.Join(root, "c.wit"): []byte("package t:r;\ninterface k { f: func(x: nope); }\n")}
		}
		res := Check(context.Background(), root, opts)
		checkResult(t, res)
		if withError != (len(res.Diagnostics) > 0) {
			t.Fatalf("withError=%v: %s", withError, messages(res))
		}
		got := map[string]string{}
		for _, r := range res.Refs {
			src := filepath.Base(r.File) + ":" + strconv.Itoa(r.Start.Line) + ":" + strconv.Itoa(r.Start.Column)
			dst := "?"
			if r.Target.Span.IsValid() {
				dst = filepath.ToSlash(must(filepath.Rel(root, r.Target.File))) + ":" + strconv.Itoa(r.Target.Start.Line) + ":" + strconv.Itoa(r.Target.Start.Column)
			}
			got[src] = r.Kind.String() + " " + dst
		}
		for src, want := range map[string]string{
			"a.wit:3:7":  "package deps/dep/j.wit:1:9",    // t:dep in use t:dep/j
			"a.wit:3:13": "interface deps/dep/j.wit:2:11", // j in use t:dep/j
			"a.wit:3:16": "type deps/dep/j.wit:3:8",       // x in .{x}
			"a.wit:4:12": "type a.wit:3:16",               // x: the use'd alias
			"b.wit:3:10": "interface a.wit:2:11",          // import i
			"b.wit:4:21": "type b.wit:5:8",                // s, declared later
		} {
			if got[src] != want {
				t.Errorf("withError=%v: reference at %s: %q, want %q (all: %v)", withError, src, got[src], want, got)
			}
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestCheckConformanceFirstError runs Check over the whole conformance
// corpus: it must never panic, its results must be self-consistent, and on
// every parse-fail case its first diagnostic must be Load's first error.
func TestCheckConformanceFirstError(t *testing.T) {
	dir := conformanceDir(t)
	opts := LoadOptions{Features: map[string]bool{"active": true}}
	for _, sub := range []string{"", "parse-fail"} {
		for _, c := range conformanceCases(t, filepath.Join(dir, sub)) {
			path := filepath.Join(dir, sub, c)
			res := Check(context.Background(), path, opts)
			checkResult(t, res)
			_, _, err := Load(path, opts)
			var le *LoadError
			if !errors.As(err, &le) || len(le.Errors) == 0 {
				continue
			}
			if len(res.Diagnostics) == 0 || res.Diagnostics[0].Message != le.Errors[0].Msg || res.Diagnostics[0].Span != le.Errors[0].Span {
				t.Errorf("%s/%s: Check's first diagnostic differs from Load's first error %q", sub, c, le.Errors[0].Msg)
			}
		}
	}
}

// TestCheckConcurrent runs Checks of one package (shared overlays) at
// once: they share no state, so all agree (run with -race to be sure).
func TestCheckConcurrent(t *testing.T) {
	dir, _ := filepath.Abs(t.TempDir())
	synthPackage(t, dir, 12)
	overlays := map[string][]byte{filepath.Join(dir, "f03.wit"): []byte("interface iface3 { f: func(x: nope); }\n")}
	want := messages(Check(context.Background(), dir, LoadOptions{Overlays: overlays}))
	if want == "" {
		t.Fatal("no diagnostics")
	}
	got := make([]string, 4)
	done := make(chan int)
	for i := range got {
		go func() {
			got[i] = messages(Check(context.Background(), dir, LoadOptions{Overlays: overlays}))
			done <- i
		}()
	}
	for range got {
		<-done
	}
	for i, g := range got {
		if g != want {
			t.Errorf("check %d:\n%s\nwant:\n%s", i, g, want)
		}
	}
}
