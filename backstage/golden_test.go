package backstage

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/bigband-dev/bigband/contract"
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

// The fixture manifests, built from the checked-in expectations that every
// frontend fixture (C, Go, JS) and backend fixture (C, JS) must meet.

var (
	frontendOnce sync.Once
	frontendM    *contract.Manifest
	frontendErr  error
)

func frontendManifest(t *testing.T) *contract.Manifest {
	t.Helper()
	frontendOnce.Do(func() { frontendM, frontendErr = loadFrontendExpected() })
	if frontendErr != nil {
		t.Fatal(frontendErr)
	}
	// Callers may change their copy.
	m := *frontendM
	m.Files = append([]contract.File(nil), frontendM.Files...)
	m.Deps = append([]contract.NodeDep(nil), frontendM.Deps...)
	return &m
}

func loadFrontendExpected() (*contract.Manifest, error) {
	const file = "../examples/frontend-expected.json"
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var exp struct {
		Deps struct {
			OK []struct {
				Name    string  `json:"name"`
				Version *string `json:"version"`
				Dev     bool    `json:"dev"`
			} `json:"ok"`
		} `json:"backstage-frontend-plugin#get-node-deps"`
		Files struct {
			OK []struct {
				Path     string          `json:"path"`
				IsRoot   bool            `json:"is-root"`
				Class    *string         `json:"component-class-name"`
				Contents json.RawMessage `json:"contents"`
			} `json:"ok"`
		} `json:"backstage-frontend-plugin#get-component-files"`
	}
	if err := json.Unmarshal(data, &exp); err != nil {
		return nil, fmt.Errorf("%s: %v", file, err)
	}
	m := &contract.Manifest{Kind: contract.Frontend, Guest: "frontend.wasm"}
	for _, d := range exp.Deps.OK {
		nd := contract.NodeDep{Name: d.Name, Dev: d.Dev}
		if d.Version != nil {
			nd.Version = *d.Version
		}
		m.Deps = append(m.Deps, nd)
	}
	for _, f := range exp.Files.OK {
		cf := contract.File{Path: f.Path, IsRoot: f.IsRoot}
		if f.Class != nil {
			cf.ComponentClassName = *f.Class
		}
		var s string
		if err := json.Unmarshal(f.Contents, &s); err != nil {
			// A hash stands for the big filler file: rebuild it.
			var h struct {
				SHA256 string `json:"sha256"`
				Length int    `json:"length"`
			}
			if err := json.Unmarshal(f.Contents, &h); err != nil {
				return nil, fmt.Errorf("%s: %s: contents: %v", file, f.Path, err)
			}
			s = filler(h.Length)
			if got := fmt.Sprintf("%x", sha256.Sum256([]byte(s))); got != h.SHA256 {
				return nil, fmt.Errorf("%s: %s: rebuilt filler has sha256 %s, want %s", file, f.Path, got, h.SHA256)
			}
		}
		cf.Contents = s
		m.Files = append(m.Files, cf)
	}
	return m, nil
}

// filler is the big file of the frontend fixtures: numbered comment lines.
func filler(n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "// filler line %06d\n", i)
	}
	return b.String()
}

func backendManifest(t *testing.T) *contract.Manifest {
	t.Helper()
	const file = "../examples/backend-expected.md"
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	// The routes are the JSON block of the "## get-routes" section.
	_, rest, ok := strings.Cut(string(data), "## get-routes")
	if ok {
		_, rest, ok = strings.Cut(rest, "```json\n")
	}
	var block string
	if ok {
		block, _, ok = strings.Cut(rest, "```")
	}
	if !ok {
		t.Fatalf("%s: no JSON block under ## get-routes", file)
	}
	var routes []struct{ Method, Path string }
	if err := json.Unmarshal([]byte(block), &routes); err != nil {
		t.Fatalf("%s: routes: %v", file, err)
	}
	m := &contract.Manifest{Kind: contract.Backend, Guest: "backend.wasm"}
	for _, r := range routes {
		m.Routes = append(m.Routes, contract.Route{Method: r.Method, Path: r.Path})
	}
	if len(m.Routes) != 7 {
		t.Fatalf("%s: %d routes, want 7", file, len(m.Routes))
	}
	return m
}

func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    func(*testing.T) *contract.Manifest
		o    Options
	}{
		{"frontend-new", frontendManifest, Options{ID: "wasm-example"}},
		{"frontend-legacy", frontendManifest, Options{ID: "wasm-example", FrontendSystem: LegacyFrontendSystem}},
		{"backend", backendManifest, Options{ID: "wasm-example"}},
		{"backend-target", backendManifest, Options{ID: "echo", Target: "https://bigband.example:8443/guests/echo", Guest: "echo.wasm"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Render(tc.m(t), tc.o)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, tc.name, p)
		})
	}
}
