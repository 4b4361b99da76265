package syntax

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// conformanceDir finds wit-parser's UI test corpus (../shared/wit-conformance
// beside the repository, or $BIGBAND_WIT_CONFORMANCE).
func conformanceDir(t testing.TB) string {
	dir := os.Getenv("BIGBAND_WIT_CONFORMANCE")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "wit-conformance")
	}
	if _, err := os.Stat(filepath.Join(dir, "PROVENANCE.md")); err != nil {
		if os.Getenv("BIGBAND_REQUIRE_TOOLS") != "" {
			t.Fatalf("wit-conformance corpus not found at %s (set BIGBAND_WIT_CONFORMANCE)", dir)
		}
		t.Skipf("wit-conformance corpus not found at %s (set BIGBAND_WIT_CONFORMANCE)", dir)
	}
	return dir
}

// witFiles lists the .wit files under dir (recursively).
func witFiles(t testing.TB, dir string) []string {
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(path, ".wit") {
			out = append(out, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func parseFile(t testing.TB, path string) (*FileSet, *SourceFile, ErrorList) {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fset := NewFileSet()
	f, errs := ParseFile(fset, path, src)
	return fset, f, errs
}

// TestConformanceValid parses every file of the corpus's passing cases.
func TestConformanceValid(t *testing.T) {
	dir := conformanceDir(t)
	var files []string
	for _, f := range witFiles(t, dir) {
		if !strings.HasPrefix(f, filepath.Join(dir, "parse-fail")+string(filepath.Separator)) {
			files = append(files, f)
		}
	}
	if len(files) < 100 {
		t.Fatalf("found only %d .wit files in %s", len(files), dir)
	}
	for _, path := range files {
		fset, f, errs := parseFile(t, path)
		for _, e := range errs {
			t.Errorf("%s", fset.Render(e))
		}
		if len(errs) == 0 && len(f.Items) == 0 && f.Package == nil && !strings.HasSuffix(path, "empty.wit") {
			t.Errorf("%s: parsed to nothing", path)
		}
	}
}

// syntaxFailures are the parse-fail cases whose error wit-parser raises
// while lexing or parsing (ast.rs, lex.rs); the others fail in the resolver.
var syntaxFailures = []string{
	"async-bad1",
	"async-bad2",
	"bad-deprecated1",
	"bad-deprecated2",
	"bad-deprecated3",
	"bad-deprecated4",
	"bad-list",
	"bad-list2",
	"bad-list3",
	"bad-list4",
	"bad-resource1",
	"bad-resource10",
	"bad-resource9",
	"bad-since1",
	"bad-since3",
	"dangling-type",
	"include-with-id",
	"invalid-toplevel",
	"keyword",
	"multi-file-missing-delimiter",
	"multiple-packages-no-scope-blocks",
	"package-nesting-too-deep",
	"resources-multiple-returns-borrow",
	"resources-return-borrow",
	"type-nesting-too-deep",
	"very-large-column",
}

// laterFailures are resolver errors (ast/resolve.rs) that the parser
// reports anyway because they need no name resolution; it reports them
// after every syntax error, as wit-parser would.
var laterFailures = []string{
	"very-nested-packages",
}

var (
	arrowLoc = regexp.MustCompile(`(?m)^\s*--> (\S+):(\d+):(\d+)$`)
	shortLoc = regexp.MustCompile(`^(tests/ui/\S+?):(\d+):(\d+): `)
	dirCtx   = regexp.MustCompile(`^failed to resolve directory while parsing WIT for path \[[^\]]*\]: failed to parse package: [^:]*: `)
)

// expectedFailure reads a .wit.result: the first line's message, and the
// file (relative to parse-fail) and line:col it points at.
func expectedFailure(t *testing.T, result string) (msg, file string, line, col int) {
	b, err := os.ReadFile(result)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	first, _, _ := strings.Cut(text, "\n")
	if m := shortLoc.FindStringSubmatch(first); m != nil {
		file, msg = m[1], first[len(m[0]):]
		line, _ = strconv.Atoi(m[2])
		col, _ = strconv.Atoi(m[3])
	} else {
		m := arrowLoc.FindStringSubmatch(text)
		if m == nil {
			t.Fatalf("%s: no location", result)
		}
		msg, file = first, m[1]
		line, _ = strconv.Atoi(m[2])
		col, _ = strconv.Atoi(m[3])
	}
	msg = dirCtx.ReplaceAllString(msg, "")
	return msg, strings.TrimPrefix(file, "tests/ui/parse-fail/"), line, col
}

func TestConformanceSyntaxErrors(t *testing.T) {
	dir := filepath.Join(conformanceDir(t), "parse-fail")
	check := func(t *testing.T, name string) {
		msg, file, line, col := expectedFailure(t, filepath.Join(dir, name+".wit.result"))
		fset, _, errs := parseFile(t, filepath.Join(dir, file))
		if len(errs) == 0 {
			t.Fatalf("no error; want %q at %d:%d", msg, line, col)
		}
		got := fset.Position(errs[0].Span.Start)
		if errs[0].Msg != msg || got.Line != line || got.Column != col {
			t.Errorf("first error %q at %d:%d; want %q at %d:%d", errs[0].Msg, got.Line, got.Column, msg, line, col)
		}
	}
	for _, name := range syntaxFailures {
		t.Run(name, func(t *testing.T) { check(t, name) })
	}
	for _, name := range laterFailures {
		t.Run(name, func(t *testing.T) { check(t, name) })
	}
	if n := len(syntaxFailures); n != 26 {
		t.Errorf("%d syntax failure cases, want 26", n)
	}
}

// TestConformanceResolverErrors checks that the parse-fail cases not
// listed as syntax failures parse without errors: their errors belong to
// the resolver, and a parser error there would be a false positive.
func TestConformanceResolverErrors(t *testing.T) {
	dir := filepath.Join(conformanceDir(t), "parse-fail")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), ".wit")
		if strings.HasSuffix(e.Name(), ".result") || slices.Contains(syntaxFailures, name) || slices.Contains(laterFailures, name) {
			continue
		}
		for _, path := range witFiles(t, filepath.Join(dir, e.Name())) {
			n++
			fset, _, errs := parseFile(t, path)
			for _, e := range errs {
				t.Errorf("%s", fset.Render(e))
			}
		}
	}
	if n < 100 {
		t.Errorf("only %d files checked", n)
	}
}
