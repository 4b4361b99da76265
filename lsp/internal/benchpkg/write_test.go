package benchpkg

import (
	"os"
	"testing"
)

// TestWrite writes the package to $BENCHPKG_DIR for measuring the binary
// by hand; without it, it checks that writing works.
func TestWrite(t *testing.T) {
	dir := os.Getenv("BENCHPKG_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	path, err := Write(dir, 50)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
}
