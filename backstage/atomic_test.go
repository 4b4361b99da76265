package backstage

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a", "b", "f.txt")
	wrote, err := WriteFile(path, []byte("one"), 0o644)
	if err != nil || !wrote {
		t.Fatalf("first write: wrote=%v err=%v", wrote, err)
	}
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
	wrote, err = WriteFile(path, []byte("one"), 0o644)
	if err != nil || wrote {
		t.Fatalf("same bytes: wrote=%v err=%v", wrote, err)
	}
	if fi, _ := os.Stat(path); !fi.ModTime().Equal(old) {
		t.Errorf("unchanged file was touched: mtime %v", fi.ModTime())
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	wrote, err = WriteFile(path, []byte("two"), 0o644)
	if err != nil || !wrote {
		t.Fatalf("new bytes: wrote=%v err=%v", wrote, err)
	}
	got, _ := os.ReadFile(path)
	fi, _ := os.Stat(path)
	if string(got) != "two" || fi.Mode().Perm() != 0o600 {
		t.Errorf("got %q mode %v, want \"two\" 0600", got, fi.Mode().Perm())
	}
	ents, _ := os.ReadDir(filepath.Dir(path))
	if len(ents) != 1 {
		t.Errorf("temporary files left behind: %v", ents)
	}
}
