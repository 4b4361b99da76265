package toolchain

import (
	"path/filepath"
	"reflect"
	"testing"
)

func TestLocations(t *testing.T) {
	dir := "/src/p"
	tests := []struct {
		name, out string
		want      []string // Location.String(), in order
	}{
		{"go", "# example.com/guest\n./main.go:7:9: undefined: nope\n./main.go:8:2: declared and not used: x\n",
			[]string{"main.go:7:9: undefined: nope", "main.go:8:2: declared and not used: x"}},
		{"clang, warnings after errors, notes dropped", "plugin.c:3:5: warning: unused variable 'x' [-Wunused-variable]\n" +
			"plugin.c:9:12: error: use of undeclared identifier 'y'\n    return y;\n           ^\n" +
			"plugin.c:2:1: note: previous definition is here\n1 warning and 1 error generated.\n",
			[]string{"plugin.c:9:12: error: use of undeclared identifier 'y'", "plugin.c:3:5: warning: unused variable 'x' [-Wunused-variable]"}},
		{"gcc fatal and no column", "a.h:1:10: fatal error: b.h: No such file or directory\nMakefile:4: recipe for target 'x' failed\n",
			[]string{"a.h:1:10: error: b.h: No such file or directory"}},
		{"rustc", "error[E0425]: cannot find value `y` in this scope\n --> src/lib.rs:3:5\n  |\n3 |     y\n  |     ^ not found\n\n" +
			"warning: unused variable: `x`\n  --> src/lib.rs:2:9\nerror: could not compile `guest`\n",
			[]string{"src/lib.rs:3:5: error: cannot find value `y` in this scope", "src/lib.rs:2:9: warning: unused variable: `x`"}},
		{"tsc", "src/index.ts(12,5): error TS2304: Cannot find name 'foo'.\nsrc/b.ts:3:1 - error TS1005: ';' expected.\n",
			[]string{"src/index.ts:12:5: error: TS2304: Cannot find name 'foo'.", "src/b.ts:3:1: error: TS1005: ';' expected."}},
		{"esbuild", "✘ [ERROR] Could not resolve \"./missing\"\n\n    src/plugin.ts:1:7:\n      1 │ import \"./missing\"\n        ╵        ~~~~~~~~~~~\n",
			[]string{`src/plugin.ts:1:7: error: Could not resolve "./missing"`}},
		{"colours and duplicates", "\x1b[1mmain.c:1:2: \x1b[0;1;31merror: \x1b[0mbad\x1b[0m\nmain.c:1:2: error: bad\n",
			[]string{"main.c:1:2: error: bad"}},
		{"not locations", "http://example.com:80: refused\nok 1.2:3:4\nerror: no location\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, l := range Locations(dir, []byte(tt.out)) {
				got = append(got, l.String())
				if !filepath.IsAbs(l.Path) {
					t.Errorf("Path %q is not absolute", l.Path)
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
	if l := Locations(dir, []byte("./main.go:7:9: x\n")); l[0].Path != filepath.Join(dir, "main.go") {
		t.Errorf("Path = %q", l[0].Path)
	}
}

func FuzzLocations(f *testing.F) {
	f.Add([]byte("./main.go:7:9: undefined: nope\n"))
	f.Add([]byte("error[E1]: x\n --> a.rs:1:2\n"))
	f.Add([]byte("✘ [ERROR] x\n\n    a.ts:1:2:\n"))
	f.Add([]byte("a.ts(1,2): error TS1: x\n"))
	f.Fuzz(func(t *testing.T, out []byte) {
		for _, l := range Locations("/d", out) {
			if l.Line <= 0 || l.Col < 0 || l.File == "" || !filepath.IsAbs(l.Path) {
				t.Fatalf("bad location %+v", l)
			}
		}
	})
}
