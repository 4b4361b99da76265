// Package wire adds generated plugin packages to a Backstage app made by
// @backstage/create-app: the workspace dependency in package.json and, where
// Backstage does not discover the plugin by itself, the lines in App.tsx or
// packages/backend/src/index.ts that load it.
//
// Edits are byte splices at offsets found by parsing (encoding/json plus a
// small offset scanner for package.json, tree-sitter for TypeScript), never a
// reprint, so the user's formatting survives. Every file of one wiring is
// planned and verified before any is written; a shape that is not recognised
// is refused with a *ShapeError that lists the lines to add by hand.
//
// Decisions (see also discovery.go):
//   - New frontend system: with app.packages discovery covering the package,
//     the dependency is all that is needed. Otherwise the plugin is wired
//     explicitly in createApp's features array, and app-config*.yaml is never
//     written: explicit features work whatever the config says, and Backstage
//     deduplicates a plugin that is both discovered and listed (by plugin id,
//     last one wins), so turning discovery on later does no harm.
//   - Legacy frontend system: named import plus a <Route> in <FlatRoutes>, as
//     `backstage-cli new` does, but found in the syntax tree.
//   - Backend: `backend.add(import('<pkg>'));` on its own line before the one
//     `backend.start()` statement.
package wire

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/bigband-dev/bigband/backstage"
	"github.com/bigband-dev/bigband/contract"
)

// Plugin names a generated plugin package to wire into an app.
type Plugin struct {
	// ID is the plugin id, e.g. "hello". The legacy frontend mounts the page
	// at "/<ID>".
	ID string
	// Package is the npm name, e.g. "@internal/plugin-hello".
	Package string
	// Export is the identifier App.tsx uses: the page component for the
	// legacy frontend (default: "<Id>Page"), the local name of the default
	// export for the new frontend system (default: "<id>Plugin").
	Export string
}

// Result says what a wiring did.
type Result struct {
	// Changed lists the files written, as slash paths relative to the app.
	Changed []string
	// Notes are the steps left to the user, e.g. running yarn install.
	Notes []string
}

// ShapeError reports a file whose shape was not recognised. Nothing of the
// wiring was written; adding Manual by hand and running again finishes it,
// because existing wiring is detected before anchors are looked for.
type ShapeError struct {
	File      string // slash path relative to the app
	Line, Col int    // 1-based; 0 when not applicable
	Problem   string // what was expected and not found
	// Manual holds the exact lines to add by hand, to ManualFile when that is
	// set (the lines belong elsewhere than the unrecognised file), else to File.
	Manual     []string
	ManualFile string
}

func (e *ShapeError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Col > 0 {
			fmt.Fprintf(&b, ":%d", e.Col)
		}
	}
	b.WriteString(": ")
	b.WriteString(e.Problem)
	b.WriteString("; nothing was written")
	if len(e.Manual) > 0 {
		target := e.ManualFile
		if target == "" {
			target = e.File
		}
		fmt.Fprintf(&b, "; add these lines to %s by hand:", target)
		for _, l := range e.Manual {
			b.WriteString("\n\t")
			b.WriteString(l)
		}
	}
	return b.String()
}

// App-relative paths of the files wiring reads and writes, as create-app lays
// them out.
const (
	appPackageJSON     = "packages/app/package.json"
	appTSX             = "packages/app/src/App.tsx"
	appConfig          = "app-config.yaml"
	appConfigLocal     = "app-config.local.yaml"
	backendPackageJSON = "packages/backend/package.json"
	backendIndex       = "packages/backend/src/index.ts"
)

// Frontend wires a frontend plugin package into the app at appDir: legacy
// selects the legacy frontend system (createApp from @backstage/app-defaults
// with <FlatRoutes>) instead of the new one.
func Frontend(appDir string, p Plugin, legacy bool) (*Result, error) {
	if err := p.validate(legacy); err != nil {
		return nil, err
	}
	pkgFile, err := readAppFile(appDir, appPackageJSON, []string{depLine(p.Package)})
	if err != nil {
		return nil, err
	}
	pkgOut, err := addDependency(appPackageJSON, pkgFile, p.Package)
	if err != nil {
		return nil, err
	}
	edits := []fileEdit{{appPackageJSON, pkgFile, pkgOut}}
	notes := []string{"run `yarn install` at the app root so the workspace package is linked"}

	if legacy {
		src, err := readAppFile(appDir, appTSX, legacyLines(p))
		if err != nil {
			return nil, err
		}
		out, err := editLegacyApp(appTSX, src, p)
		if err != nil {
			return nil, err
		}
		edits = append(edits, fileEdit{appTSX, src, out})
	} else {
		disc, err := loadDiscovery(appDir, p)
		if err != nil {
			return nil, err
		}
		if disc.covers(p.Package) {
			// Discovery picks the plugin up; App.tsx is only checked so a
			// legacy app run without legacy is not silently left unwired.
			src, err := os.ReadFile(appPath(appDir, appTSX))
			switch {
			case err == nil:
				if err := checkNotLegacy(appTSX, src); err != nil {
					return nil, err
				}
			case !errors.Is(err, fs.ErrNotExist):
				return nil, err
			}
			notes = append(notes, "after `yarn install`, restart `yarn start` or touch packages/app/package.json: feature discovery only rescans when that file changes")
		} else {
			src, err := readAppFile(appDir, appTSX, featureLines(p))
			if err != nil {
				return nil, err
			}
			out, err := editFeaturesApp(appTSX, src, p)
			if err != nil {
				return nil, err
			}
			edits = append(edits, fileEdit{appTSX, src, out})
		}
	}
	return commit(appDir, edits, notes)
}

// Backend wires a backend plugin (or module) package into the app at appDir.
func Backend(appDir string, p Plugin) (*Result, error) {
	if err := validPackage(p.Package); err != nil {
		return nil, err
	}
	pkgFile, err := readAppFile(appDir, backendPackageJSON, []string{depLine(p.Package)})
	if err != nil {
		return nil, err
	}
	pkgOut, err := addDependency(backendPackageJSON, pkgFile, p.Package)
	if err != nil {
		return nil, err
	}
	src, err := readAppFile(appDir, backendIndex, backendLines("backend", p.Package))
	if err != nil {
		return nil, err
	}
	out, err := editBackendIndex(backendIndex, src, p)
	if err != nil {
		return nil, err
	}
	return commit(appDir, []fileEdit{{backendPackageJSON, pkgFile, pkgOut}, {backendIndex, src, out}},
		[]string{"run `yarn install` at the app root, then restart `yarn start`: the backend fails on an import that is not linked yet"})
}

// The lines a ShapeError asks the user to add; the edits write the same text.

func depLine(pkg string) string { return fmt.Sprintf("%q: %q", pkg, workspaceRange) }

func backendLines(recv, pkg string) []string {
	return []string{fmt.Sprintf("%s.add(import('%s'));", recv, pkg)}
}

func legacyLines(p Plugin) []string {
	return []string{
		fmt.Sprintf("import { %s } from '%s';", p.Export, p.Package),
		routeLine(p.ID, p.Export),
	}
}

func routeLine(id, elem string) string {
	return fmt.Sprintf(`<Route path="/%s" element={<%s />} />`, id, elem)
}

func featureLines(p Plugin) []string {
	return []string{
		fmt.Sprintf("import %s from '%s';", p.Export, p.Package),
		p.Export + ", // in the features array of createApp({ features: [...] })",
	}
}

// validPackage also keeps the name from breaking out of the string
// literals it goes into.
func validPackage(name string) error {
	if !contract.IsNPMName(name) {
		return fmt.Errorf("wire: package name %q is not a valid npm name (@scope/name, lowercase letters, digits, - . _ ~)", name)
	}
	return nil
}

// Plugin ids go into a route path and a JSX string attribute.
var pluginID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*$`)

var jsIdent = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$]*$`)

// Reserved words that match jsIdent but cannot name an import binding.
var reserved = map[string]bool{
	"await": true, "break": true, "case": true, "catch": true, "class": true, "const": true,
	"continue": true, "debugger": true, "default": true, "delete": true, "do": true,
	"else": true, "enum": true, "export": true, "extends": true, "false": true,
	"finally": true, "for": true, "function": true, "if": true, "implements": true,
	"import": true, "in": true, "instanceof": true, "interface": true, "let": true,
	"new": true, "null": true, "package": true, "private": true, "protected": true,
	"public": true, "return": true, "static": true, "super": true, "switch": true,
	"this": true, "throw": true, "true": true, "try": true, "typeof": true, "var": true,
	"void": true, "while": true, "with": true, "yield": true,
}

// validate checks p and fills in Export from ID the way Backstage's templates
// name things: "<Id>Page" for legacy pages, "<id>Plugin" for features.
func (p *Plugin) validate(legacy bool) error {
	if err := validPackage(p.Package); err != nil {
		return err
	}
	if p.ID != "" && !pluginID.MatchString(p.ID) {
		return fmt.Errorf("wire: plugin id %q: want letters, digits, - and _", p.ID)
	}
	if p.Export == "" {
		if p.ID == "" {
			return errors.New("wire: plugin needs an ID or an Export")
		}
		p.Export = backstage.PluginExport(p.ID)
		if legacy {
			p.Export = backstage.PageExport(p.ID)
		}
	}
	if !jsIdent.MatchString(p.Export) || reserved[p.Export] {
		return fmt.Errorf("wire: export %q is not a JavaScript identifier", p.Export)
	}
	if legacy {
		if p.ID == "" {
			return errors.New("wire: a legacy frontend plugin needs an ID for its route path")
		}
		// JSX treats a lowercase tag as an HTML element, not a component.
		if !unicode.IsUpper(rune(p.Export[0])) {
			return fmt.Errorf("wire: export %q: a page component must start with an uppercase letter", p.Export)
		}
	}
	return nil
}

// appPath joins a constant app-relative path to appDir; package names never
// reach a path.
func appPath(appDir, rel string) string {
	return filepath.Join(appDir, filepath.FromSlash(rel))
}

// readAppFile reads a file the wiring needs; a missing one is a ShapeError
// carrying the lines that would have gone into it.
func readAppFile(appDir, rel string, manual []string) ([]byte, error) {
	b, err := os.ReadFile(appPath(appDir, rel))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &ShapeError{File: rel, Problem: "file not found (is " + appDir + " the root of an app made by @backstage/create-app?)", Manual: manual}
	}
	return b, err
}

type fileEdit struct {
	rel      string
	old, new []byte
}

// commit writes the files whose bytes changed, each atomically. If a write
// fails, the files already written get their old bytes back, so a failed
// wiring leaves the app as it was.
func commit(appDir string, edits []fileEdit, notes []string) (*Result, error) {
	res := &Result{}
	var written []fileEdit
	for _, e := range edits {
		if bytes.Equal(e.old, e.new) {
			continue
		}
		wrote, err := backstage.WriteFile(appPath(appDir, e.rel), e.new, 0o644)
		if err != nil {
			for _, w := range written {
				if _, rerr := backstage.WriteFile(appPath(appDir, w.rel), w.old, 0o644); rerr != nil {
					err = errors.Join(err, fmt.Errorf("restoring %s: %w", w.rel, rerr))
				}
			}
			return nil, fmt.Errorf("wire: writing %s: %w", e.rel, err)
		}
		if wrote {
			written = append(written, e)
			res.Changed = append(res.Changed, e.rel)
		}
	}
	if len(res.Changed) > 0 {
		res.Notes = notes
	}
	return res, nil
}

type insertion struct {
	off  int
	text string
}

// splice inserts texts at byte offsets of src (insertions at the same offset
// keep their order).
func splice(src []byte, ins ...insertion) []byte {
	slices.SortStableFunc(ins, func(a, b insertion) int { return a.off - b.off })
	var b bytes.Buffer
	last := 0
	for _, in := range ins {
		b.Write(src[last:in.off])
		b.WriteString(in.text)
		last = in.off
	}
	b.Write(src[last:])
	return b.Bytes()
}

// newline returns the file's line ending, so inserted lines match it.
func newline(src []byte) string {
	if bytes.Contains(src, []byte("\r\n")) {
		return "\r\n"
	}
	return "\n"
}

// lineOf returns the start of the line holding off, its leading whitespace,
// and whether only whitespace precedes off on that line.
func lineOf(src []byte, off int) (start int, indent string, first bool) {
	start = bytes.LastIndexByte(src[:off], '\n') + 1
	end := start
	for end < off && (src[end] == ' ' || src[end] == '\t') {
		end++
	}
	return start, string(src[start:end]), end == off
}

// position converts a byte offset to a 1-based line and column.
func position(src []byte, off int) (line, col int) {
	off = min(off, len(src))
	line = bytes.Count(src[:off], []byte("\n")) + 1
	return line, off - (bytes.LastIndexByte(src[:off], '\n') + 1) + 1
}
