package backstage

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
)

// ManifestName is the file in a package directory that records what
// bigband-dev wrote there, so that it can tell hand edits from its own.
const ManifestName = ".bigband.json"

// ConflictSuffix names the file bigband-dev writes its new version to when
// the file it would replace was edited by hand.
const ConflictSuffix = ".bigband-new"

// TemplateVersion changes whenever the rendered files change for the same
// manifest and options; .bigband.json records it.
const TemplateVersion = 2

// WriteOptions control Write.
type WriteOptions struct {
	// Force overwrites (and removes) files even when they were edited by
	// hand or were not written by bigband-dev, and writes into a directory
	// that holds another plugin or no bigband-dev package at all.
	Force bool
}

// ErrOccupied is wrapped by Write's error when the package directory holds
// something else: a package generated for another plugin id or kind (two
// ids can map to one directory: frontend "hello-backend" and backend
// "hello"), or files bigband-dev did not generate.
var ErrOccupied = errors.New("the package directory holds something else")

// occupied is the error that says what holds the directory; it matches
// ErrOccupied.
type occupied struct{ msg string }

func (e *occupied) Error() string        { return e.msg }
func (e *occupied) Is(target error) bool { return target == ErrOccupied }

// WriteReport says what Write did. Paths are slash-separated and relative
// to the root given to Write.
type WriteReport struct {
	Dir string
	// Written files got new bytes; Unchanged ones already had them and
	// were not touched.
	Written, Unchanged []string
	// Conflicts were edited by hand (or never generated): they are kept,
	// and the new version is in <path>.bigband-new.
	Conflicts []string
	// Removed were generated before, are no longer, and were unedited.
	Removed []string
	// Kept are no longer generated but were edited by hand, so stay.
	Kept []string
}

// Changed reports whether Write changed any file of the package.
func (r *WriteReport) Changed() bool { return len(r.Written)+len(r.Removed) > 0 }

// String summarises the report for a terminal: one line, then one line per
// file that needs attention or changed.
func (r *WriteReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d written, %d unchanged, %d removed, %d conflicts, %d kept\n",
		r.Dir, len(r.Written), len(r.Unchanged), len(r.Removed), len(r.Conflicts), len(r.Kept))
	for _, p := range r.Written {
		fmt.Fprintf(&b, "  wrote    %s\n", p)
	}
	for _, p := range r.Removed {
		fmt.Fprintf(&b, "  removed  %s\n", p)
	}
	for _, p := range r.Conflicts {
		fmt.Fprintf(&b, "  conflict %s: not written by bigband-dev or edited since; new version in %s (merge it, or use --force)\n", p, p+ConflictSuffix)
	}
	for _, p := range r.Kept {
		fmt.Fprintf(&b, "  kept     %s: no longer generated, but edited since; delete it if unused\n", p)
	}
	return b.String()
}

// ownership is the content of .bigband.json.
type ownership struct {
	Generator string `json:"generator"`
	Templates int    `json:"templates"`
	Guest     string `json:"guest"`
	Package   string `json:"package"`
	// ID and Kind say which plugin the directory holds; manifests from
	// before they were recorded have neither.
	ID   string `json:"id,omitempty"`
	Kind string `json:"kind,omitempty"`
	// Files maps each path (relative to the package dir) to the sha256 of
	// the bytes bigband-dev last wrote there.
	Files map[string]string `json:"files"`
}

func generator() string {
	v := "(devel)"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		v = bi.Main.Version
	}
	return "bigband-dev " + v
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// Write puts p under root (the app root or an output directory), keeping
// hand edits: a file is replaced only when its bytes are what bigband-dev
// last wrote there (or when wo.Force is set). Otherwise the new version goes
// to <file>.bigband-new and the file is reported as a conflict. Files no
// longer generated are removed unless edited. Unchanged files are not
// touched, so Backstage's watchers see only real changes.
//
// Write refuses, before writing anything, a package whose paths or
// symlinks lead outside root or outside the package directory.
func Write(root string, p *Package, wo WriteOptions) (*WriteReport, error) {
	if !fs.ValidPath(p.Dir) || p.Dir == "." || strings.Contains(p.Dir, "\\") {
		return nil, fmt.Errorf("write: package directory %q is not a clean relative path", p.Dir)
	}
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, err
	}
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(root, filepath.FromSlash(p.Dir))
	realDir, err := resolve(dir)
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", p.Dir, err)
	}
	if !inside(realRoot, realDir) {
		return nil, fmt.Errorf("write %s: it leads to %s, outside %s (a symlink?); refusing", p.Dir, realDir, root)
	}
	w := &writer{p: p, dir: dir, realDir: realDir, force: wo.Force, rep: &WriteReport{Dir: p.Dir}}
	if err := w.loadOwnership(); err != nil {
		return nil, err
	}
	if !wo.Force {
		if err := w.checkOccupant(); err != nil {
			return nil, err
		}
	}
	// Check every path before the first write, so a refused package
	// leaves the directory as it was.
	produced := map[string]bool{}
	for _, f := range p.Files {
		if err := w.check(f.Path); err != nil {
			return nil, err
		}
		produced[f.Path] = true
	}
	var gone []string
	for name := range w.old.Files {
		if !produced[name] {
			if err := w.check(name); err != nil {
				return nil, fmt.Errorf("%s lists %w; fix or delete it", path.Join(p.Dir, ManifestName), err)
			}
			gone = append(gone, name)
		}
	}
	sort.Strings(gone)

	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	now := ownership{
		Generator: generator(),
		Templates: TemplateVersion,
		Guest:     p.guest,
		Package:   p.Name,
		ID:        p.ID,
		Kind:      p.Kind.String(),
		Files:     map[string]string{},
	}
	for _, f := range p.Files {
		if err := w.put(f, now.Files); err != nil {
			return w.rep, err
		}
	}
	for _, name := range gone {
		if err := w.drop(name, now.Files); err != nil {
			return w.rep, err
		}
	}
	data, err := json.MarshalIndent(now, "", "  ")
	if err != nil {
		return w.rep, err
	}
	if _, err := WriteFile(filepath.Join(dir, ManifestName), append(data, '\n'), 0o644); err != nil {
		return w.rep, err
	}
	return w.rep, nil
}

// writer holds the state of one Write.
type writer struct {
	p            *Package
	dir, realDir string
	force        bool
	old          ownership
	hasOld       bool // .bigband.json was there
	rep          *WriteReport
}

// checkOccupant refuses to write into a directory that holds another
// plugin's package, or that is not empty and was not generated at all.
func (w *writer) checkOccupant() error {
	p := w.p
	this := fmt.Sprintf("the %s plugin %q", p.Kind, p.ID)
	if w.hasOld {
		var other string
		switch {
		case w.old.ID != "" && (w.old.ID != p.ID || w.old.Kind != p.Kind.String()):
			other = fmt.Sprintf("the %s plugin %q", w.old.Kind, w.old.ID)
		case w.old.ID == "" && w.old.Package != "" && w.old.Package != p.Name:
			// An older .bigband.json: only the package name to go by.
			other = fmt.Sprintf("the package %q", w.old.Package)
		default:
			return nil
		}
		return &occupied{fmt.Sprintf("%s holds %s, generated from %s (says its %s); refusing to replace it with %s: choose another --id, or use --force to replace it (its generated files are deleted)",
			p.Dir, other, orUnknown(w.old.Guest), ManifestName, this)}
	}
	entries, err := os.ReadDir(w.dir)
	if errors.Is(err, fs.ErrNotExist) || err == nil && len(entries) == 0 {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: %w", p.Dir, err)
	}
	return &occupied{fmt.Sprintf("%s is not empty and has no %s, so bigband-dev did not generate it; refusing to write %s there: choose another --id, move the directory away, or use --force to write into it (files with the same names are overwritten)",
		p.Dir, ManifestName, this)}
}

func orUnknown(guest string) string {
	if guest == "" {
		return "an unknown guest"
	}
	return guest
}

func (w *writer) loadOwnership() error {
	mp := filepath.Join(w.dir, ManifestName)
	if err := w.check(ManifestName); err != nil {
		return err
	}
	data, err := os.ReadFile(mp)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, &w.old); err != nil {
		return fmt.Errorf("%s: %v; delete it and generate with --force to start over (that overwrites every generated file)", path.Join(w.p.Dir, ManifestName), err)
	}
	w.hasOld = true
	return nil
}

// check refuses a path that is not clean and relative, or that leads
// (through symlinks) outside the package directory.
func (w *writer) check(name string) error {
	if !fs.ValidPath(name) || name == "." || strings.Contains(name, "\\") {
		return fmt.Errorf("%q: not a clean relative path", name)
	}
	for _, n := range []string{name, name + ConflictSuffix} {
		full := filepath.Join(w.dir, filepath.FromSlash(n))
		real, err := resolve(full)
		if err != nil {
			return fmt.Errorf("%s: %w", path.Join(w.p.Dir, n), err)
		}
		if !inside(w.realDir, real) {
			return fmt.Errorf("%s: a symlink leads it to %s, outside the package; refusing to write there", path.Join(w.p.Dir, n), real)
		}
	}
	return nil
}

func (w *writer) full(name string) string { return filepath.Join(w.dir, filepath.FromSlash(name)) }

func (w *writer) rel(name string) string { return path.Join(w.p.Dir, name) }

// put writes one file, or its .bigband-new when the file is not ours.
func (w *writer) put(f GenFile, files map[string]string) error {
	target := w.full(f.Path)
	cur, err := os.ReadFile(target)
	exists := err == nil
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: %w", w.rel(f.Path), err)
	}
	recorded, ours := w.old.Files[f.Path]
	switch {
	case exists && bytes.Equal(cur, f.Data):
		w.rep.Unchanged = append(w.rep.Unchanged, w.rel(f.Path))
	case !exists || w.force || ours && recorded == sum(cur):
		if _, err := WriteFile(target, f.Data, 0o644); err != nil {
			return err
		}
		w.rep.Written = append(w.rep.Written, w.rel(f.Path))
	default:
		if _, err := WriteFile(target+ConflictSuffix, f.Data, 0o644); err != nil {
			return err
		}
		w.rep.Conflicts = append(w.rep.Conflicts, w.rel(f.Path))
		if ours {
			// Still what we last wrote: if the user reverts the edit,
			// the next Write may replace the file again.
			files[f.Path] = recorded
		}
		return nil
	}
	files[f.Path] = sum(f.Data)
	return removeIfExists(target + ConflictSuffix)
}

// drop removes a file generated last time and not any more, unless edited.
func (w *writer) drop(name string, files map[string]string) error {
	target := w.full(name)
	if err := removeIfExists(target + ConflictSuffix); err != nil {
		return err
	}
	cur, err := os.ReadFile(target)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: %w", w.rel(name), err)
	}
	if !w.force && sum(cur) != w.old.Files[name] {
		w.rep.Kept = append(w.rep.Kept, w.rel(name))
		files[name] = w.old.Files[name]
		return nil
	}
	if err := os.Remove(target); err != nil {
		return err
	}
	w.rep.Removed = append(w.rep.Removed, w.rel(name))
	// Take away directories the removal emptied, up to the package dir.
	for d := filepath.Dir(target); d != w.dir && strings.HasPrefix(d, w.dir); d = filepath.Dir(d) {
		if os.Remove(d) != nil {
			break // not empty (or not ours to judge): stop
		}
	}
	return nil
}

func removeIfExists(p string) error {
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// resolve returns p with every symlink in its existing part followed; the
// part that does not exist yet is appended as it is.
func resolve(p string) (string, error) {
	var rest []string
	cur := p
	for {
		_, err := os.Lstat(cur)
		if err == nil {
			real, err := filepath.EvalSymlinks(cur)
			if err != nil {
				return "", fmt.Errorf("cannot follow: %w", err)
			}
			return filepath.Join(append([]string{real}, rest...)...), nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return p, nil
		}
		rest = append([]string{filepath.Base(cur)}, rest...)
		cur = parent
	}
}

// inside reports whether p is base or below it; both must be resolved.
func inside(base, p string) bool {
	rel, err := filepath.Rel(base, p)
	return err == nil && (rel == "." || filepath.IsLocal(rel))
}
