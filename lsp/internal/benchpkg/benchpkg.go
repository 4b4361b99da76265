// Package benchpkg writes the package the language server's benchmarks
// edit: many files using WASI 0.2 and wasi:http from deps/.
package benchpkg

import (
	"fmt"
	"os"
	"path/filepath"
)

// Write writes a package of n files that use WASI 0.2 and wasi:http
// from deps/ (the repo's guest/wit/http/0.2.0 deps), plus the backend
// contract's world, into dir. It returns the path of the file an editor
// would be typing in.
func Write(dir string, n int) (string, error) {
	root, err := repoRoot()
	if err != nil {
		return "", err
	}
	src := filepath.Join(root, "guest", "wit", "http", "0.2.0", "deps")
	if err := os.CopyFS(filepath.Join(dir, "deps"), os.DirFS(src)); err != nil {
		return "", err
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
			return "", err
		}
	}
	world := "package bench:app@0.1.0;\n\ninterface backstage-backend-plugin {\n  record route { method: string, path: string }\n  get-routes: func() -> result<list<route>, string>;\n}\n\nworld backend {\n  export backstage-backend-plugin;\n  export wasi:http/incoming-handler@0.2.0;\n"
	for i := range n {
		world += fmt.Sprintf("  export part%d;\n", i)
	}
	world += "}\n"
	if err := os.WriteFile(filepath.Join(dir, "world.wit"), []byte(world), 0o644); err != nil {
		return "", err
	}
	return filepath.Join(dir, "part00.wit"), nil
}

func repoRoot() (string, error) {
	dir, err := filepath.Abs(".")
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above %s", dir)
		}
		dir = parent
	}
}
