package syntax

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/fmt/*.golden from the printer's output")

// TestFormatGolden formats testdata/fmt/*.wit and compares with *.golden.
func TestFormatGolden(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join("testdata", "fmt", "*.wit"))
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no inputs in testdata/fmt: %v", err)
	}
	for _, in := range inputs {
		t.Run(filepath.Base(in), func(t *testing.T) {
			src, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			got := checkFormat(t, in, src)
			golden := strings.TrimSuffix(in, ".wit") + ".golden"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("format differs from %s:\n%s", golden, lineDiff(string(want), string(got)))
			}
		})
	}
}

// TestFormatConformance formats every valid file of wit-parser's corpus.
func TestFormatConformance(t *testing.T) {
	dir := conformanceDir(t)
	n := 0
	for _, path := range witFiles(t, dir) {
		rel, _ := filepath.Rel(dir, path)
		if strings.HasPrefix(filepath.ToSlash(rel), "parse-fail/") {
			continue
		}
		n++
		t.Run(rel, func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			checkFormat(t, path, src)
		})
	}
	t.Logf("formatted %d conformance files", n)
}

// checkFormat formats src and checks the printer's promises: the output
// parses, formats to itself, keeps every comment and means the same.
func checkFormat(t *testing.T, name string, src []byte) []byte {
	t.Helper()
	f, errs := ParseFile(NewFileSet(), name, src)
	if len(errs) > 0 {
		t.Fatalf("input does not parse: %v", errs)
	}
	out := Format(f)
	if err := formatInvariants(f, out); err != nil {
		t.Fatalf("%v\n--- output:\n%s", err, out)
	}
	return out
}

// formatInvariants checks out, the formatting of f, against f. Shared with
// FuzzFormat.
func formatInvariants(f *SourceFile, out []byte) error {
	g, errs := ParseFile(NewFileSet(), "formatted.wit", out)
	if len(errs) > 0 {
		return fmt.Errorf("formatted output does not parse: %v", errs)
	}
	if again := Format(g); !bytes.Equal(again, out) {
		return fmt.Errorf("not idempotent:\n%s", lineDiff(string(out), string(again)))
	}
	if a, b := commentTexts(f.Comments), commentTexts(g.Comments); !slices.Equal(a, b) {
		return fmt.Errorf("comments changed:\nbefore %q\nafter  %q", a, b)
	}
	if d := astDiff(reflect.ValueOf(f), reflect.ValueOf(g), "file"); d != "" {
		return fmt.Errorf("meaning changed: %s", d)
	}
	if len(out) > 0 && (out[len(out)-1] != '\n' || bytes.HasSuffix(out, []byte("\n\n")) || bytes.Contains(out, []byte("\r\n"))) {
		return fmt.Errorf("output does not end in exactly one \\n or has \\r\\n")
	}
	return nil
}

// commentTexts is the sorted multiset of comment texts, normalised as the
// printer normalises them (trailing blanks, CRLF).
func commentTexts(cs []*Comment) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = commentText(c.Text)
	}
	slices.Sort(out)
	return out
}

var (
	spanType = reflect.TypeFor[Span]()
	posType  = reflect.TypeFor[Pos]()
	fileType = reflect.TypeFor[*File]()
	docsType = reflect.TypeFor[Docs]()
)

// astDiff compares two ASTs ignoring positions; docs compare by their
// comments' texts (so a doc comment may move but not change items), and the
// file-wide comment list is compared by commentTexts instead.
func astDiff(a, b reflect.Value, path string) string {
	switch a.Type() {
	case spanType, posType, fileType:
		return ""
	case docsType:
		x, y := a.Interface().(Docs), b.Interface().(Docs)
		if tx, ty := docTexts(x), docTexts(y); !slices.Equal(tx, ty) {
			return fmt.Sprintf("%s: docs %q != %q", path, tx, ty)
		}
		return ""
	}
	switch a.Kind() {
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			if a.IsNil() != b.IsNil() {
				return fmt.Sprintf("%s: nil mismatch", path)
			}
			return ""
		}
		if a.Kind() == reflect.Interface && a.Elem().Type() != b.Elem().Type() {
			return fmt.Sprintf("%s: %v != %v", path, a.Elem().Type(), b.Elem().Type())
		}
		return astDiff(a.Elem(), b.Elem(), path)
	case reflect.Struct:
		for i := range a.NumField() {
			field := a.Type().Field(i)
			if a.Type() == reflect.TypeFor[SourceFile]() && field.Name == "Comments" {
				continue
			}
			if d := astDiff(a.Field(i), b.Field(i), path+"."+field.Name); d != "" {
				return d
			}
		}
		return ""
	case reflect.Slice:
		if a.Len() != b.Len() {
			return fmt.Sprintf("%s: length %d != %d", path, a.Len(), b.Len())
		}
		for i := range a.Len() {
			if d := astDiff(a.Index(i), b.Index(i), fmt.Sprintf("%s[%d]", path, i)); d != "" {
				return d
			}
		}
		return ""
	}
	if !a.Equal(b) {
		return fmt.Sprintf("%s: %v != %v", path, a, b)
	}
	return ""
}

func docTexts(d Docs) []string {
	var out []string
	for _, c := range d.Comments {
		out = append(out, commentText(c.Text))
	}
	return out
}

// lineDiff shows the first differing line with a little context.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d:\nwant %q\ngot  %q\n--- got in full:\n%s", i+1, wl, gl, got)
		}
	}
	return "(equal)"
}

// TestFormatSourceRefusesSyntaxErrors checks that broken input is reported
// with positions and never formatted.
func TestFormatSourceRefusesSyntaxErrors(t *testing.T) {
	out, err := FormatSource("bad.wit", []byte("package a:b;\ninterface i {\n  f: func(;\n}\n"))
	if err == nil || out != nil {
		t.Fatalf("got %q, %v; want a syntax error", out, err)
	}
	fe, ok := err.(*FormatError)
	if !ok || len(fe.Errors) == 0 {
		t.Fatalf("error %T %v is not a *FormatError with errors", err, err)
	}
	if !strings.HasPrefix(err.Error(), "bad.wit:3:") {
		t.Errorf("error %q does not start with the position", err)
	}
}

func TestFormatEmpty(t *testing.T) {
	for _, src := range []string{"", "\n\n", "  \r\n"} {
		out, err := FormatSource("empty.wit", []byte(src))
		if err != nil || len(out) != 0 {
			t.Errorf("%q: got %q, %v", src, out, err)
		}
	}
}

func FuzzFormat(f *testing.F) {
	inputs, _ := filepath.Glob(filepath.Join("testdata", "fmt", "*.wit"))
	for _, in := range inputs {
		if src, err := os.ReadFile(in); err == nil {
			f.Add(src)
		}
	}
	// The conformance corpus, when present, seeds every construct.
	dir := os.Getenv("BIGBAND_WIT_CONFORMANCE")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "wit-conformance")
	}
	seeds, _ := filepath.Glob(filepath.Join(dir, "*.wit"))
	for _, path := range seeds {
		if src, err := os.ReadFile(path); err == nil {
			f.Add(src)
		}
	}
	f.Add([]byte("package a:b;\ninterface i { f: func(a: /* x */ u32 // y\n) -> list<u8>; }\n"))
	f.Add([]byte("world w { import a: interface { /* c */ } export b: func(); include x with { a as b } }"))
	f.Fuzz(func(t *testing.T, src []byte) {
		file, errs := ParseFile(NewFileSet(), "fuzz.wit", src)
		if len(errs) > 0 {
			return
		}
		if err := formatInvariants(file, Format(file)); err != nil {
			t.Fatalf("%v\n--- input:\n%s", err, src)
		}
	})
}
