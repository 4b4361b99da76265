package analysis

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/bigband-dev/bigband/host/component"
	"github.com/bigband-dev/bigband/wit"
)

// BigPackage writes a package of n files that use WASI 0.2 and wasi:http
// from deps/ (the repo's guest/wit/http/0.2.0 deps), plus the backend
// contract's world, into dir. It returns the path of the file an editor
// would be typing in.
func BigPackage(tb testing.TB, dir string, n int) string {
	tb.Helper()
	src := filepath.Join(repoRoot(tb), "guest", "wit", "http", "0.2.0", "deps")
	if err := os.CopyFS(filepath.Join(dir, "deps"), os.DirFS(src)); err != nil {
		tb.Fatal(err)
	}
	for i := range n {
		text := fmt.Sprintf(`package bench:app@0.1.0;

/// Handlers, part %[1]d.
interface part%[1]d {
  use wasi:http/types@0.2.0.{incoming-request, outgoing-response, fields, method};
  use wasi:io/streams@0.2.0.{input-stream, output-stream};

  record entry%[1]d {
    id: u64,
    name: string,
    tags: list<string>,
    method: method,
  }

  variant outcome%[1]d {
    ok(entry%[1]d),
    missing(string),
    failed(u32),
  }

  handle%[1]d: func(req: borrow<incoming-request>, headers: borrow<fields>) -> result<entry%[1]d, outcome%[1]d>;
  list%[1]d: func(start: u64, limit: u32) -> list<entry%[1]d>;
}
`, i)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("part%02d.wit", i)), []byte(text), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	world := "package bench:app@0.1.0;\n\ninterface backstage-backend-plugin {\n  record route { method: string, path: string }\n  get-routes: func() -> result<list<route>, string>;\n}\n\nworld backend {\n  export backstage-backend-plugin;\n  export wasi:http/incoming-handler@0.2.0;\n"
	for i := range n {
		world += fmt.Sprintf("  export part%d;\n", i)
	}
	world += "}\n"
	if err := os.WriteFile(filepath.Join(dir, "world.wit"), []byte(world), 0o644); err != nil {
		tb.Fatal(err)
	}
	return filepath.Join(dir, "part00.wit")
}

func repoRoot(tb testing.TB) string {
	dir, err := filepath.Abs(".")
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("no go.mod above the test")
		}
		dir = parent
	}
}

func TestBigPackageIsClean(t *testing.T) {
	dir := t.TempDir()
	BigPackage(t, dir, 50)
	p, err := Analyze(context.Background(), Input{Root: dir, Contract: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range p.Diags {
		t.Errorf("%s:%d: %s: %s", filepath.Base(d.Path), d.Start, d.Code, d.Message)
	}
	if len(p.Files) < 80 {
		t.Errorf("%d files, want the 51 of the package and the deps", len(p.Files))
	}
}

func BenchmarkAnalyzeEdit(b *testing.B) {
	dir := b.TempDir()
	path := BigPackage(b, dir, 50)
	orig, _ := os.ReadFile(path)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		text := append([]byte(fmt.Sprintf("// edit %d\n", i)), orig...)
		_, err := Analyze(context.Background(), Input{Root: dir, Overlays: map[string][]byte{path: text}, Contract: true})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWitCheck(b *testing.B) {
	dir := b.TempDir()
	BigPackage(b, dir, 50)
	for b.Loop() {
		res := wit.Check(context.Background(), dir, wit.LoadOptions{DecodeWasm: component.DecodeWITPackage})
		if len(res.Diagnostics) > 0 {
			b.Fatal(res.Diagnostics[0])
		}
	}
}

func BenchmarkWitLoad(b *testing.B) {
	dir := b.TempDir()
	BigPackage(b, dir, 50)
	for b.Loop() {
		if _, _, err := wit.Load(dir, wit.LoadOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
