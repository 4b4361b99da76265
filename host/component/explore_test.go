package component

import (
	"os"
	"strings"
	"testing"
)

// TestDecodeFiles decodes the files named in $BIGBAND_COMPONENTS (a
// colon-separated list) and prints a summary; a development aid.
func TestDecodeFiles(t *testing.T) {
	list := os.Getenv("BIGBAND_COMPONENTS")
	if list == "" {
		t.Skip("BIGBAND_COMPONENTS not set")
	}
	for _, path := range strings.Split(list, ":") {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		c, err := Decode(b)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		t.Logf("%s: %d defs, %d imports, %d exports, %d types", path, len(c.Defs), len(c.Imports), len(c.Exports), len(c.Resolve.Types))
	}
}

func TestWorldFiles(t *testing.T) {
	list := os.Getenv("BIGBAND_COMPONENTS")
	if list == "" {
		t.Skip("BIGBAND_COMPONENTS not set")
	}
	for _, path := range strings.Split(list, ":") {
		b, _ := os.ReadFile(path)
		c, err := Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		r, w, err := c.World()
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		_ = w
		os.WriteFile(path+".json", r.JSON(), 0o644)
	}
}

