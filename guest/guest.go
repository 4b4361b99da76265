// Package guest carries the Go guest library (packages frontend and
// backend, and what they use) as source, so `bigband-dev new go` can give a
// project outside this repository its own copy: WriteModule writes it as a
// standalone module that the project's go.mod replaces
// github.com/bigband-dev/bigband with. The library itself builds only for
// GOOS=wasip1; this package builds everywhere.
package guest

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// sources is the library: every file of the listed packages.
//
//go:embed frontend backend internal
var sources embed.FS

// ModulePath is the module path of the copy WriteModule writes: the main
// module's, so plugin code imports the same paths in this repository and
// outside it.
const ModulePath = "github.com/bigband-dev/bigband"

// goVersion is the oldest Go the library builds with: go:wasmexport came
// in Go 1.24.
const goVersion = "1.24"

// Files lists the paths WriteModule writes, relative to its dst, in order.
func Files() []string {
	var out []string
	fs.WalkDir(sources, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && keep(p) {
			out = append(out, path.Join("guest", p))
		}
		return nil
	})
	return append([]string{"go.mod", "README.md"}, out...)
}

// keep leaves tests out of the copy: they belong to this repository.
func keep(p string) bool { return !strings.HasSuffix(p, "_test.go") }

// WriteModule writes a standalone copy of the guest library into dst (made
// if missing): a go.mod for module github.com/bigband-dev/bigband, with no
// requirements, and the packages under dst/guest. A project uses it with
//
//	require github.com/bigband-dev/bigband v0.0.0
//	replace github.com/bigband-dev/bigband => ./<dst relative to the project>
//
// Files already in dst are overwritten; nothing else there is touched.
func WriteModule(dst string) error {
	files := map[string][]byte{
		"go.mod": fmt.Appendf(nil, "// A copy of the bigband guest library, written by bigband-dev; the\n// project's go.mod replaces %s with this directory.\nmodule %s\n\ngo %s\n", ModulePath, ModulePath, goVersion),
		"README.md": []byte("# bigband guest library (copy)\n\n" +
			"Written by `bigband-dev new`: the Go packages plugins import,\n" +
			"`" + ModulePath + "/guest/frontend` and `" + ModulePath + "/guest/backend`.\n" +
			"The project's go.mod points at this directory with a `replace` directive.\n" +
			"To update it, run `bigband-dev new` again into an empty directory and copy this one over.\n"),
	}
	for _, p := range Files() {
		if _, ok := files[p]; ok {
			continue
		}
		b, err := sources.ReadFile(strings.TrimPrefix(p, "guest/"))
		if err != nil {
			return fmt.Errorf("guest library: %w", err)
		}
		files[p] = b
	}
	for _, p := range Files() {
		out := filepath.Join(dst, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return fmt.Errorf("writing the guest library: %w", err)
		}
		if err := os.WriteFile(out, files[p], 0o644); err != nil {
			return fmt.Errorf("writing the guest library: %w", err)
		}
	}
	return nil
}
