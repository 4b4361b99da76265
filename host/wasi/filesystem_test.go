package wasi

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/bigband-dev/bigband/host/abi"
)

const fsTypes = "wasi:filesystem/types"

func TestNoPreopens(t *testing.T) {
	got := call(t, NewState(Config{}), "wasi:filesystem/preopens", "get-directories")
	if !reflect.DeepEqual(got, []any{}) {
		t.Errorf("get-directories without preopens = %#v, want empty", got)
	}
}

func TestMissingPreopenIsHostError(t *testing.T) {
	st := NewState(Config{Preopens: map[string]string{"/data": filepath.Join(t.TempDir(), "nope")}})
	if _, err := callErr(st, "wasi:filesystem/preopens", "get-directories"); err == nil || !strings.Contains(err.Error(), `"/data"`) {
		t.Errorf("missing preopen: %v, want an error naming it", err)
	}
}

// preopen makes a host tree and returns the state and its one preopen:
//
//	root/hello.txt, root/sub/b.txt, root/link -> hello.txt,
//	root/escape -> ../secret.txt (outside the preopen), secret.txt
func preopen(t *testing.T) (*State, *Descriptor) {
	t.Helper()
	dir := t.TempDir()
	root := filepath.Join(dir, "root")
	for name, data := range map[string]string{
		"secret.txt":      "top secret",
		"root/hello.txt":  "hello, files",
		"root/sub/b.txt":  "bee",
		"root/sub/c.json": "{}",
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("hello.txt", filepath.Join(root, "link")); err != nil {
		t.Skip("no symlinks here:", err)
	}
	if err := os.Symlink("../secret.txt", filepath.Join(root, "escape")); err != nil {
		t.Fatal(err)
	}
	st := NewState(Config{Preopens: map[string]string{"/app": root}})
	dirs := call(t, st, "wasi:filesystem/preopens", "get-directories").([]any)
	if len(dirs) != 1 {
		t.Fatalf("get-directories = %#v", dirs)
	}
	tup := dirs[0].(abi.Tuple)
	if tup[1] != "/app" {
		t.Fatalf("preopen name %q", tup[1])
	}
	d := tup[0].(*Descriptor)
	t.Cleanup(d.Drop)
	return st, d
}

func openAtCall(t *testing.T, st *State, d *Descriptor, path string, pathFlags, openFlags, descFlags abi.Flags) abi.Result {
	t.Helper()
	return call(t, st, fsTypes, "[method]descriptor.open-at", d, pathFlags, path, openFlags, descFlags).(abi.Result)
}

func TestOpenAt(t *testing.T) {
	st, d := preopen(t)
	follow := pathSymlinkFollow
	for _, tc := range []struct {
		path      string
		pathFlags abi.Flags
		openFlags abi.Flags
		descFlags abi.Flags
		fail      bool
		want      abi.Enum // the descriptor-type opened, or the error-code
	}{
		{"hello.txt", 0, 0, flagRead, false, typeRegularFile},
		{"sub", 0, openDirectory, flagRead, false, typeDirectory},
		{"sub/b.txt", 0, 0, flagRead, false, typeRegularFile},
		{"./sub/../hello.txt", 0, 0, flagRead, false, typeRegularFile},
		{"link", follow, 0, flagRead, false, typeRegularFile},
		{"link", 0, 0, flagRead, true, CodeLoop},
		{"missing.txt", 0, 0, flagRead, true, CodeNoEntry},
		{"hello.txt", 0, openDirectory, flagRead, true, CodeNotDirectory},
		{"../secret.txt", 0, 0, flagRead, true, CodeNotPermitted},
		{"sub/../../secret.txt", 0, 0, flagRead, true, CodeNotPermitted},
		{"escape", follow, 0, flagRead, true, CodeNotPermitted},
		{"/etc/passwd", 0, 0, flagRead, true, CodeNotPermitted},
		{"new.txt", 0, openCreate, flagRead | flagWrite, true, CodeReadOnly},
		{"hello.txt", 0, openTruncate, flagRead, true, CodeReadOnly},
		{"hello.txt", 0, 0, flagWrite, true, CodeReadOnly},
		{"sub", 0, 0, flagMutateDirectory, true, CodeReadOnly},
	} {
		r := openAtCall(t, st, d, tc.path, tc.pathFlags, tc.openFlags, tc.descFlags)
		if tc.fail {
			if !r.Err || r.Value != tc.want {
				t.Errorf("open-at %q: %#v, want error %d", tc.path, r, tc.want)
			}
			continue
		}
		if r.Err {
			t.Errorf("open-at %q: error %v", tc.path, r.Value)
			continue
		}
		sub := r.Value.(*Descriptor)
		if got := okValue(t, call(t, st, fsTypes, "[method]descriptor.get-type", sub)); got != tc.want {
			t.Errorf("open-at %q: type %v, want %v", tc.path, got, tc.want)
		}
		sub.Drop()
	}
}

func TestReadFile(t *testing.T) {
	st, d := preopen(t)
	f := okValue(t, openAtCall(t, st, d, "sub/b.txt", 0, 0, flagRead)).(*Descriptor)
	defer f.Drop()

	in := okValue(t, call(t, st, fsTypes, "[method]descriptor.read-via-stream", f, uint64(1))).(*InputStream)
	data, err := in.BlockingRead(context.Background(), 100)
	if err != nil || string(data) != "ee" {
		t.Errorf("read-via-stream(1) = %q, %v", data, err)
	}
	in.Drop()

	for _, tc := range []struct {
		n, off uint64
		want   abi.Tuple
	}{
		{2, 0, abi.Tuple{[]byte("be"), false}},
		{10, 1, abi.Tuple{[]byte("ee"), true}},
		{10, 3, abi.Tuple{[]byte{}, true}},
	} {
		if got := okValue(t, call(t, st, fsTypes, "[method]descriptor.read", f, tc.n, tc.off)); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("read(%d, %d) = %#v, want %#v", tc.n, tc.off, got, tc.want)
		}
	}

	stat := okValue(t, call(t, st, fsTypes, "[method]descriptor.stat", f)).(abi.Record)
	if stat[0] != typeRegularFile || stat[2] != uint64(3) || !stat[4].(abi.Option).Some {
		t.Errorf("stat = %#v", stat)
	}
	if got := okValue(t, call(t, st, fsTypes, "[method]descriptor.get-flags", f)); got != flagRead {
		t.Errorf("get-flags = %v", got)
	}
	// A file is no directory and a directory no file.
	if got := errValue(t, call(t, st, fsTypes, "[method]descriptor.read-directory", f)); got != CodeNotDirectory {
		t.Errorf("read-directory on a file: %v", got)
	}
	if got := errValue(t, call(t, st, fsTypes, "[method]descriptor.read", d, uint64(1), uint64(0))); got != CodeIsDirectory {
		t.Errorf("read on a directory: %v", got)
	}
}

func TestReadDirectory(t *testing.T) {
	st, d := preopen(t)
	s := okValue(t, call(t, st, fsTypes, "[method]descriptor.read-directory", d)).(*DirectoryEntryStream)
	defer s.Drop()
	var got []string
	for i := 0; i < 100; i++ {
		opt := okValue(t, call(t, st, fsTypes, "[method]directory-entry-stream.read-directory-entry", s)).(abi.Option)
		if !opt.Some {
			break
		}
		e := opt.Value.(abi.Record)
		got = append(got, e[1].(string)+":"+[]string{"?", "blk", "chr", "dir", "fifo", "link", "file", "sock"}[e[0].(abi.Enum)])
	}
	sort.Strings(got)
	want := []string{"escape:link", "hello.txt:file", "link:link", "sub:dir"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("entries %q, want %q", got, want)
	}
}

func TestStatAtAndLinks(t *testing.T) {
	st, d := preopen(t)
	for _, tc := range []struct {
		path  string
		flags abi.Flags
		want  any
	}{
		{"link", 0, typeSymlink},
		{"link", pathSymlinkFollow, typeRegularFile},
		{"sub", 0, typeDirectory},
		{"escape", pathSymlinkFollow, CodeNotPermitted},
		{"../secret.txt", 0, CodeNotPermitted},
		{"nope", 0, CodeNoEntry},
	} {
		r := call(t, st, fsTypes, "[method]descriptor.stat-at", d, tc.flags, tc.path).(abi.Result)
		var got any = r.Value
		if !r.Err {
			got = r.Value.(abi.Record)[0]
		}
		if got != tc.want {
			t.Errorf("stat-at %q (flags %d) = %v, want %v", tc.path, tc.flags, got, tc.want)
		}
	}
	if got := okValue(t, call(t, st, fsTypes, "[method]descriptor.readlink-at", d, "link")); got != "hello.txt" {
		t.Errorf("readlink-at = %q", got)
	}
	a := okValue(t, openAtCall(t, st, d, "hello.txt", 0, 0, flagRead)).(*Descriptor)
	b := okValue(t, openAtCall(t, st, d, "link", pathSymlinkFollow, 0, flagRead)).(*Descriptor)
	c := okValue(t, openAtCall(t, st, d, "sub/b.txt", 0, 0, flagRead)).(*Descriptor)
	defer a.Drop()
	defer b.Drop()
	defer c.Drop()
	if call(t, st, fsTypes, "[method]descriptor.is-same-object", a, b) != true {
		t.Error("hello.txt and the link to it are not the same object")
	}
	if call(t, st, fsTypes, "[method]descriptor.is-same-object", a, c) != false {
		t.Error("two files are the same object")
	}
	ha := okValue(t, call(t, st, fsTypes, "[method]descriptor.metadata-hash", a))
	hb := okValue(t, call(t, st, fsTypes, "[method]descriptor.metadata-hash-at", d, pathSymlinkFollow, "link"))
	hc := okValue(t, call(t, st, fsTypes, "[method]descriptor.metadata-hash", c))
	if !reflect.DeepEqual(ha, hb) || reflect.DeepEqual(ha, hc) {
		t.Errorf("metadata hashes: file %v, link %v, other %v", ha, hb, hc)
	}
}

func TestMutationsAreReadOnly(t *testing.T) {
	st, d := preopen(t)
	f := okValue(t, openAtCall(t, st, d, "hello.txt", 0, 0, flagRead)).(*Descriptor)
	defer f.Drop()
	ts := abi.Variant{Case: 0}
	for _, tc := range []struct {
		fn   string
		args []any
	}{
		{"write-via-stream", []any{f, uint64(0)}},
		{"append-via-stream", []any{f}},
		{"set-size", []any{f, uint64(0)}},
		{"set-times", []any{f, ts, ts}},
		{"write", []any{f, []byte("x"), uint64(0)}},
		{"create-directory-at", []any{d, "new"}},
		{"set-times-at", []any{d, abi.Flags(0), "hello.txt", ts, ts}},
		{"link-at", []any{d, abi.Flags(0), "hello.txt", d, "h2"}},
		{"remove-directory-at", []any{d, "sub"}},
		{"rename-at", []any{d, "hello.txt", d, "h2"}},
		{"symlink-at", []any{d, "hello.txt", "h2"}},
		{"unlink-file-at", []any{d, "hello.txt"}},
	} {
		if got := errValue(t, call(t, st, fsTypes, "[method]descriptor."+tc.fn, tc.args...)); got != CodeReadOnly {
			t.Errorf("%s: %v, want read-only", tc.fn, got)
		}
	}
	for _, fn := range []string{"sync", "sync-data"} {
		okValue(t, call(t, st, fsTypes, "[method]descriptor."+fn, f))
	}
	okValue(t, call(t, st, fsTypes, "[method]descriptor.advise", f, uint64(0), uint64(1), abi.Enum(1)))
	if data, err := os.ReadFile(filepath.Join(d.root.Name(), "hello.txt")); err != nil || string(data) != "hello, files" {
		t.Errorf("hello.txt changed: %q, %v", data, err)
	}
}

func TestFilesystemErrorCode(t *testing.T) {
	st, d := preopen(t)
	f := okValue(t, openAtCall(t, st, d, "hello.txt", 0, 0, flagRead)).(*Descriptor)
	in := okValue(t, call(t, st, fsTypes, "[method]descriptor.read-via-stream", f, uint64(0))).(*InputStream)
	f.Drop() // the stream outlives its descriptor: reading now fails
	r := call(t, st, streams, "[method]input-stream.blocking-read", in, uint64(10)).(abi.Result)
	if !r.Err || r.Value.(abi.Variant).Case != 0 {
		t.Fatalf("read after the file closed: %#v, want last-operation-failed", r)
	}
	e := r.Value.(abi.Variant).Value
	if got := call(t, st, fsTypes, "filesystem-error-code", e); got != abi.Some(CodeBadDescriptor) {
		t.Errorf("filesystem-error-code = %#v, want some(bad-descriptor)", got)
	}
}
