package lsp

import (
	"context"
	"fmt"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/bigband-dev/bigband/lsp/analysis"
)

// A snapshot is the state of every open buffer after one event. It never
// changes; every edit makes a new one with a higher seq.
type snapshot struct {
	seq      uint64
	overlays map[string][]byte // by path
	versions map[string]int32
}

type doc struct {
	uri     uri.URI
	version int32
	text    []byte
}

// maxDiagsPerFile bounds what one publication carries for a file.
const maxDiagsPerFile = 200

// pkgResult memoizes the analysis of one package root for one snapshot.
type pkgResult struct {
	seq  uint64
	done chan struct{}
	pkg  *analysis.Package
	err  error
}

type rootState struct {
	cancel    context.CancelFunc // the running diagnostics job
	published uint64             // seq of the last publication
	files     map[string]bool    // paths published last time, to clear
	memo      *pkgResult
	wasm      string // the built wasm the last analysis compared
	wasmStamp string
}

type session struct {
	s    *Server
	disk *analysis.DiskCache

	mu    sync.Mutex
	seq   uint64
	snap  *snapshot
	docs  map[string]*doc // by path
	uris  map[string]uri.URI
	roots map[string]*rootState
	// standalone: files checked on their own (see placeOf)
	standalone map[string]bool

	pubMu sync.Mutex // publications go out in order, one at a time
	wg    sync.WaitGroup
	// diagnosed is signalled after each publication round (tests,
	// benchmarks); nil unless set.
	onPublish func(root string, seq uint64)
	sentPubs  atomic.Int64 // publishDiagnostics notifications sent
}

func newSession(s *Server) *session {
	return &session{s: s, disk: analysis.NewDiskCache(), docs: map[string]*doc{}, uris: map[string]uri.URI{}, roots: map[string]*rootState{}, standalone: map[string]bool{},
		snap: &snapshot{overlays: map[string][]byte{}, versions: map[string]int32{}}}
}

// pathOf maps a document URI to a path. Files outside the file system
// (untitled buffers, other schemes) get a stable synthetic path and are
// checked on their own.
func pathOf(u uri.URI) (string, bool) {
	if u.IsFile() {
		p := u.FsPath()
		if p != "" && filepath.IsAbs(p) {
			return filepath.Clean(p), false
		}
	}
	name := url.PathEscape(string(u))
	if !strings.HasSuffix(name, ".wit") {
		name += ".wit"
	}
	return filepath.Join(string(filepath.Separator), ".bigband-lsp-virtual", name), true
}

func (ss *session) uriOf(path string) uri.URI {
	ss.mu.Lock()
	u, ok := ss.uris[path]
	ss.mu.Unlock()
	if ok {
		return u
	}
	return uri.File(path)
}

// rootOf is the package a file belongs to; single-file roots for files
// outside the file system.
func rootOf(path string, virtual bool) (string, bool) {
	if virtual {
		return path, true
	}
	return analysis.PackageRoot(path), false
}

// placeOf is rootOf, except that a file whose directory holds files of
// other packages (a folder of examples, a test corpus) is checked on its
// own: it is outside any package. Decided once per path.
func (ss *session) placeOf(path string, virtual bool) (string, bool) {
	if virtual {
		return path, true
	}
	ss.mu.Lock()
	alone, ok := ss.standalone[path]
	var text []byte
	if d := ss.docs[path]; d != nil {
		text = d.text
	}
	ss.mu.Unlock()
	if !ok {
		alone = analysis.Standalone(path, text)
		ss.mu.Lock()
		// Two callers may have decided at once: the first decision
		// stands, so everyone agrees on the file's package.
		if prev, decided := ss.standalone[path]; decided {
			alone = prev
		} else {
			ss.standalone[path] = alone
		}
		ss.mu.Unlock()
	}
	if alone {
		return path, true
	}
	return rootOf(path, false)
}

func isVirtual(path string) bool {
	return strings.HasPrefix(path, filepath.Join(string(filepath.Separator), ".bigband-lsp-virtual")+string(filepath.Separator))
}

// update applies an edit under the lock and returns the new snapshot.
func (ss *session) update(f func()) *snapshot {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	f()
	ss.seq++
	snap := &snapshot{seq: ss.seq, overlays: make(map[string][]byte, len(ss.docs)), versions: make(map[string]int32, len(ss.docs))}
	for p, d := range ss.docs {
		snap.overlays[p] = d.text
		snap.versions[p] = d.version
	}
	ss.snap = snap
	return snap
}

func (ss *session) current() *snapshot {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return ss.snap
}

// pkg returns the analysis of root in snap, computing it once per snapshot.
func (ss *session) pkg(ctx context.Context, snap *snapshot, root string, single bool) (*analysis.Package, error) {
	ss.mu.Lock()
	rs := ss.rootLocked(root)
	m := rs.memo
	if m != nil && m.seq == snap.seq {
		ss.mu.Unlock()
		select {
		case <-m.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if m.err == nil {
			return m.pkg, nil
		}
		ss.mu.Lock()
		if rs.memo != m { // someone else retried already
			ss.mu.Unlock()
			return ss.pkg(ctx, snap, root, single)
		}
	} else if m != nil && m.seq > snap.seq {
		// A newer analysis exists; an old snapshot must not replace it.
		ss.mu.Unlock()
		return ss.analyze(ctx, snap, root, single)
	}
	m = &pkgResult{seq: snap.seq, done: make(chan struct{})}
	rs.memo = m
	ss.mu.Unlock()
	func() {
		// Whoever waits on this analysis must be released whatever
		// happens in it.
		defer close(m.done)
		defer func() {
			if p := recover(); p != nil {
				ss.s.log.Error("panic in analysis", "root", root, "panic", p, "stack", string(debug.Stack()))
				m.pkg, m.err = nil, fmt.Errorf("internal error analysing %s: %v", root, p)
			}
		}()
		m.pkg, m.err = ss.analyze(ctx, snap, root, single)
	}()
	return m.pkg, m.err
}

func (ss *session) analyze(ctx context.Context, snap *snapshot, root string, single bool) (*analysis.Package, error) {
	overlays := snap.overlays
	if !single {
		// Only buffers under the package matter; fewer overlays, less work.
		overlays = map[string][]byte{}
		for p, b := range snap.overlays {
			if rel, err := filepath.Rel(root, p); err == nil && filepath.IsLocal(rel) {
				overlays[p] = b
			}
		}
	}
	return analysis.Analyze(ctx, analysis.Input{Root: root, Single: single, Overlays: overlays, Contract: true, Disk: ss.disk})
}

func (ss *session) rootLocked(root string) *rootState {
	rs := ss.roots[root]
	if rs == nil {
		rs = &rootState{files: map[string]bool{}}
		ss.roots[root] = rs
	}
	return rs
}

// diagnose starts a diagnostics job for root on snap, cancelling the one
// running for an older snapshot.
func (ss *session) diagnose(snap *snapshot, root string, single bool) {
	ss.mu.Lock()
	rs := ss.rootLocked(root)
	if rs.cancel != nil {
		rs.cancel()
	}
	ctx, cancel := context.WithCancel(ss.s.baseCtx)
	rs.cancel = cancel
	ss.wg.Add(1)
	ss.mu.Unlock()
	go func() {
		defer ss.wg.Done()
		defer func() {
			if p := recover(); p != nil {
				ss.s.log.Error("panic while diagnosing", "root", root, "panic", p)
			}
		}()
		pkg, err := ss.pkg(ctx, snap, root, single)
		if ctx.Err() != nil {
			return // a newer snapshot's job took over
		}
		if err != nil {
			ss.s.log.Warn("analysis failed: no diagnostics published", "root", root, "seq", snap.seq, "err", err)
			return
		}
		ss.publish(ctx, snap, root, pkg)
	}()
}

// publish sends the diagnostics of pkg, unless a newer snapshot's were
// already sent: results never go backwards.
func (ss *session) publish(ctx context.Context, snap *snapshot, root string, pkg *analysis.Package) {
	ss.pubMu.Lock()
	defer ss.pubMu.Unlock()
	ss.mu.Lock()
	rs := ss.rootLocked(root)
	if snap.seq < rs.published || ctx.Err() != nil {
		ss.mu.Unlock()
		return
	}
	rs.published = snap.seq
	old := rs.files
	rs.files = map[string]bool{}
	rs.wasm = pkg.Wasm
	rs.wasmStamp = stamp(pkg.Wasm)
	ss.mu.Unlock()

	byPath := map[string][]analysis.Diagnostic{}
	for _, f := range pkg.Files {
		byPath[f.Path] = nil
	}
	for _, d := range pkg.Diags {
		byPath[d.Path] = append(byPath[d.Path], d)
	}
	for p := range old {
		if _, ok := byPath[p]; !ok {
			byPath[p] = nil // the file left the package: clear it
		}
	}
	for _, p := range sortedKeys(byPath) {
		ds := byPath[p]
		_, open := snap.versions[p]
		if len(ds) == 0 && !old[p] && !open {
			continue // nothing to say and nothing to clear
		}
		if len(ds) > maxDiagsPerFile {
			// A file of garbage has an error every few bytes; the first
			// ones say all there is to say.
			extra := len(ds) - maxDiagsPerFile
			ds = append(ds[:maxDiagsPerFile:maxDiagsPerFile], analysis.Diagnostic{Path: p, Start: ds[maxDiagsPerFile].Start, End: ds[maxDiagsPerFile].Start,
				Severity: analysis.Info, Code: "lsp/too-many", Message: fmt.Sprintf("%d more problems in this file not shown", extra)})
		}
		params := &protocol.PublishDiagnosticsParams{URI: ss.uriOf(p), Diagnostics: ss.convertDiags(pkg, p, ds)}
		if v, ok := snap.versions[p]; ok {
			params.Version = protocol.NewOptional(v)
		}
		if err := ss.s.client.PublishDiagnostics(context.WithoutCancel(ctx), params); err != nil {
			ss.s.log.Warn("publishDiagnostics", "err", err)
		}
		ss.sentPubs.Add(1)
		if len(ds) > 0 {
			ss.mu.Lock()
			rs.files[p] = true
			ss.mu.Unlock()
		}
	}
	if ss.onPublish != nil {
		ss.onPublish(root, snap.seq)
	}
}

func (ss *session) stopAll() {
	ss.mu.Lock()
	for _, rs := range ss.roots {
		if rs.cancel != nil {
			rs.cancel()
		}
	}
	ss.mu.Unlock()
	ss.wg.Wait()
}

func stamp(path string) string {
	if path == "" {
		return ""
	}
	st, err := os.Stat(path)
	if err != nil {
		return "gone"
	}
	return st.ModTime().String() + "/" + string(rune(st.Size()%1000003))
}

// pollWasm re-checks a package when the wasm its contract check compared
// (or looked for) changes on disk: builds happen outside the editor.
func (s *Server) pollWasm(ctx context.Context) {
	every := s.opts.WasmPoll
	if every < 0 {
		return
	}
	if every == 0 {
		every = time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		ss := s.sess
		var changed []string
		ss.mu.Lock()
		for root, rs := range ss.roots {
			if rs.wasm != "" && stamp(rs.wasm) != rs.wasmStamp {
				changed = append(changed, root)
			}
		}
		ss.mu.Unlock()
		for _, root := range changed {
			snap := ss.update(func() {})
			ss.diagnose(snap, root, false)
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range maps.Keys(m) {
		keys = append(keys, k)
	}
	sortStrings(keys)
	return keys
}
