package frontend

import (
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

func TestFilesFrom(t *testing.T) {
	fsys := fstest.MapFS{
		"c/Page.tsx":   {Data: []byte("page")},
		"c/sub/x.ts":   {Data: []byte("x")},
		"c/a.css":      {Data: []byte("css")},
		"other/y.ts":   {Data: []byte("y")},
		"c/sub/deep/z": {Data: []byte("")},
	}
	got, err := FilesFrom(fsys, "c", "Page.tsx", "Page")()
	if err != nil {
		t.Fatal(err)
	}
	want := []File{
		{Path: "Page.tsx", Root: true, ClassName: "Page", Contents: "page"},
		{Path: "a.css", Contents: "css"},
		{Path: "sub/deep/z"},
		{Path: "sub/x.ts", Contents: "x"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("FilesFrom = %+v", got)
	}
	for _, tt := range []struct{ dir, root, err string }{
		{"c", "Missing.tsx", "no root file Missing.tsx"},
		{"nowhere", "Page.tsx", "component files from nowhere"},
		{"../c", "Page.tsx", "invalid"},
	} {
		if _, err := FilesFrom(fsys, tt.dir, tt.root, "X")(); err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("FilesFrom(%q, %q): %v, want %q", tt.dir, tt.root, err, tt.err)
		}
	}
}

func TestServe(t *testing.T) {
	plugin = Plugin{}
	if _, err := deps(); err != errNoPlugin {
		t.Errorf("deps without Serve: %v", err)
	}
	if _, err := files(); err != errNoPlugin {
		t.Errorf("files without Serve: %v", err)
	}
	d := []Dep{{Name: "a", Version: "1", Dev: true}}
	Serve(Plugin{Deps: Static(d...)})
	if got, err := deps(); err != nil || !reflect.DeepEqual(got, d) {
		t.Errorf("deps = %v, %v", got, err)
	}
}
