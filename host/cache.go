package host

import (
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// DefaultCacheMaxBytes is the compilation cache's size cap when
// Config.CacheMaxBytes is 0. A componentize-js guest compiles to ~50 MB,
// a Go guest to ~7 MB, so this keeps some twenty JS builds' code, more than
// a dev loop goes back to.
const DefaultCacheMaxBytes = 1 << 30

// cacheDir is the on-disk compilation cache, kept under a size cap by
// evicting the least recently used entries. wazero writes one file per
// compiled module, named by a hex SHA-256, under a subdirectory per wazero
// version and platform (wazero-<version>-<arch>-<os>); nothing else is
// touched;
// an entry's last use is its access time where the file system records
// one, else when it was written.
type cacheDir struct {
	dir string
	max int64 // <= 0: no cap

	mu sync.Mutex
}

// openCacheDir makes sure dir exists and is writable, then evicts down to
// the cap.
func openCacheDir(dir string, max int64) (*cacheDir, error) {
	if max == 0 {
		max = DefaultCacheMaxBytes
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(dir, "probe-*.tmp")
	if err != nil {
		return nil, fmt.Errorf("not writable: %w", err)
	}
	f.Close()
	os.Remove(f.Name())
	c := &cacheDir{dir: dir, max: max}
	c.evict()
	return c, nil
}

// staleTemp is how old a wazero temporary file must be to be an abandoned
// one (a process killed while writing the cache).
const staleTemp = time.Hour

type cacheEntry struct {
	path string
	size int64
	used time.Time
}

// evict removes the least recently used entries until the cache fits its
// cap, and abandoned temporary files. Errors are ignored: another process
// may be evicting the same directory, and a cache entry that can't be
// removed only costs disk space.
func (c *cacheDir) evict() {
	if c == nil || c.max < 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var entries []cacheEntry
	var total int64
	now := time.Now()
	_ = filepath.WalkDir(c.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return nil
		}
		// Only what wazero wrote: the cache dir may have been pointed at a
		// directory holding other files.
		key, _, _ := strings.Cut(d.Name(), ".")
		if !strings.HasPrefix(filepath.Base(filepath.Dir(path)), "wazero-") || !isCacheKey(key) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		if strings.HasSuffix(path, ".tmp") {
			if now.Sub(info.ModTime()) > staleTemp {
				os.Remove(path)
			}
			return nil
		}
		used := info.ModTime()
		if a := accessTime(info); a.After(used) {
			used = a
		}
		entries = append(entries, cacheEntry{path, info.Size(), used})
		total += info.Size()
		return nil
	})
	if total <= c.max {
		return
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].used.Before(entries[j].used) })
	for _, e := range entries {
		if total <= c.max {
			break
		}
		if os.Remove(e.path) == nil {
			total -= e.size
		}
	}
}

// isCacheKey reports a wazero cache file name: a hex SHA-256.
func isCacheKey(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// diskIndex remembers which code wazero's disk cache holds, so FastLoad can
// tell without compiling (wazero's file names mix in its version and the
// CPU's features): a marker file per code key, written once the compiler
// compiled that code with the disk cache. A marker whose entry was evicted
// since only costs a compile on the compiler instead of the interpreter.
type diskIndex struct {
	dir string

	mu    sync.Mutex
	known map[codeKey]bool
	adds  int
}

// diskMarkersMax bounds the marker files; the oldest go first.
const diskMarkersMax = 512

func newDiskIndex(cacheDir string) *diskIndex {
	return &diskIndex{dir: filepath.Join(cacheDir, "bigband-code"), known: map[codeKey]bool{}}
}

func (d *diskIndex) has(key codeKey) bool {
	if d == nil {
		return false
	}
	d.mu.Lock()
	known := d.known[key]
	d.mu.Unlock()
	if known {
		return true
	}
	_, err := os.Stat(filepath.Join(d.dir, hex.EncodeToString(key[:])))
	return err == nil
}

func (d *diskIndex) add(key codeKey) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.known[key] {
		return
	}
	d.known[key] = true
	// Errors only cost a slower first load next time.
	if os.MkdirAll(d.dir, 0o755) != nil || os.WriteFile(filepath.Join(d.dir, hex.EncodeToString(key[:])), nil, 0o644) != nil {
		return
	}
	if d.adds++; d.adds%32 == 1 {
		d.prune()
	}
}

// prune removes the oldest markers beyond diskMarkersMax.
func (d *diskIndex) prune() {
	ents, err := os.ReadDir(d.dir)
	if err != nil || len(ents) <= diskMarkersMax {
		return
	}
	type marker struct {
		name string
		mod  time.Time
	}
	var ms []marker
	for _, e := range ents {
		if info, err := e.Info(); err == nil && isCacheKey(e.Name()) {
			ms = append(ms, marker{e.Name(), info.ModTime()})
		}
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].mod.After(ms[j].mod) })
	for _, m := range ms[min(len(ms), diskMarkersMax):] {
		os.Remove(filepath.Join(d.dir, m.name))
	}
}
