package fswatch

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/bigband-dev/bigband/watch/gitignore"
)

// maxGitignore bounds what is read of one .gitignore.
const maxGitignore = 1 << 20

func (w *Watcher) abs(rel string) string {
	if rel == "" {
		return w.root
	}
	return filepath.Join(w.root, filepath.FromSlash(rel))
}

// relOf turns a path (absolute, or relative to the root) into a
// slash-separated path relative to the root; ok is false outside it.
func (w *Watcher) relOf(p string) (string, bool) {
	if !filepath.IsAbs(p) {
		p = filepath.Join(w.root, p)
	}
	p = realPath(filepath.Clean(p))
	r, err := filepath.Rel(w.root, p)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return "", false
	}
	if r == "." {
		return "", true
	}
	return filepath.ToSlash(r), true
}

// realPath resolves symlinks in p's directory (p itself may not exist
// yet), so paths given through a symlink still match the watched tree.
func realPath(p string) string {
	dir, base := filepath.Split(p)
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		return filepath.Join(real, base)
	}
	return p
}

// ignored: never watched nor reported.
func (w *Watcher) ignored(rel string, isDir bool) bool {
	for _, s := range w.skip {
		if rel == s || strings.HasPrefix(rel, s+"/") {
			return true
		}
	}
	return w.fixed.Ignored(rel, isDir) || w.git.Ignored(rel, isDir)
}

// reportable: a file whose changes count (Options.Watch).
func (w *Watcher) reportable(rel string) bool {
	return w.watch == nil || w.watch.Ignored(rel, false)
}

func (w *Watcher) loadGitignore(dir string) {
	f, err := os.Open(filepath.Join(w.abs(dir), ".gitignore"))
	if err != nil {
		w.git.Remove(dir)
		if !errors.Is(err, fs.ErrNotExist) {
			w.report(fmt.Errorf("watch: %w", err))
		}
		return
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxGitignore))
	if err != nil {
		w.report(fmt.Errorf("watch: %w", err))
	}
	w.git.Set(gitignore.Parse(dir, data))
}

// scan walks the tree below from. With baseline set it records what it
// finds; otherwise it marks dirty every file that is new, gone or whose
// size or modification time differs (poll mode, rescans).
func (w *Watcher) scan(ctx context.Context, baseline bool) error {
	return w.scanFrom(ctx, "", baseline)
}

func (w *Watcher) scanFrom(ctx context.Context, from string, baseline bool) error {
	seenDirs, seenFiles := map[string]bool{}, map[string]bool{}
	err := w.walk(ctx, from, baseline, seenDirs, seenFiles)
	if baseline || err != nil {
		return err
	}
	under := func(rel string) bool {
		return from == "" || rel == from || strings.HasPrefix(rel, from+"/")
	}
	for rel := range w.dirs {
		if under(rel) && !seenDirs[rel] {
			w.dirty[rel] = true
		}
	}
	for rel := range w.files {
		if under(rel) && !seenFiles[rel] {
			w.dirty[rel] = true
		}
	}
	for rel := range w.polled {
		if under(rel) && !seenFiles[rel] {
			delete(w.polled, rel)
			w.moved = true
		}
	}
	return nil
}

// poll rescans the tree; busy reports whether anything differs from the
// previous poll, which restarts the quiet period: comparing with the last
// batch instead would restart it on every poll until the flush.
func (w *Watcher) poll(ctx context.Context) (busy bool, err error) {
	w.moved = false
	err = w.scan(ctx, false)
	return w.moved, err
}

func (w *Watcher) walk(ctx context.Context, rel string, baseline bool, seenDirs, seenFiles map[string]bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	abs := w.abs(rel)
	w.loadGitignore(rel)
	if !w.dirs[rel] {
		// The watch comes before the listing: a file created in between
		// is then both listed and announced, never neither.
		if err := w.watchDir(abs); err != nil {
			if baseline {
				return err
			}
			w.report(err)
		}
		w.dirs[rel] = true
	}
	seenDirs[rel] = true
	entries, err := os.ReadDir(abs)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && rel != "" {
			return nil // removed while we looked; its event follows
		}
		if baseline && rel == "" {
			return fmt.Errorf("watch: %w", err)
		}
		w.report(fmt.Errorf("watch: %w", err))
		return nil
	}
	for _, e := range entries {
		crel := path.Join(rel, e.Name())
		cabs := filepath.Join(abs, e.Name())
		typ := e.Type()
		isDir := typ.IsDir()
		switch {
		case typ&fs.ModeSymlink != 0:
			fi, err := os.Stat(cabs)
			if err != nil || fi.IsDir() {
				continue // dangling, or a directory: not followed (cycles)
			}
		case !isDir && !typ.IsRegular():
			continue // sockets, fifos, devices
		}
		if w.ignored(crel, isDir) {
			continue
		}
		if isDir {
			if err := w.walk(ctx, crel, baseline, seenDirs, seenFiles); err != nil {
				return err
			}
			continue
		}
		if !w.reportable(crel) {
			continue
		}
		seenFiles[crel] = true
		if baseline {
			if st, err := fileStateOf(cabs); err == nil {
				w.files[crel] = st
				if w.opts.Poll {
					w.polled[crel] = fileSig{st.size, st.mtime}
				}
			}
			continue
		}
		var sig fileSig
		if fi, err := os.Stat(cabs); err == nil {
			sig = fileSig{fi.Size(), fi.ModTime()}
		}
		if w.opts.Poll {
			if prev, ok := w.polled[crel]; !ok || prev != sig {
				w.moved = true
			}
			w.polled[crel] = sig
		}
		if old, had := w.files[crel]; !had || sig != (fileSig{old.size, old.mtime}) {
			w.dirty[crel] = true
		}
	}
	return nil
}

func (w *Watcher) watchDir(abs string) error {
	if w.opts.Poll || w.addWatch == nil {
		return nil
	}
	err := w.addWatch(abs)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, syscall.ENOSPC):
		return limitError(w.root, len(w.dirs), w.countDirs(""), err)
	case errors.Is(err, fs.ErrNotExist):
		return nil // gone already
	}
	return fmt.Errorf("watch %s: %w", abs, err)
}

// addTree starts watching a directory that appeared, marking every file
// in it dirty.
func (w *Watcher) addTree(rel string) {
	if err := w.scanFrom(context.Background(), rel, false); err != nil {
		w.report(err)
	}
}

// dropDir forgets a path and everything below it, reporting the files
// as removed if asked.
func (w *Watcher) dropDir(rel string, reportFiles bool) {
	under := func(p string) bool { return p == rel || strings.HasPrefix(p, rel+"/") }
	w.unwatch(rel)
	for f := range w.files {
		if under(f) {
			delete(w.files, f)
			if reportFiles {
				w.change(f, Removed)
			}
		}
	}
	w.git.RemoveUnder(rel)
}

// settle compares one dirty path with the file system and records the
// change, if any.
func (w *Watcher) settle(rel string) {
	abs := w.abs(rel)
	if path.Base(rel) == ".gitignore" {
		dir := path.Dir(rel)
		if dir == "." {
			dir = ""
		}
		w.loadGitignore(dir)
		// What is ignored below dir may have changed both ways.
		if err := w.scanFrom(context.Background(), dir, false); err != nil {
			w.report(err)
		}
	}
	fi, err := os.Stat(abs)
	if err != nil {
		w.gone(rel)
		return
	}
	isDir := fi.IsDir()
	lfi, lerr := os.Lstat(abs)
	symlinkDir := isDir && lerr == nil && lfi.Mode()&fs.ModeSymlink != 0
	if symlinkDir || w.ignored(rel, isDir) {
		// Ignored now (a .gitignore changed): forget it quietly.
		if w.dirs[rel] {
			w.dropDir(rel, false)
		}
		delete(w.files, rel)
		return
	}
	if isDir {
		if _, ok := w.files[rel]; ok {
			delete(w.files, rel)
			w.change(rel, Removed)
		}
		if !w.dirs[rel] {
			w.addTree(rel)
		}
		return
	}
	if w.dirs[rel] {
		w.dropDir(rel, true) // a directory replaced by a file
	}
	if !fi.Mode().IsRegular() || !w.reportable(rel) {
		delete(w.files, rel)
		return
	}
	st, err := fileStateOf(abs)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			w.gone(rel)
		} else {
			w.report(fmt.Errorf("watch: %w", err))
		}
		return
	}
	old, had := w.files[rel]
	w.files[rel] = st
	switch {
	case !had:
		w.change(rel, Created)
	case old.hash != st.hash:
		w.change(rel, Modified)
	}
}

func (w *Watcher) gone(rel string) {
	w.dropDir(rel, true)
}

// unwatch forgets the directories at and below rel, so that settling rel
// later reports its files as removed.
func (w *Watcher) unwatch(rel string) {
	for d := range w.dirs {
		if d == rel || strings.HasPrefix(d, rel+"/") {
			delete(w.dirs, d)
			if w.fsw != nil {
				_ = w.fsw.Remove(w.abs(d))
			}
		}
	}
}

// fileStateOf hashes a file; size and time come from the open file, so
// they describe the bytes hashed (or something older, which only costs a
// rehash in poll mode).
func fileStateOf(abs string) (fileState, error) {
	f, err := os.Open(abs)
	if err != nil {
		return fileState{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fileState{}, err
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return fileState{}, err
	}
	st := fileState{size: fi.Size(), mtime: fi.ModTime()}
	h.Sum(st.hash[:0])
	return st, nil
}

// countDirs counts the directories a full watch needs, for the message
// when watches run out.
func (w *Watcher) countDirs(rel string) int {
	entries, err := os.ReadDir(w.abs(rel))
	if err != nil {
		return 1
	}
	n := 1
	for _, e := range entries {
		if crel := path.Join(rel, e.Name()); e.IsDir() && !w.ignored(crel, true) {
			n += w.countDirs(crel)
		}
	}
	return n
}
