package component

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bigband-dev/bigband/wit"
)

// fixtures returns the guest binaries built under fixtures/guests/.
func fixtures(t testing.TB) []string {
	var out []string
	root := filepath.Join("..", "..", "fixtures", "guests")
	_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".wasm") {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// isFrontendResult checks `func() -> result<list<record>, string>`.
func isFrontendResult(r *wit.Resolve, f *wit.Function) bool {
	if f == nil || len(f.Params) != 0 || f.Result.Prim != wit.Ref {
		return false
	}
	res := r.Types[Underlying(r, f.Result).ID]
	if res.Kind != wit.KindResult || res.Err.Prim != wit.String || res.Ok.Prim != wit.Ref {
		return false
	}
	list := r.Types[Underlying(r, res.Ok).ID]
	if list.Kind != wit.KindList || list.Elem.Prim != wit.Ref {
		return false
	}
	return r.Types[Underlying(r, list.Elem).ID].Kind == wit.KindRecord
}

func TestFixtures(t *testing.T) {
	files := fixtures(t)
	if len(files) == 0 {
		t.Skip("no fixtures under fixtures/guests/")
	}
	for _, p := range files {
		t.Run(filepath.ToSlash(p), func(t *testing.T) {
			bin, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if IsCoreModule(bin) {
				m, err := DecodeCore(bin)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := RewriteEmptyImportModules(bin); err != nil {
					t.Fatal(err)
				}
				if len(m.ComponentTypes) > 0 {
					r, wid, err := m.World()
					if err != nil {
						t.Fatal(err)
					}
					if strings.Contains(p, "frontend") {
						checkFrontendWorld(t, r, wid)
					}
				}
				if strings.Contains(p, "frontend") {
					for _, fn := range []string{"get-node-deps", "get-component-files"} {
						found := false
						for _, e := range m.Exports {
							if strings.Contains(e.Name, "/backstage-frontend-plugin") && strings.HasSuffix(e.Name, "#"+fn) && e.Type.Func != nil {
								found = true
							}
						}
						if !found {
							t.Errorf("no export …backstage-frontend-plugin#%s", fn)
						}
					}
				}
				return
			}
			c, err := Decode(bin)
			if err != nil {
				t.Fatal(err)
			}
			r, wid, err := c.World()
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(p, "frontend") {
				checkFrontendWorld(t, r, wid)
			}
		})
	}
}

// checkFrontendWorld checks that the world exports a
// backstage-frontend-plugin interface (any package) with the contract's
// function shapes.
func checkFrontendWorld(t *testing.T, r *wit.Resolve, wid wit.WorldID) {
	t.Helper()
	found := false
	for _, it := range r.Worlds[wid].Exports {
		if it.Kind != wit.WorldInterface {
			continue
		}
		n, err := ParseInterfaceName(r.InterfaceName(it.Interface))
		if err != nil || n.Interface != "backstage-frontend-plugin" {
			continue
		}
		found = true
		iface := r.Interfaces[it.Interface]
		for _, fn := range []string{"get-node-deps", "get-component-files"} {
			if !isFrontendResult(r, iface.Function(fn)) {
				t.Errorf("%s: not func() -> result<list<record>, string>", fn)
			}
		}
	}
	if !found {
		t.Error("no backstage-frontend-plugin export")
	}
}
