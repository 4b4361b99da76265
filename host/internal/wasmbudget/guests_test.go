package wasmbudget

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bigband-dev/bigband/host/component"
)

// guestModule is one core module of a real guest under examples/.
type guestModule struct {
	name  string // file, and #index for a component's core modules
	bytes []byte
}

// guestModules returns every core module of every guest under examples/:
// core module files as they are, components' embedded modules (nested
// components included) extracted with the host's decoder.
func guestModules(t testing.TB) []guestModule {
	t.Helper()
	root := filepath.Join("..", "..", "..", "examples")
	var out []guestModule
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".wasm") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		name := filepath.ToSlash(strings.TrimPrefix(p, root+string(filepath.Separator)))
		switch {
		case component.IsCoreModule(b):
			out = append(out, guestModule{name, b})
		case component.IsComponent(b):
			c, err := component.Decode(b)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			out = appendCoreModules(out, name, c)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Skip("no guests under examples/")
	}
	return out
}

func appendCoreModules(out []guestModule, name string, c *component.Component) []guestModule {
	n := 0
	for _, d := range c.Defs {
		switch d := d.(type) {
		case *component.CoreModuleDef:
			out = append(out, guestModule{name + "#" + itoa(n), d.Bytes})
			n++
		case *component.NestedComponent:
			out = appendCoreModules(out, name+"/"+itoa(int(d.Index)), d.Component)
		}
	}
	return out
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

// TestGuestsPass checks every real guest fits the default budget, and logs
// each one's figures (go test -v -run TestGuestsPass).
func TestGuestsPass(t *testing.T) {
	for _, g := range guestModules(t) {
		if err := Check(g.bytes, DefaultLimits()); err != nil {
			t.Errorf("%s: %v", g.name, err)
		}
		st := Measure(g.bytes)
		if st.Unscanned != 0 {
			t.Errorf("%s: %d functions not fully scanned", g.name, st.Unscanned)
		}
		t.Logf("%-40s %5d preds %6d blk %7d totblk %10d cf/fn %11d cf %9d B %6d fn %7d B/fn %5d loc %8d loc total %4d nest %6d brt %5d brt/instr %3d fty %6d tbl",
			g.name, st.Predecessors, st.Blocks, st.TotalBlocks, st.FunctionControlFlow, st.ControlFlow, st.ModuleBytes, st.Functions, st.FunctionBytes, st.Locals, st.TotalLocals, st.Nesting,
			st.BrTableTargets, st.BrTableTargetsPerInstr, st.FuncTypeValues, st.TableElements)
	}
}
