// Package fswatch watches a source tree and reports, in batches, which
// files really changed: the trigger of the dev loop.
//
// fsnotify watches single directories, so the tree is walked and every
// directory not ignored gets a watch; new directories are added (and
// scanned, since files created before the watch existed send no event) and
// removed ones dropped. Events only mark paths dirty. Once no event has come
// for Options.Debounce (trailing edge), each dirty path is compared with
// what the watcher last saw: a content hash decides, so a save that writes
// the same bytes, a touch, or an editor's rename dance (write a temporary
// file, rename it over the original, drop a backup) yields one change of the
// real file or none at all. Editors' swap, backup and temporary files never
// count.
//
// Ignored, never watched and never reported: .git, node_modules, target,
// editor temporaries, what .gitignore files in the tree ignore, the
// caller's Ignore globs and IgnorePaths (the build's outputs and the
// generated plugin directory, so a build never retriggers itself). With
// Watch globs, only matching files are reported.
//
// Poll mode stats the tree every PollInterval instead, for file systems
// that send no events (NFS, some container mounts); it reports the same
// batches.
package fswatch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/bigband-dev/bigband/watch/gitignore"
)

// Defaults for zero Options fields.
const (
	DefaultDebounce     = 75 * time.Millisecond
	DefaultMaxWait      = 2 * time.Second
	DefaultPollInterval = 250 * time.Millisecond
)

// Options configure a Watcher. The zero value watches with fsnotify and the
// defaults above.
type Options struct {
	// Debounce is how long the tree must be quiet before a batch is sent.
	Debounce time.Duration
	// MaxWait bounds how long a batch is held back while changes keep
	// coming (a file written continuously would otherwise hold it forever).
	MaxWait time.Duration
	// Poll stats the tree every PollInterval instead of using fsnotify.
	Poll         bool
	PollInterval time.Duration
	// Watch, when not empty, limits reports to files matching one of these
	// globs (.gitignore syntax, relative to the root: "*.go" matches at any
	// depth, "src/**/*.c" only under src, "!x" excludes again).
	Watch []string
	// Ignore globs (.gitignore syntax) are never watched nor reported.
	Ignore []string
	// IgnorePaths are files or directories, absolute or relative to the
	// root, never watched nor reported: build outputs and the generated
	// plugin directory. Paths outside the root are dropped.
	IgnorePaths []string
	// Logger receives diagnostics; nil discards them.
	Logger *slog.Logger
}

// Op is what happened to a file.
type Op uint8

// The operations a Change reports.
const (
	Created Op = iota + 1
	Modified
	Removed
)

func (o Op) String() string {
	switch o {
	case Created:
		return "created"
	case Modified:
		return "modified"
	case Removed:
		return "removed"
	}
	return fmt.Sprintf("Op(%d)", o)
}

// Change is one file whose content differs from the last batch.
type Change struct {
	Rel string // slash-separated, relative to the root
	Abs string // absolute, in the OS's form
	Op  Op
}

// Batch is every change since the previous batch, sorted by Rel; a path
// appears once, with its net effect (created then removed cancels out).
type Batch struct {
	Changes []Change
}

// Paths returns the relative paths of the changes.
func (b Batch) Paths() []string {
	out := make([]string, len(b.Changes))
	for i, c := range b.Changes {
		out[i] = c.Rel
	}
	return out
}

// Watcher watches one tree. Its goroutine stops, and Batches and Errors are
// closed, when Close is called or the context given to New is done.
type Watcher struct {
	root    string
	opts    Options
	log     *slog.Logger
	batches chan Batch
	errs    chan error
	cancel  context.CancelFunc
	done    chan struct{}
	close   sync.Once

	// Everything below belongs to the run goroutine once New returns.
	fsw      *fsnotify.Watcher
	addWatch func(abs string) error // fsw.Add; replaced in tests
	fixed    gitignore.Matcher      // built-in ignores + Options.Ignore
	git      gitignore.Matcher      // the tree's .gitignore files
	watch    *gitignore.Matcher     // Options.Watch; nil: every file
	skip     []string               // IgnorePaths, relative
	dirs     map[string]bool        // directories seen ("" is the root)
	files    map[string]fileState   // reported files as last seen
	dirty    map[string]bool        // paths to look at in the next flush
	polled   map[string]fileSig     // poll mode: each file as the last scan saw it
	moved    bool                   // poll mode: the last scan saw a difference
	pending  map[string]Op          // changes not yet delivered
	ready    *Batch                 // pending as a Batch; nil when stale
}

// fileSig is what a poll compares between scans.
type fileSig struct {
	size  int64
	mtime time.Time
}

type fileState struct {
	size  int64
	mtime time.Time
	hash  [32]byte
}

// builtinIgnores are never interesting: VCS data, dependency and build
// trees, and editors' temporary, swap and backup files (vim's 4913 probe
// and *.swp/*~, emacs .#x and #x#, JetBrains safe-write files, kate,
// gedit, Chrome's file system API).
var builtinIgnores = []string{
	".git", "node_modules/", "target/",
	"4913", "*.swp", "*.swo", "*.swx", "*.swpx", "*~", ".#*", "#*#",
	"*___jb_tmp___", "*___jb_old___", "*.kate-swp", ".goutputstream-*", "*.crswap",
	".DS_Store",
}

// New watches root until Close is called or ctx is done. It walks the tree
// first (hashing every reported file, so the first batch holds real
// changes only); ctx also bounds that walk.
func New(ctx context.Context, root string, opts Options) (*Watcher, error) {
	return newWatcher(ctx, root, opts, nil)
}

func newWatcher(ctx context.Context, root string, opts Options, addWatch func(string) error) (*Watcher, error) {
	if opts.Debounce <= 0 {
		opts.Debounce = DefaultDebounce
	}
	if opts.MaxWait <= 0 {
		opts.MaxWait = DefaultMaxWait
	}
	if opts.MaxWait < opts.Debounce {
		opts.MaxWait = opts.Debounce
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = DefaultPollInterval
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real // events name the real path
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("watch: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("watch %s: not a directory (to watch one file, watch its directory with a Watch glob)", abs)
	}
	w := &Watcher{
		root:    abs,
		opts:    opts,
		log:     log,
		batches: make(chan Batch),
		errs:    make(chan error, 8),
		done:    make(chan struct{}),
		dirs:    map[string]bool{},
		files:   map[string]fileState{},
		dirty:   map[string]bool{},
		pending: map[string]Op{},
		polled:  map[string]fileSig{},
	}
	w.fixed.Set(gitignore.New("", append(slices.Clone(builtinIgnores), opts.Ignore...)))
	if len(opts.Watch) > 0 {
		w.watch = &gitignore.Matcher{}
		w.watch.Set(gitignore.New("", opts.Watch))
	}
	for _, p := range opts.IgnorePaths {
		if rel, ok := w.relOf(p); ok && rel != "" {
			w.skip = append(w.skip, rel)
		}
	}
	if !opts.Poll {
		w.fsw, err = fsnotify.NewWatcher()
		if err != nil {
			if errors.Is(err, syscall.EMFILE) {
				return nil, fmt.Errorf("watch %s: no inotify instance left (fs.inotify.max_user_instances = %s): raise it with `sudo sysctl fs.inotify.max_user_instances=1024`, close other watchers, or use --poll: %w",
					abs, procValue("max_user_instances"), err)
			}
			return nil, fmt.Errorf("watch %s: %w", abs, err)
		}
		w.addWatch = w.fsw.Add
	}
	if addWatch != nil {
		w.addWatch = addWatch
	}
	if err := w.scan(ctx, true); err != nil {
		if w.fsw != nil {
			w.fsw.Close()
		}
		return nil, err
	}
	ctx, w.cancel = context.WithCancel(ctx)
	go w.run(ctx)
	return w, nil
}

// Root is the absolute, symlink-free directory being watched.
func (w *Watcher) Root() string { return w.root }

// Batches delivers the changes, one batch per quiet period. A batch not yet
// received absorbs later changes, so a slow reader gets one merged batch.
func (w *Watcher) Batches() <-chan Batch { return w.batches }

// Errors reports problems the watcher kept going after: a directory it
// could not watch, an unreadable file, a lost event queue (after which it
// rescans). It is buffered; errors beyond the buffer are only logged.
func (w *Watcher) Errors() <-chan error { return w.errs }

// Close stops the watcher and waits for its goroutine to end.
func (w *Watcher) Close() error {
	var err error
	w.close.Do(func() {
		w.cancel()
		<-w.done
		if w.fsw != nil {
			err = w.fsw.Close()
		}
	})
	return err
}

func (w *Watcher) report(err error) {
	w.log.Warn("watch", "err", err)
	select {
	case w.errs <- err:
	default:
	}
}

func (w *Watcher) run(ctx context.Context) {
	defer close(w.done)
	defer close(w.errs)
	defer close(w.batches)
	var events chan fsnotify.Event
	var fsErrs chan error
	if w.fsw != nil {
		events, fsErrs = w.fsw.Events, w.fsw.Errors
	}
	var tick <-chan time.Time
	if w.opts.Poll {
		t := time.NewTicker(w.opts.PollInterval)
		defer t.Stop()
		tick = t.C
	}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	var first time.Time // when the oldest unflushed event came
	touched := func() {
		now := time.Now()
		if first.IsZero() {
			first = now
		}
		wait := min(w.opts.Debounce, first.Add(w.opts.MaxWait).Sub(now))
		timer.Reset(max(wait, 0))
	}
	for {
		var send chan Batch
		var batch Batch
		if len(w.pending) > 0 {
			if w.ready == nil {
				b := w.batch()
				w.ready = &b
			}
			send, batch = w.batches, *w.ready
		}
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			if w.event(ev) {
				touched()
			}
		case err, ok := <-fsErrs:
			if !ok {
				fsErrs = nil
				continue
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				// Events were lost: compare the whole tree instead.
				w.report(fmt.Errorf("watch %s: the kernel's event queue overflowed (fs.inotify.max_queued_events = %s); rescanning", w.root, procValue("max_queued_events")))
				if err := w.scan(ctx, false); err != nil {
					w.report(err)
				}
			} else {
				w.report(fmt.Errorf("watch %s: %w", w.root, err))
			}
			if len(w.dirty) > 0 {
				touched()
			}
		case <-tick:
			busy, err := w.poll(ctx)
			if err != nil && ctx.Err() == nil {
				w.report(err)
			}
			if busy {
				touched()
			}
		case <-timer.C:
			first = time.Time{}
			w.flush()
		case send <- batch:
			clear(w.pending)
			w.ready = nil
		}
	}
}

// batch renders the pending changes, sorted by path.
func (w *Watcher) batch() Batch {
	b := Batch{Changes: make([]Change, 0, len(w.pending))}
	for rel, op := range w.pending {
		b.Changes = append(b.Changes, Change{Rel: rel, Abs: w.abs(rel), Op: op})
	}
	slices.SortFunc(b.Changes, func(a, b Change) int { return strings.Compare(a.Rel, b.Rel) })
	return b
}

// event handles one fsnotify event; it reports whether it marked anything.
func (w *Watcher) event(ev fsnotify.Event) bool {
	if ev.Op == fsnotify.Chmod {
		return false // metadata only: backup tools, indexers, touch
	}
	rel, ok := w.relOf(ev.Name)
	if !ok || rel == "" {
		return false
	}
	isDir := w.dirs[rel]
	if ev.Has(fsnotify.Create) {
		if fi, err := os.Lstat(ev.Name); err == nil && fi.IsDir() {
			isDir = true
		}
	}
	if w.ignored(rel, isDir) {
		return false
	}
	if ev.Has(fsnotify.Remove|fsnotify.Rename) && w.dirs[rel] {
		// Drop the watches now, before a Create for the new name re-adds
		// them: inotify hands the moved directories' existing watches back
		// under the new names, and dropping the old names later would then
		// remove the new ones.
		w.unwatch(rel)
	}
	if ev.Has(fsnotify.Create) && isDir && !w.dirs[rel] {
		// Watch the new directory at once: files created in it before the
		// watch existed sent no event, so the walk marks them dirty.
		w.addTree(rel)
	}
	w.dirty[rel] = true
	return true
}

// merge combines an undelivered change with a newer one.
func merge(old, cur Op) (Op, bool) {
	switch {
	case old == 0:
		return cur, true
	case old == Created && cur == Removed:
		return 0, false // never seen by the reader
	case old == Created:
		return Created, true
	case old == Removed && cur == Created:
		return Modified, true
	}
	return cur, true
}

func (w *Watcher) change(rel string, op Op) {
	w.ready = nil
	if merged, keep := merge(w.pending[rel], op); keep {
		w.pending[rel] = merged
	} else {
		delete(w.pending, rel)
	}
}

// flush settles every dirty path against the file system. Settling can
// mark more paths (the files of a new directory, what a changed .gitignore
// uncovers), hence the rounds; each round only marks paths it had not
// seen, so a few suffice, and the bound only guards against a tree that
// keeps changing under the walk.
func (w *Watcher) flush() {
	for round := 0; round < 64 && len(w.dirty) > 0; round++ {
		paths := make([]string, 0, len(w.dirty))
		for rel := range w.dirty {
			paths = append(paths, rel)
		}
		clear(w.dirty)
		// .gitignore files first (they decide about the rest), then parents
		// before children.
		slices.SortFunc(paths, func(a, b string) int {
			if ga, gb := path.Base(a) == ".gitignore", path.Base(b) == ".gitignore"; ga != gb {
				if ga {
					return -1
				}
				return 1
			}
			return strings.Compare(a, b)
		})
		for _, rel := range paths {
			w.settle(rel)
		}
	}
}

// procValue reads an inotify limit for messages; "?" when unknown.
func procValue(name string) string {
	b, err := os.ReadFile("/proc/sys/fs/inotify/" + name)
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(b))
}

// limitError explains running out of inotify watches.
func limitError(root string, watched, needed int, err error) error {
	return fmt.Errorf("watch %s: out of inotify watches after %d of about %d directories to watch (fs.inotify.max_user_watches = %s, shared by all of this user's programs): "+
		"raise it with `sudo sysctl fs.inotify.max_user_watches=524288` (add the line to /etc/sysctl.d/ to keep it), "+
		"ignore large directories (.gitignore, or ignore globs in bigband.toml), or use --poll: %w",
		root, watched, needed, procValue("max_user_watches"), err)
}
