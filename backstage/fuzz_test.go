package backstage

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzOwnership feeds Write whatever .bigband.json a user (or an earlier
// bug) left behind. Whatever it says, Write must not panic, and must not
// touch a file outside the package directory.
func FuzzOwnership(f *testing.F) {
	for _, s := range []string{
		``, `{}`, `null`, `[]`, `{"files": null}`,
		`{"files": {"src/x.ts": "00"}}`,
		`{"files": {"../../outside.txt": "00", "../outside.txt": "00"}}`,
		`{"files": {"/etc/passwd": "00", "src/../../../outside.txt": "00", ".": "", "": ""}}`,
		`{"generator": 1, "files": {"a": 2}}`,
		`{"files": {"src\\..\\..\\outside.txt": "00"}}`,
	} {
		f.Add(s)
	}
	p, err := Render(twoFiles(true), Options{ID: "hello"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, manifest string) {
		root := t.TempDir()
		outside := filepath.Join(root, "outside.txt")
		writeFile(t, root, "outside.txt", "keep me")
		writeFile(t, root, "plugins/outside.txt", "keep me")
		writeFile(t, root, filepath.Join(filepath.FromSlash(p.Dir), ManifestName), manifest)
		_, _ = Write(root, p, WriteOptions{}) // errors are fine; damage is not
		for _, f := range []string{outside, filepath.Join(root, "plugins", "outside.txt")} {
			if b, err := os.ReadFile(f); err != nil || string(b) != "keep me" {
				t.Fatalf(".bigband.json %q: %s touched: %v %q", manifest, f, err, b)
			}
		}
	})
}
