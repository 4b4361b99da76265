package backstage

import (
	"encoding/json"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bigband-dev/bigband/contract"
)

// twoFiles is a frontend manifest with a root and, optionally, a helper in
// a subdirectory, so removal can be shown.
func twoFiles(helper bool) *contract.Manifest {
	files := []contract.File{{Path: "Page.tsx", IsRoot: true, ComponentClassName: "Page", Contents: "export const Page = () => <p>hi</p>;\n"}}
	if helper {
		files = append(files, contract.File{Path: "util/helper.ts", Contents: "export const h = 1;\n"})
	}
	return smallFrontend(files...)
}

// smallBackend is a hand-made backend manifest.
func smallBackend() *contract.Manifest {
	return &contract.Manifest{Kind: contract.Backend, Guest: "g.wasm", Routes: []contract.Route{{Method: "GET", Path: "/hello"}}}
}

func render(t *testing.T, m *contract.Manifest, o Options) *Package {
	t.Helper()
	if o.ID == "" {
		o.ID = "hello"
	}
	p, err := Render(m, o)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func write(t *testing.T, root string, p *Package, wo WriteOptions) *WriteReport {
	t.Helper()
	r, err := Write(root, p, wo)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func readFile(t *testing.T, root, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeFile(t *testing.T, root, rel, data string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func exists(root, rel string) bool {
	_, err := os.Lstat(filepath.Join(root, filepath.FromSlash(rel)))
	return err == nil
}

// allPaths lists the package's files as Write reports them.
func allPaths(p *Package) []string {
	var out []string
	for _, f := range p.Files {
		out = append(out, p.Dir+"/"+f.Path)
	}
	return out
}

// ageTree sets every file under dir an hour back and returns the times.
func ageTree(t *testing.T, dir string) map[string]time.Time {
	t.Helper()
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	times := map[string]time.Time{}
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		times[p] = old
		return os.Chtimes(p, old, old)
	})
	if err != nil {
		t.Fatal(err)
	}
	return times
}

func TestWriteTwiceChangesNothing(t *testing.T) {
	root := t.TempDir()
	p := render(t, frontendManifest(t), Options{})
	r := write(t, root, p, WriteOptions{})
	if !slices.Equal(r.Written, allPaths(p)) || len(r.Unchanged)+len(r.Conflicts)+len(r.Removed)+len(r.Kept) != 0 {
		t.Fatalf("first write: %+v", r)
	}
	for _, f := range p.Files {
		if readFile(t, root, p.Dir+"/"+f.Path) != string(f.Data) {
			t.Errorf("%s: bytes differ from the package", f.Path)
		}
	}
	var own ownership
	if err := json.Unmarshal([]byte(readFile(t, root, p.Dir+"/"+ManifestName)), &own); err != nil {
		t.Fatal(err)
	}
	if len(own.Files) != len(p.Files) || own.Files["src/index.ts"] != sum(p.File("src/index.ts").Data) || own.Guest != "frontend.wasm" || own.Templates != TemplateVersion {
		t.Errorf(".bigband.json = %+v", own)
	}

	times := ageTree(t, filepath.Join(root, "plugins"))
	r = write(t, root, render(t, frontendManifest(t), Options{}), WriteOptions{})
	if len(r.Written) != 0 || !slices.Equal(r.Unchanged, allPaths(p)) || r.Changed() {
		t.Errorf("second write: %+v", r)
	}
	for path, want := range times {
		if fi, err := os.Stat(path); err != nil || !fi.ModTime().Equal(want) {
			t.Errorf("%s was rewritten", path)
		}
	}
}

func TestWriteKeepsEdits(t *testing.T) {
	root := t.TempDir()
	write(t, root, render(t, twoFiles(false), Options{}), WriteOptions{})
	const plugin = "plugins/hello/src/plugin.tsx"
	edited := readFile(t, root, plugin) + "// mine\n"
	writeFile(t, root, plugin, edited)

	// Another guest name changes every marker, so every file has news.
	p2 := render(t, twoFiles(false), Options{Guest: "other.wasm"})
	r := write(t, root, p2, WriteOptions{})
	if !slices.Equal(r.Conflicts, []string{plugin}) {
		t.Fatalf("conflicts = %v, want [%s]", r.Conflicts, plugin)
	}
	if slices.Contains(r.Written, plugin) || !slices.Contains(r.Written, "plugins/hello/src/routes.ts") {
		t.Errorf("written = %v", r.Written)
	}
	if readFile(t, root, plugin) != edited {
		t.Error("the edited file was changed")
	}
	if readFile(t, root, plugin+ConflictSuffix) != string(p2.File("src/plugin.tsx").Data) {
		t.Error(".bigband-new does not hold the new version")
	}
	if s := r.String(); !strings.Contains(s, "conflict "+plugin) || !strings.Contains(s, plugin+ConflictSuffix) || !strings.Contains(s, "1 conflicts") {
		t.Errorf("report:\n%s", s)
	}

	// Again: still a conflict, and the .bigband-new is not rewritten.
	times := ageTree(t, filepath.Join(root, "plugins"))
	r = write(t, root, p2, WriteOptions{})
	if !slices.Equal(r.Conflicts, []string{plugin}) || len(r.Written) != 0 {
		t.Errorf("repeat: %+v", r)
	}
	for path, want := range times {
		if fi, _ := os.Stat(path); !fi.ModTime().Equal(want) {
			t.Errorf("%s was rewritten", path)
		}
	}

	// The user takes the new version: resolved, .bigband-new goes away.
	writeFile(t, root, plugin, readFile(t, root, plugin+ConflictSuffix))
	r = write(t, root, p2, WriteOptions{})
	if len(r.Conflicts) != 0 || exists(root, plugin+ConflictSuffix) {
		t.Errorf("after resolving: %+v, .bigband-new left: %v", r, exists(root, plugin+ConflictSuffix))
	}
	// And the file is ours again: the next change replaces it.
	p3 := render(t, twoFiles(false), Options{Guest: "third.wasm"})
	r = write(t, root, p3, WriteOptions{})
	if len(r.Conflicts) != 0 || readFile(t, root, plugin) != string(p3.File("src/plugin.tsx").Data) {
		t.Errorf("after adopting: %+v", r)
	}
}

func TestWriteForce(t *testing.T) {
	root := t.TempDir()
	write(t, root, render(t, twoFiles(false), Options{}), WriteOptions{})
	const plugin = "plugins/hello/src/plugin.tsx"
	writeFile(t, root, plugin, "// mine\n")
	p2 := render(t, twoFiles(false), Options{Guest: "other.wasm"})
	write(t, root, p2, WriteOptions{}) // leaves a .bigband-new
	r := write(t, root, p2, WriteOptions{Force: true})
	if len(r.Conflicts) != 0 || !slices.Contains(r.Written, plugin) {
		t.Errorf("force: %+v", r)
	}
	if readFile(t, root, plugin) != string(p2.File("src/plugin.tsx").Data) || exists(root, plugin+ConflictSuffix) {
		t.Error("force did not overwrite, or left the .bigband-new")
	}
}

func TestWriteForeignFile(t *testing.T) {
	// A file the user made in a generated package, where a newer guest
	// now puts one: kept, the new version beside it.
	root := t.TempDir()
	write(t, root, render(t, twoFiles(false), Options{}), WriteOptions{})
	const helper = "plugins/hello/src/components/util/helper.ts"
	writeFile(t, root, helper, "// mine\n")
	p := render(t, twoFiles(true), Options{})
	r := write(t, root, p, WriteOptions{})
	if !slices.Equal(r.Conflicts, []string{helper}) || readFile(t, root, helper) != "// mine\n" {
		t.Errorf("foreign file: %+v", r)
	}
	if readFile(t, root, helper+ConflictSuffix) != string(p.File("src/components/util/helper.ts").Data) {
		t.Error("no .bigband-new for the foreign file")
	}
	var own ownership
	_ = json.Unmarshal([]byte(readFile(t, root, "plugins/hello/"+ManifestName)), &own)
	if _, ok := own.Files["src/components/util/helper.ts"]; ok {
		t.Error(".bigband.json claims a file bigband-dev never wrote")
	}
}

// Two plugins that map to one directory (frontend "hello-backend" and
// backend "hello"), and directories bigband-dev never generated: refused
// without --force, before anything is written.
func TestWriteRefusesOccupiedDir(t *testing.T) {
	front := render(t, twoFiles(false), Options{ID: "hello-backend"})
	back := render(t, smallBackend(), Options{ID: "hello"})
	if front.Dir != back.Dir {
		t.Fatalf("test premise: %s and %s differ", front.Dir, back.Dir)
	}
	legacy := `{"package": "@internal/plugin-other", "guest": "old.wasm", "files": {}}`
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, root string) // leaves plugins/hello-backend occupied
		p     *Package
		err   string
	}{
		{"frontend then backend", func(t *testing.T, root string) { write(t, root, front, WriteOptions{}) }, back,
			`plugins/hello-backend holds the frontend plugin "hello-backend", generated from g.wasm (says its .bigband.json); refusing to replace it with the backend plugin "hello": choose another --id, or use --force`},
		{"backend then frontend", func(t *testing.T, root string) { write(t, root, back, WriteOptions{}) }, front,
			`plugins/hello-backend holds the backend plugin "hello", generated from g.wasm (says its .bigband.json); refusing to replace it with the frontend plugin "hello-backend"`},
		{"same id, other kind", func(t *testing.T, root string) {
			writeFile(t, root, "plugins/hello-backend/"+ManifestName, `{"id": "hello-backend", "kind": "backend", "files": {}}`)
		}, front, `holds the backend plugin "hello-backend", generated from an unknown guest`},
		{"older manifest of another package", func(t *testing.T, root string) {
			writeFile(t, root, "plugins/hello-backend/"+ManifestName, legacy)
		}, back, `holds the package "@internal/plugin-other", generated from old.wasm`},
		{"not generated", func(t *testing.T, root string) {
			writeFile(t, root, "plugins/hello-backend/package.json", `{"name": "mine"}`)
		}, back, `plugins/hello-backend is not empty and has no .bigband.json, so bigband-dev did not generate it; refusing to write the backend plugin "hello" there: choose another --id, move the directory away, or use --force`},
		{"only an empty directory in it", func(t *testing.T, root string) {
			os.MkdirAll(filepath.Join(root, "plugins/hello-backend/src"), 0o755)
		}, back, `is not empty and has no .bigband.json`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			tc.setup(t, root)
			dir := filepath.Join(root, "plugins/hello-backend")
			before := snapshot(t, dir)
			_, err := Write(root, tc.p, WriteOptions{})
			if err == nil || !strings.Contains(err.Error(), tc.err) || !errors.Is(err, ErrOccupied) {
				t.Fatalf("Write = %v\nwant an ErrOccupied with %q", err, tc.err)
			}
			if after := snapshot(t, dir); !maps.Equal(before, after) {
				t.Errorf("the refused Write changed the directory:\nbefore %v\nafter  %v", before, after)
			}
			// --force replaces: the new package is written and recorded.
			write(t, root, tc.p, WriteOptions{Force: true})
			for _, f := range tc.p.Files {
				if readFile(t, root, tc.p.Dir+"/"+f.Path) != string(f.Data) {
					t.Errorf("--force: %s not written", f.Path)
				}
			}
			var own ownership
			if err := json.Unmarshal([]byte(readFile(t, root, tc.p.Dir+"/"+ManifestName)), &own); err != nil {
				t.Fatal(err)
			}
			if own.ID != tc.p.ID || own.Kind != tc.p.Kind.String() {
				t.Errorf("--force: .bigband.json records %q %q", own.ID, own.Kind)
			}
			// What the other plugin generated and nobody edited is gone.
			if tc.p == back && exists(root, "plugins/hello-backend/src/components/Page.tsx") {
				t.Error("--force left the frontend's generated files")
			}
			// Now it is ours: a plain Write goes through.
			write(t, root, tc.p, WriteOptions{})
		})
	}
}

// A .bigband.json from before id and kind were recorded, for the same
// package, is taken as ours and gains them.
func TestWriteUpgradesOlderManifest(t *testing.T) {
	root := t.TempDir()
	p := render(t, twoFiles(false), Options{})
	write(t, root, p, WriteOptions{})
	mp := "plugins/hello/" + ManifestName
	var own map[string]any
	if err := json.Unmarshal([]byte(readFile(t, root, mp)), &own); err != nil {
		t.Fatal(err)
	}
	delete(own, "id")
	delete(own, "kind")
	b, _ := json.Marshal(own)
	writeFile(t, root, mp, string(b))
	r := write(t, root, p, WriteOptions{})
	if len(r.Written) != 0 || len(r.Conflicts) != 0 {
		t.Errorf("older manifest: %+v", r)
	}
	if s := readFile(t, root, mp); !strings.Contains(s, `"id": "hello"`) || !strings.Contains(s, `"kind": "frontend"`) {
		t.Errorf(".bigband.json not upgraded:\n%s", s)
	}
}

// snapshot maps every path under dir to its contents ("dir" for
// directories).
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if fi.IsDir() {
			out[p] = "dir"
			return nil
		}
		b, err := os.ReadFile(p)
		out[p] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestWriteRemovesDroppedFiles(t *testing.T) {
	root := t.TempDir()
	write(t, root, render(t, twoFiles(true), Options{}), WriteOptions{})
	const helper = "plugins/hello/src/components/util/helper.ts"
	if !exists(root, helper) {
		t.Fatal("helper not written")
	}
	r := write(t, root, render(t, twoFiles(false), Options{}), WriteOptions{})
	if !slices.Equal(r.Removed, []string{helper}) || exists(root, helper) {
		t.Errorf("removal: %+v", r)
	}
	if exists(root, "plugins/hello/src/components/util") {
		t.Error("the emptied directory was left")
	}
	if !exists(root, "plugins/hello/src/components/Page.tsx") {
		t.Error("a kept file was removed")
	}
	var own ownership
	_ = json.Unmarshal([]byte(readFile(t, root, "plugins/hello/"+ManifestName)), &own)
	if _, ok := own.Files["src/components/util/helper.ts"]; ok {
		t.Error(".bigband.json still lists the removed file")
	}
}

func TestWriteKeepsEditedDroppedFiles(t *testing.T) {
	root := t.TempDir()
	write(t, root, render(t, twoFiles(true), Options{}), WriteOptions{})
	const helper = "plugins/hello/src/components/util/helper.ts"
	writeFile(t, root, helper, "export const h = 2; // mine\n")
	for i := 0; i < 2; i++ { // reported every time until dealt with
		r := write(t, root, render(t, twoFiles(false), Options{}), WriteOptions{})
		if !slices.Equal(r.Kept, []string{helper}) || len(r.Removed) != 0 {
			t.Errorf("write %d: %+v", i, r)
		}
		if readFile(t, root, helper) != "export const h = 2; // mine\n" {
			t.Errorf("write %d: the edited file changed", i)
		}
	}
	if s := write(t, root, render(t, twoFiles(false), Options{}), WriteOptions{}).String(); !strings.Contains(s, "kept     "+helper) {
		t.Errorf("report:\n%s", s)
	}
	r := write(t, root, render(t, twoFiles(false), Options{}), WriteOptions{Force: true})
	if !slices.Equal(r.Removed, []string{helper}) || exists(root, helper) {
		t.Errorf("force: %+v", r)
	}
}

func TestWriteRefusesEscapingSymlinks(t *testing.T) {
	outside := t.TempDir()
	p := render(t, twoFiles(false), Options{})
	for _, tc := range []struct {
		name  string
		setup func(root string) error
		err   string
	}{
		{"src outside", func(root string) error {
			os.MkdirAll(filepath.Join(root, "plugins/hello"), 0o755)
			return os.Symlink(outside, filepath.Join(root, "plugins/hello/src"))
		}, "plugins/hello/src/"},
		{"plugins outside", func(root string) error {
			return os.Symlink(outside, filepath.Join(root, "plugins"))
		}, "outside"},
		{"file outside", func(root string) error {
			os.MkdirAll(filepath.Join(root, "plugins/hello"), 0o755)
			return os.Symlink(filepath.Join(outside, "pj"), filepath.Join(root, "plugins/hello/package.json"))
		}, "plugins/hello/package.json"},
		{"conflict file outside", func(root string) error {
			os.MkdirAll(filepath.Join(root, "plugins/hello/src"), 0o755)
			return os.Symlink(filepath.Join(outside, "x"), filepath.Join(root, "plugins/hello/src/index.ts"+ConflictSuffix))
		}, "index.ts" + ConflictSuffix},
		{"manifest outside", func(root string) error {
			os.MkdirAll(filepath.Join(root, "plugins/hello"), 0o755)
			os.WriteFile(filepath.Join(outside, "m.json"), []byte(`{"files":{}}`), 0o644)
			return os.Symlink(filepath.Join(outside, "m.json"), filepath.Join(root, "plugins/hello", ManifestName))
		}, ManifestName},
		{"manifest lists an outside path", func(root string) error {
			os.MkdirAll(filepath.Join(root, "plugins/hello"), 0o755)
			return os.WriteFile(filepath.Join(root, "plugins/hello", ManifestName), []byte(`{"files":{"../../../victim":"x"}}`), 0o644)
		}, `lists "../../../victim": not a clean relative path`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			if err := tc.setup(root); err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(root, "victim"), []byte("keep"), 0o644)
			before, _ := os.ReadDir(outside)
			_, err := Write(root, p, WriteOptions{Force: true})
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("Write = %v, want an error with %q", err, tc.err)
			}
			after, _ := os.ReadDir(outside)
			if len(after) != len(before) {
				t.Errorf("files appeared outside: %v", after)
			}
			if exists(root, "plugins/hello/src/routes.ts") {
				t.Error("Write wrote files before refusing")
			}
			if readFile(t, root, "victim") != "keep" {
				t.Error("a file outside the package was touched")
			}
		})
	}
}

func TestWriteFollowsSymlinksInside(t *testing.T) {
	root := t.TempDir()
	// src is a symlink to a directory inside the package: allowed.
	os.MkdirAll(filepath.Join(root, "plugins/hello/real-src"), 0o755)
	if err := os.Symlink("real-src", filepath.Join(root, "plugins/hello/src")); err != nil {
		t.Fatal(err)
	}
	// Force: the directory is not empty and has no .bigband.json.
	write(t, root, render(t, twoFiles(false), Options{}), WriteOptions{Force: true})
	if !exists(root, "plugins/hello/real-src/plugin.tsx") {
		t.Error("file not written through the inside symlink")
	}
}

func TestWriteRefusesBadDir(t *testing.T) {
	for _, dir := range []string{"../x", "/abs", "a/../../x", "", "."} {
		p := &Package{Dir: dir, Files: []GenFile{{Path: "a", Data: []byte("a")}}}
		if _, err := Write(t.TempDir(), p, WriteOptions{}); err == nil {
			t.Errorf("Dir %q: no error", dir)
		}
	}
	p := &Package{Dir: "plugins/x", Files: []GenFile{{Path: "../../../y", Data: []byte("a")}}}
	root := t.TempDir()
	if _, err := Write(filepath.Join(root, "app"), p, WriteOptions{}); err == nil || !strings.Contains(err.Error(), `"../../../y"`) {
		t.Errorf("file ../../../y: %v", err)
	}
	if exists(root, "y") {
		t.Error("wrote outside root")
	}
}
