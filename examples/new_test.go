package examples_test

import (
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bigband-dev/bigband/examples"
	"github.com/bigband-dev/bigband/internal/tooltest"
	"github.com/bigband-dev/bigband/scaffold"
)

// TestNew: for every language and kind with an example, a project from
// `bigband-dev new` builds on its own (outside the repository) and passes
// the same checks as the example. It keeps the example's plugin id so the
// checks apply unchanged; scaffold's own tests cover other ids.
func TestNew(t *testing.T) {
	for _, kind := range scaffold.Kinds {
		for _, lang := range scaffold.Langs(kind) {
			t.Run(lang+"/"+kind, func(t *testing.T) {
				t.Parallel()
				requireTools(t, lang)
				dir := filepath.Join(work, "new-"+lang+"-"+kind, "my-plugin")
				out := cli(t, "new", "--id", "example-"+lang, lang, kind, dir)
				if !strings.Contains(out, "bigband-dev watch "+dir) {
					t.Errorf("new does not say how to watch the project:\n%s", out)
				}
				exercise(t, lang, kind, build(t, lang, dir))
			})
		}
	}
}

// TestJSPinsMatchTools: the JS examples pin the npm tools tools/js
// installs (what CI builds them with), so a user's `npm install` gets
// what CI tested.
func TestJSPinsMatchTools(t *testing.T) {
	read := func(p string) map[string]string {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var pkg struct {
			Dependencies    map[string]string `json:"dependencies"`
			DevDependencies map[string]string `json:"devDependencies"`
		}
		if err := json.Unmarshal(data, &pkg); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		m := map[string]string{}
		for k, v := range pkg.Dependencies {
			m[k] = v
		}
		for k, v := range pkg.DevDependencies {
			m[k] = v
		}
		return m
	}
	tools := read(filepath.Join(repoRoot, "tools/js/package.json"))
	pkgs, _ := filepath.Glob(filepath.Join(repoRoot, "examples/js/*/package.json"))
	if len(pkgs) == 0 {
		t.Fatal("no examples/js/*/package.json")
	}
	for _, p := range pkgs {
		deps := read(p)
		if len(deps) == 0 {
			t.Errorf("%s: no dependencies", p)
		}
		for name, v := range deps {
			if tools[name] != v {
				t.Errorf("%s: %s %q, but tools/js/package.json has %q", p, name, v, tools[name])
			}
		}
	}
}

// TestEmbedsEveryFile: package examples embeds exactly the files git
// keeps under examples/<lang>/<kind>, so `new` copies the whole example
// and nothing a build left behind.
func TestEmbedsEveryFile(t *testing.T) {
	git := tooltest.Look(t, "git", "apt install git")
	cmd := exec.Command(git, "ls-files", "--cached", "--others", "--exclude-standard", "--", "examples")
	cmd.Dir = repoRoot
	out, err := cmd.Output()
	if err != nil {
		t.Skipf("git ls-files: %v (not a git checkout?)", err)
	}
	var onDisk []string
	for _, p := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		rel := strings.TrimPrefix(p, "examples/")
		if strings.Count(rel, "/") < 2 { // examples.go and tests
			continue
		}
		if _, err := os.Stat(filepath.Join(repoRoot, p)); err != nil {
			continue // deleted in the work tree
		}
		onDisk = append(onDisk, rel)
	}
	var embedded []string
	err = fs.WalkDir(examples.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			embedded = append(embedded, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(onDisk)
	slices.Sort(embedded)
	for _, p := range onDisk {
		if _, ok := slices.BinarySearch(embedded, p); !ok {
			t.Errorf("examples/%s is not embedded: add a pattern for it to examples/examples.go", p)
		}
	}
	for _, p := range embedded {
		if _, ok := slices.BinarySearch(onDisk, p); !ok {
			t.Errorf("examples/%s is embedded but git does not keep it (a build output?)", p)
		}
	}
}
