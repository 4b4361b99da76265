//go:build !cgo

package wire

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/bigband-dev/bigband/internal/tooltest"
)

// Without cgo, TypeScript edits are refused with the lines to add by hand,
// and nothing is written; discovery wiring, which only edits package.json,
// still works. Run with CGO_ENABLED=0 go test.
func TestNoCgo(t *testing.T) {
	dir := newApp(t, "app")
	before := snapshot(t, dir)
	_, err := Backend(dir, Plugin{ID: "hello", Package: helloBackend})
	var se *ShapeError
	if !errors.As(err, &se) || se.File != backendIndex || !strings.Contains(se.Error(), "built without cgo") ||
		!slices.Equal(se.Manual, []string{"backend.add(import('@internal/plugin-hello-backend'));"}) {
		t.Errorf("err = %v", err)
	}
	sameSnapshot(t, before, snapshot(t, dir))

	if _, err := Frontend(dir, Plugin{ID: "hello", Package: helloFrontend}, true); !errors.As(err, &se) || se.File != appTSX {
		t.Errorf("legacy: err = %v", err)
	}
	sameSnapshot(t, before, snapshot(t, dir))

	res, err := Frontend(dir, Plugin{ID: "hello", Package: helloFrontend}, false)
	if err != nil || !slices.Equal(res.Changed, []string{appPackageJSON}) {
		t.Errorf("discovery: %+v, %v", res, err)
	}
}

// TestCgoRequired makes CI fail rather than skip the TypeScript edit tests
// when the build had no C compiler.
func TestCgoRequired(t *testing.T) {
	tooltest.Missing(t, "cgo", "the tree-sitter wiring tests need it: install gcc, CGO_ENABLED=1")
}

// Without cgo the dev client's index.tsx line is refused with the line to
// add by hand, and nothing is written; the line is still removed when the
// client is turned off.
func TestNoCgoDevClient(t *testing.T) {
	dir := newApp(t, "app")
	before := snapshot(t, dir)
	_, err := DevClient(dir, "http://127.0.0.1:7008/__bigband/client.js")
	var se *ShapeError
	if !errors.As(err, &se) || se.File != appIndex || !slices.Equal(se.Manual, []string{devClientLine}) {
		t.Errorf("err = %v", err)
	}
	sameSnapshot(t, before, snapshot(t, dir))

	b, err := os.ReadFile(appPath(dir, appIndex))
	if err != nil {
		t.Fatal(err)
	}
	orig := string(b)
	writeApp(t, dir, appIndex, devClientLine+"\n"+orig)
	writeApp(t, dir, appConfigLocal, "bigband:\n  devClient: false\n")
	if _, err := DevClient(dir, ""); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(appPath(dir, appIndex)); string(got) != orig {
		t.Errorf("index.tsx:\n%s", got)
	}
}
