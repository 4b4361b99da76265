package backstage

import (
	"bytes"
	"context"
	"crypto/sha256"
	"flag"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/bigband-dev/bigband/contract"
	"github.com/bigband-dev/bigband/host"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// bigFile is the size above which a golden file shows a hash instead of
// the contents.
const bigFile = 64 << 10

// archive renders a package as a txtar-like text: a header section, then
// "-- path --" and the file's bytes for each file. Files that do not end in
// a newline say so in their header, so the text maps back to exact bytes.
func archive(p *Package) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "-- (package) --\nkind: %s\nname: %s\ndir: %s\nplugin export: %s\npage export: %s\n",
		p.Kind, p.Name, p.Dir, p.PluginExport, p.PageExport)
	for _, f := range p.Files {
		switch {
		case len(f.Data) > bigFile:
			fmt.Fprintf(&b, "-- %s (%d bytes, sha256 %x) --\n", f.Path, len(f.Data), sha256.Sum256(f.Data))
		case len(f.Data) > 0 && f.Data[len(f.Data)-1] != '\n':
			fmt.Fprintf(&b, "-- %s (no final newline) --\n%s\n", f.Path, f.Data)
		default:
			fmt.Fprintf(&b, "-- %s --\n%s", f.Path, f.Data)
		}
	}
	return b.Bytes()
}

var sectionHeader = regexp.MustCompile(`(?m)^-- (.+) --$`)

// sections splits an archive into its sections by header.
func sections(data []byte) map[string]string {
	out := map[string]string{}
	locs := sectionHeader.FindAllSubmatchIndex(data, -1)
	for i, l := range locs {
		end := len(data)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		start := min(l[1]+1, end)
		out[string(data[l[2]:l[3]])] = string(data[start:end])
	}
	return out
}

// checkGolden compares p with testdata/golden/<name>.txtar, naming each
// section that differs, or rewrites the file under -update.
func checkGolden(t *testing.T, name string, p *Package) {
	t.Helper()
	file := filepath.Join("testdata", "golden", name+".txtar")
	got := archive(p)
	if *update {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test ./backstage -update to create it)", err)
	}
	if bytes.Equal(got, want) {
		return
	}
	g, w := sections(got), sections(want)
	for h, ws := range w {
		gs, ok := g[h]
		switch {
		case !ok:
			t.Errorf("%s: section %q missing", file, h)
		case gs != ws:
			t.Errorf("%s: section %q differs:\n--- got\n%s\n--- want\n%s", file, h, gs, ws)
		}
	}
	for h := range g {
		if _, ok := w[h]; !ok {
			t.Errorf("%s: unexpected section %q", file, h)
		}
	}
	t.Errorf("%s differs (run go test ./backstage -update if the change is intended)", file)
}

func TestArchiveRoundTrip(t *testing.T) {
	p := &Package{Files: []GenFile{
		{Path: "a.ts", Data: []byte("one\n")},
		{Path: "b.ts", Data: []byte("no newline")},
		{Path: "big.ts", Data: bytes.Repeat([]byte("x"), bigFile+1)},
	}}
	s := sections(archive(p))
	if s["a.ts"] != "one\n" || s["b.ts (no final newline)"] != "no newline\n" {
		t.Errorf("sections: %q", s)
	}
	if _, ok := s[fmt.Sprintf("big.ts (%d bytes, sha256 %x)", bigFile+1, sha256.Sum256(p.Files[2].Data))]; !ok {
		t.Errorf("big file not hashed: %q", s)
	}
}

// The golden inputs are the manifests of the real guest fixtures, each read
// once per test binary. The JS guests take seconds each to compile, so
// tests that use them run in parallel, and -short skips them.
var fixtures = map[string]*fixture{
	"c/frontend/frontend.wasm":            {},
	"go/frontend/frontend.component.wasm": {},
	"js/frontend/frontend.wasm":           {},
	"c/backend/backend.wasm":              {},
	"js/backend/backend.wasm":             {},
}

type fixture struct {
	once sync.Once
	m    *contract.Manifest
	err  error
}

func readFixture(rel string) (*contract.Manifest, error) {
	ctx := context.Background()
	wasm, err := os.ReadFile(filepath.Join("..", "fixtures", "guests", filepath.FromSlash(rel)))
	if err != nil {
		return nil, err
	}
	rt, err := host.NewRuntime(ctx, host.Config{})
	if err != nil {
		return nil, err
	}
	defer rt.Close(ctx)
	prog, err := contract.LoadGuest(ctx, rt, wasm, path.Base(rel))
	if err != nil {
		return nil, err
	}
	k, err := contract.KindOf(prog)
	if err != nil {
		return nil, err
	}
	m, err := contract.ReadManifest(ctx, prog, k)
	if err != nil {
		return nil, err
	}
	return m, m.Validate()
}

// fixtureManifest returns a copy of a fixture's manifest, free to change.
func fixtureManifest(t *testing.T, rel string) *contract.Manifest {
	t.Helper()
	f, ok := fixtures[rel]
	if !ok {
		t.Fatalf("%s is not a fixture", rel)
	}
	if testing.Short() && strings.HasPrefix(rel, "js/") {
		t.Skipf("%s: JS guests take seconds to compile (-short)", rel)
	}
	f.once.Do(func() { f.m, f.err = readFixture(rel) })
	if f.err != nil {
		t.Fatalf("%s: %v", rel, f.err)
	}
	m := *f.m
	m.Files = slices.Clone(f.m.Files)
	m.Deps = slices.Clone(f.m.Deps)
	m.Routes = slices.Clone(f.m.Routes)
	return &m
}

func frontendManifest(t *testing.T) *contract.Manifest {
	return fixtureManifest(t, "c/frontend/frontend.wasm")
}

func backendManifest(t *testing.T) *contract.Manifest {
	return fixtureManifest(t, "c/backend/backend.wasm")
}

func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		name, guest string
		o           Options
	}{
		{"c-frontend-new", "c/frontend/frontend.wasm", Options{ID: "wasm-example"}},
		{"c-frontend-legacy", "c/frontend/frontend.wasm", Options{ID: "wasm-example", FrontendSystem: LegacyFrontendSystem}},
		{"go-frontend-new", "go/frontend/frontend.component.wasm", Options{ID: "wasm-example"}},
		{"js-frontend-new", "js/frontend/frontend.wasm", Options{ID: "wasm-example"}},
		{"c-backend", "c/backend/backend.wasm", Options{ID: "wasm-example"}},
		{"js-backend", "js/backend/backend.wasm", Options{ID: "echo", Target: "https://bigband.example:8443/guests/echo", Guest: "echo.wasm"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, err := Render(fixtureManifest(t, tc.guest), tc.o)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, tc.name, p)
		})
	}
}
