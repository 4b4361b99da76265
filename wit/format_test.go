package wit

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/bigband-dev/bigband/wit/syntax"
)

// TestFormatKeepsMeaning formats every file of every passing conformance
// case and checks the package still resolves to exactly the same JSON, docs
// included: the printer may move comments between tokens but never changes
// what a package means.
func TestFormatKeepsMeaning(t *testing.T) {
	dir := conformanceDir(t)
	div := readDivergences(t)
	opts := LoadOptions{Features: map[string]bool{"active": true}}
	checked := 0
	for _, c := range conformanceCases(t, dir) {
		if _, skip := div[c]; skip {
			continue
		}
		root, _ := filepath.Abs(filepath.Join(dir, c))
		before, _, err := Load(root, opts)
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		overlays := map[string][]byte{}
		filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".wit") {
				return err
			}
			src, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out, ferr := syntax.FormatSource(p, src)
			if ferr != nil {
				t.Errorf("%s: format: %v", p, ferr)
				return nil
			}
			overlays[p] = out
			return nil
		})
		opts.Overlays = overlays
		after, _, err := Load(root, opts)
		opts.Overlays = nil
		if err != nil {
			t.Errorf("%s: formatted package does not load: %v", c, err)
			continue
		}
		var bv, av any
		json.Unmarshal(before.JSON(), &bv)
		json.Unmarshal(after.JSON(), &av)
		if !reflect.DeepEqual(bv, av) {
			t.Errorf("%s: formatting changed the resolved package:\n%s", c, firstDiff(string(after.JSON()), string(before.JSON())))
		}
		checked++
	}
	if checked < 70 {
		t.Fatalf("only %d cases checked", checked)
	}
}
