package wasmbudget

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/bigband-dev/bigband/host/component"
)

// guestModule is one core module of a real guest under fixtures/guests/.
type guestModule struct {
	name  string // file, and #index for a component's core modules
	bytes []byte
}

// guestModules returns every core module of every guest under fixtures/guests/
// whose file is at most maxFile bytes (0: any): core module files as they
// are, components' embedded modules (nested components included) extracted
// with the host's decoder.
func guestModules(t testing.TB, maxFile int64) []guestModule {
	t.Helper()
	root := filepath.Join("..", "..", "..", "fixtures", "guests")
	var out []guestModule
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".wasm") {
			return err
		}
		if info, err := d.Info(); err != nil || (maxFile > 0 && info.Size() > maxFile) {
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
		t.Skip("no guests under fixtures/guests/")
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

// The guests under fixtures/guests/ measured with this package (go test -v -run
// TestGuestsPass ./host/internal/wasmbudget), largest per figure:
//
//	figure                  Go wasip1 (1.9 MB)   JS componentize-js (14.4 MB)   C (15-28 KB)
//	ModuleBytes                   1,898,649            14,423,714                    27,551
//	Functions                         1,295                12,767                        23
//	FunctionBytes                    12,415               171,628                     7,046
//	Locals                               17                   118                        18
//	TotalLocals                       5,247                52,009                        78
//	Nesting                             296                   456                        19
//	BrTableTargets                   44,211                48,096                        16
//	BrTableTargetsPerInstr              535                   454                         8
//	FuncTypeValues                        5                    18                         9
//	TableElements                     5,391                 7,784                         1
//	Blocks                            1,221                11,482                       286
//	TotalBlocks                     114,412               562,909                       853
//	Predecessors                        140                   666                        19
//	FunctionControlFlow               3,620               622,820                     4,975
//	ControlFlow                     363,404            10,092,919                     9,314
//
// minHeadroom is what DefaultLimits must leave above every guest's needs.
const minHeadroom = 4

// TestGuestsPass checks every real guest fits the default budget with
// room to spare, and logs each one's figures.
func TestGuestsPass(t *testing.T) {
	def := reflect.ValueOf(DefaultLimits())
	need := reflect.New(def.Type()).Elem() // the most any guest needs
	for _, g := range guestModules(t, 0) {
		if err := Check(g.bytes, DefaultLimits()); err != nil {
			t.Errorf("%s: %v", g.name, err)
		}
		st := Measure(g.bytes)
		if st.Unscanned != 0 {
			t.Errorf("%s: %d functions not fully scanned", g.name, st.Unscanned)
		}
		v := reflect.ValueOf(st.Limits)
		var line strings.Builder
		for i := range v.NumField() {
			n := v.Field(i).Int()
			need.Field(i).SetInt(max(need.Field(i).Int(), n))
			fmt.Fprintf(&line, " %s=%d", def.Type().Field(i).Name, n)
		}
		t.Logf("%s:%s", g.name, line.String())
	}
	for i := range def.NumField() {
		name, lim, n := def.Type().Field(i).Name, def.Field(i).Int(), need.Field(i).Int()
		if lim < minHeadroom*n {
			t.Errorf("DefaultLimits().%s = %d leaves less than %dx the %d a guest needs", name, lim, minHeadroom, n)
		}
	}
}

// BenchmarkCheck scans the largest guest module.
func BenchmarkCheck(b *testing.B) {
	var big []byte
	for _, g := range guestModules(b, 0) {
		if len(g.bytes) > len(big) {
			big = g.bytes
		}
	}
	b.SetBytes(int64(len(big)))
	b.ReportAllocs()
	for b.Loop() {
		if err := Check(big, DefaultLimits()); err != nil {
			b.Fatal(err)
		}
	}
}
