package wire

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
)

const (
	helloFrontend = "@internal/plugin-hello"
	helloBackend  = "@internal/plugin-hello-backend"
)

// copyTree copies the skeleton app at testdata/<name> to dst.
func copyTree(name, dst string) error {
	src := filepath.Join("testdata", name)
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
}

// newApp copies a skeleton into a fresh directory and backdates every file,
// so a rewrite shows in the mtime however coarse the file system's clock.
func newApp(t *testing.T, name string) string {
	t.Helper()
	dir := t.TempDir()
	if err := copyTree(name, dir); err != nil {
		t.Fatal(err)
	}
	old := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		return os.Chtimes(path, old, old)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

type fileState struct {
	data  []byte
	mtime time.Time
	mode  fs.FileMode
}

// snapshot records every file under dir, so a test can show that nothing
// was written, created or left behind (temporary files included).
func snapshot(t *testing.T, dir string) map[string]fileState {
	t.Helper()
	out := map[string]fileState{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		out[filepath.ToSlash(rel)] = fileState{b, fi.ModTime(), fi.Mode()}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameSnapshot(t *testing.T, before, after map[string]fileState) {
	t.Helper()
	for name, a := range after {
		b, ok := before[name]
		switch {
		case !ok:
			t.Errorf("%s: created", name)
		case !bytes.Equal(a.data, b.data):
			t.Errorf("%s: content changed:\n%s", name, a.data)
		case !a.mtime.Equal(b.mtime):
			t.Errorf("%s: mtime changed (%v -> %v)", name, b.mtime, a.mtime)
		case a.mode != b.mode:
			t.Errorf("%s: mode changed (%v -> %v)", name, b.mode, a.mode)
		}
	}
	for name := range before {
		if _, ok := after[name]; !ok {
			t.Errorf("%s: removed", name)
		}
	}
}

func writeApp(t *testing.T, dir, rel, content string) {
	t.Helper()
	path := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
