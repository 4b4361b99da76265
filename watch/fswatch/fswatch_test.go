package fswatch

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// hang guards: generous, they only turn a hang into a failure.
const waitBatch = 30 * time.Second

type mode struct {
	name string
	opts Options
}

var modes = []mode{
	{"events", Options{Debounce: 150 * time.Millisecond}},
	{"poll", Options{Debounce: 150 * time.Millisecond, Poll: true, PollInterval: 40 * time.Millisecond}},
}

func write(t *testing.T, root, rel, content string) {
	t.Helper()
	abs := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(abs, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func start(t *testing.T, root string, opts Options) *Watcher {
	t.Helper()
	w, err := New(context.Background(), root, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

func next(t *testing.T, w *Watcher) Batch {
	t.Helper()
	select {
	case b, ok := <-w.Batches():
		if !ok {
			t.Fatal("Batches closed")
		}
		return b
	case err := <-w.Errors():
		t.Fatalf("watcher error: %v", err)
	case <-time.After(waitBatch):
		t.Fatalf("no batch within %v", waitBatch)
	}
	return Batch{}
}

type ch struct {
	rel string
	op  Op
}

func changes(b Batch) []ch {
	var out []ch
	for _, c := range b.Changes {
		out = append(out, ch{c.Rel, c.Op})
	}
	return out
}

func expect(t *testing.T, b Batch, want ...ch) {
	t.Helper()
	if got := changes(b); !reflect.DeepEqual(got, want) {
		t.Errorf("batch = %v, want %v", got, want)
	}
}

// sentinel proves that nothing before it was reported: it writes a fresh
// file and expects the next batch to hold that file alone, so anything
// reported by mistake shows up in it (or in an earlier batch) instead of
// needing a wait for "nothing".
func sentinel(t *testing.T, w *Watcher, name string) {
	t.Helper()
	write(t, w.Root(), name, "sentinel")
	expect(t, next(t, w), ch{name, Created})
}

func forModes(t *testing.T, f func(t *testing.T, opts Options)) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) { f(t, m.opts) })
	}
}

func TestModify(t *testing.T) {
	forModes(t, func(t *testing.T, opts Options) {
		root := t.TempDir()
		write(t, root, "a.go", "package a // 1")
		w := start(t, root, opts)
		write(t, root, "a.go", "package a // 2")
		b := next(t, w)
		expect(t, b, ch{"a.go", Modified})
		if len(b.Changes) == 1 && b.Changes[0].Abs != filepath.Join(w.Root(), "a.go") {
			t.Errorf("Abs = %q", b.Changes[0].Abs)
		}
	})
}

func TestAtomicSaves(t *testing.T) {
	saves := []struct {
		name string
		save func(t *testing.T, root string, content string)
	}{
		{"temp file renamed over", func(t *testing.T, root, content string) {
			write(t, root, "a.go.tmp1234", content)
			mustRename(t, root, "a.go.tmp1234", "a.go")
		}},
		{"vim backupcopy=no", func(t *testing.T, root, content string) {
			write(t, root, "4913", "")
			mustRemove(t, root, "4913")
			write(t, root, ".a.go.swp", "swap")
			mustRename(t, root, "a.go", "a.go~")
			write(t, root, "a.go", content)
			mustRemove(t, root, "a.go~")
			mustRemove(t, root, ".a.go.swp")
		}},
		{"jetbrains safe write", func(t *testing.T, root, content string) {
			write(t, root, "a.go___jb_tmp___", content)
			mustRename(t, root, "a.go", "a.go___jb_old___")
			mustRename(t, root, "a.go___jb_tmp___", "a.go")
			mustRemove(t, root, "a.go___jb_old___")
		}},
		{"emacs lock and backup", func(t *testing.T, root, content string) {
			if err := os.Symlink("user@host.1234", filepath.Join(root, ".#a.go")); err != nil {
				t.Fatal(err)
			}
			write(t, root, "#a.go#", "autosave")
			write(t, root, "a.go~", "backup")
			write(t, root, "a.go", content)
			mustRemove(t, root, "#a.go#")
			mustRemove(t, root, ".#a.go")
		}},
		{"truncate and write in place (VS Code)", func(t *testing.T, root, content string) {
			f, err := os.OpenFile(filepath.Join(root, "a.go"), os.O_WRONLY|os.O_TRUNC, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, part := range strings.SplitAfter(content, " ") {
				if _, err := f.WriteString(part); err != nil {
					t.Fatal(err)
				}
			}
			f.Close()
		}},
	}
	forModes(t, func(t *testing.T, opts Options) {
		for _, s := range saves {
			t.Run(s.name, func(t *testing.T) {
				root := t.TempDir()
				write(t, root, "a.go", "package a // old")
				w := start(t, root, opts)
				s.save(t, root, "package a // new")
				expect(t, next(t, w), ch{"a.go", Modified})
				sentinel(t, w, "zz-sentinel.go")
			})
		}
	})
}

func mustRename(t *testing.T, root, from, to string) {
	t.Helper()
	if err := os.Rename(filepath.Join(root, from), filepath.Join(root, to)); err != nil {
		t.Fatal(err)
	}
}

func mustRemove(t *testing.T, root, rel string) {
	t.Helper()
	if err := os.RemoveAll(filepath.Join(root, filepath.FromSlash(rel))); err != nil {
		t.Fatal(err)
	}
}

func TestBurstIsOneBatchOfTheFinalContent(t *testing.T) {
	forModes(t, func(t *testing.T, opts Options) {
		// A long quiet period, so a slow machine cannot split the burst.
		opts.Debounce, opts.MaxWait = 500*time.Millisecond, time.Minute
		root := t.TempDir()
		write(t, root, "a.go", "v0")
		w := start(t, root, opts)
		for i := 1; i <= 100; i++ {
			write(t, root, "a.go", fmt.Sprintf("v%d", i))
		}
		b := next(t, w)
		expect(t, b, ch{"a.go", Modified})
		// What a build started now would read:
		if got, _ := os.ReadFile(filepath.Join(root, "a.go")); string(got) != "v100" {
			t.Errorf("content at batch time = %q, want v100", got)
		}
		sentinel(t, w, "zz-sentinel.go") // no second batch for the burst
	})
}

func TestNewDirectoryWithFiles(t *testing.T) {
	forModes(t, func(t *testing.T, opts Options) {
		root := t.TempDir()
		w := start(t, root, opts)
		// mkdir -p a/b/c && touch a/b/c/x: the files exist before any
		// watch on the new directories could.
		write(t, root, "a/b/c/x.go", "x")
		write(t, root, "a/y.go", "y")
		expect(t, next(t, w), ch{"a/b/c/x.go", Created}, ch{"a/y.go", Created})
		// The new directories are watched now.
		write(t, root, "a/b/c/x.go", "x2")
		expect(t, next(t, w), ch{"a/b/c/x.go", Modified})
		// A tree moved in whole, as git checkout or tar would leave it.
		stage := t.TempDir()
		write(t, stage, "m/n/z.go", "z")
		if err := os.Rename(filepath.Join(stage, "m"), filepath.Join(root, "m")); err != nil {
			t.Fatal(err)
		}
		expect(t, next(t, w), ch{"m/n/z.go", Created})
	})
}

func TestDeletedDirectory(t *testing.T) {
	forModes(t, func(t *testing.T, opts Options) {
		root := t.TempDir()
		write(t, root, "d/e/f.go", "f")
		write(t, root, "d/g.go", "g")
		w := start(t, root, opts)
		mustRemove(t, root, "d")
		expect(t, next(t, w), ch{"d/e/f.go", Removed}, ch{"d/g.go", Removed})
		write(t, root, "d/e/f.go", "again")
		expect(t, next(t, w), ch{"d/e/f.go", Created})
		// Renamed within the tree: gone here, created there.
		mustRename(t, root, "d", "d2")
		expect(t, next(t, w), ch{"d/e/f.go", Removed}, ch{"d2/e/f.go", Created})
		write(t, root, "d2/e/f.go", "moved and edited")
		expect(t, next(t, w), ch{"d2/e/f.go", Modified})
	})
}

func TestIgnored(t *testing.T) {
	forModes(t, func(t *testing.T, opts Options) {
		root := t.TempDir()
		write(t, root, ".gitignore", "*.log\nbuild/\n!keep.log\n")
		write(t, root, "sub/.gitignore", "secret.txt\n")
		write(t, root, "node_modules/dep/index.js", "x")
		write(t, root, "target/debug/x", "x")
		write(t, root, ".git/HEAD", "ref")
		opts.Ignore = []string{"gen/**", "*.bak"}
		w := start(t, root, opts)
		for _, rel := range []string{
			"a.log", "sub/deep/b.log", "build/out.wasm", "sub/build/x",
			"sub/secret.txt", "sub/x/secret.txt",
			"node_modules/dep/index.js", "node_modules/new/x.js", "target/debug/x", "target/release/y",
			".git/HEAD", ".git/objects/ab/cdef",
			".a.go.swp", "4913", "a.go~", ".#a.go", "x___jb_tmp___",
			"gen/types.go", "old.bak",
		} {
			write(t, root, rel, "ignored "+rel)
		}
		write(t, root, "keep.log", "re-included by !keep.log")
		write(t, root, "secret.txt", "only ignored under sub/")
		expect(t, next(t, w), ch{"keep.log", Created}, ch{"secret.txt", Created})

		// A changed .gitignore applies at once.
		write(t, root, "sub/.gitignore", "secret.txt\n*.tmp\n")
		write(t, root, "sub/c.tmp", "x")
		expect(t, next(t, w), ch{"sub/.gitignore", Modified})
		sentinel(t, w, "zz-sentinel.go")
	})
}

func TestWatchGlobs(t *testing.T) {
	forModes(t, func(t *testing.T, opts Options) {
		root := t.TempDir()
		opts.Watch = []string{"*.go", "go.mod", "!*_test.go"}
		w := start(t, root, opts)
		write(t, root, "README.md", "x")
		write(t, root, "pkg/a_test.go", "x")
		write(t, root, "pkg/a.go", "x")
		expect(t, next(t, w), ch{"pkg/a.go", Created})
	})
}

func TestBuildOutputNeverRetriggers(t *testing.T) {
	forModes(t, func(t *testing.T, opts Options) {
		root := t.TempDir()
		write(t, root, "main.c", "int x;")
		opts.IgnorePaths = []string{
			filepath.Join(root, "plugin.wasm"),      // the artifact, absolute
			"plugins/hello",                         // the generated plugin, relative
			filepath.Join(t.TempDir(), "elsewhere"), // outside the root: dropped
		}
		w := start(t, root, opts)
		write(t, root, "main.c", "int y;")
		expect(t, next(t, w), ch{"main.c", Modified})
		// What the build and the generator write after that.
		for i := range 3 {
			write(t, root, "plugin.wasm", fmt.Sprintf("wasm %d", i))
			write(t, root, "plugins/hello/src/index.ts", fmt.Sprintf("export {} // %d", i))
			write(t, root, "plugins/hello/package.json", "{}")
		}
		sentinel(t, w, "zz-sentinel.c")
	})
}

func TestUnchangedSaveIsNoChange(t *testing.T) {
	forModes(t, func(t *testing.T, opts Options) {
		root := t.TempDir()
		write(t, root, "a.go", "same")
		w := start(t, root, opts)
		later := time.Now().Add(time.Hour)
		if err := os.Chtimes(filepath.Join(root, "a.go"), later, later); err != nil { // touch
			t.Fatal(err)
		}
		write(t, root, "a.go", "same") // the same bytes again
		write(t, root, "b.go", "new")
		mustRemove(t, root, "b.go") // created and removed within one batch
		sentinel(t, w, "zz-sentinel.go")
	})
}

func TestOutOfWatches(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{"a/b", "c", "d/e/f"} {
		write(t, root, d+"/x.go", "x")
	}
	write(t, root, "node_modules/m/x.js", "x") // ignored: not counted
	calls := 0
	_, err := newWatcher(context.Background(), root, Options{}, func(string) error {
		calls++
		if calls > 3 {
			return fmt.Errorf("add: %w", syscall.ENOSPC)
		}
		return nil
	})
	if err == nil {
		t.Fatal("no error when inotify watches ran out")
	}
	msg := err.Error()
	for _, want := range []string{"out of inotify watches after 3 of about 7 directories", "fs.inotify.max_user_watches", "sysctl", "--poll"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q\nlacks %q", msg, want)
		}
	}
	if !errors.Is(err, syscall.ENOSPC) {
		t.Error("error does not wrap ENOSPC")
	}
}

func TestCloseStopsEverything(t *testing.T) {
	forModes(t, func(t *testing.T, opts Options) {
		before := runtime.NumGoroutine()
		root := t.TempDir()
		write(t, root, "a.go", "x")
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		w1, err := New(ctx, root, opts)
		if err != nil {
			t.Fatal(err)
		}
		w2, err := New(ctx, root, opts)
		if err != nil {
			t.Fatal(err)
		}
		if err := w1.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		w1.Close() // twice is fine
		cancel()   // w2 stops with its context
		for _, w := range []*Watcher{w1, w2} {
			select {
			case _, ok := <-w.Batches():
				if ok {
					t.Error("a batch after Close")
				}
			case <-time.After(waitBatch):
				t.Fatal("Batches not closed")
			}
		}
		w2.Close()
		deadline := time.Now().Add(waitBatch)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > before {
			buf := make([]byte, 1<<16)
			t.Errorf("%d goroutines before, %d after Close:\n%s", before, n, buf[:runtime.Stack(buf, true)])
		}
	})
}

func TestNotADirectory(t *testing.T) {
	root := t.TempDir()
	write(t, root, "plugin.wasm", "x")
	_, err := New(context.Background(), filepath.Join(root, "plugin.wasm"), Options{})
	if err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("New(file) = %v", err)
	}
}

func TestMerge(t *testing.T) {
	ops := []Op{Created, Modified, Removed}
	want := map[[2]Op]Op{
		{Created, Created}: Created, {Created, Modified}: Created, {Created, Removed}: 0,
		{Modified, Created}: Created, {Modified, Modified}: Modified, {Modified, Removed}: Removed,
		{Removed, Created}: Modified, {Removed, Modified}: Modified, {Removed, Removed}: Removed,
	}
	for _, a := range ops {
		for _, b := range ops {
			got, keep := merge(a, b)
			if !keep {
				got = 0
			}
			if got != want[[2]Op{a, b}] {
				t.Errorf("merge(%v, %v) = %v, want %v", a, b, got, want[[2]Op{a, b}])
			}
		}
	}
}
