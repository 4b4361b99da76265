package contract

import (
	"errors"
	"fmt"
	"path"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Limits on what a guest may ask for. They are far above what a plugin
// needs and low enough that a confused or hostile guest can't fill a disk
// or an editor.
const (
	MaxFiles      = 1000
	MaxFileBytes  = 8 << 20
	MaxTotalBytes = 64 << 20
	MaxPathBytes  = 512
	MaxDeps       = 500
	MaxRoutes     = 1000
)

// Methods a backend route may use.
var Methods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

// ValidationError lists everything wrong with a manifest, each problem
// located by the function and the entry it came from.
type ValidationError struct {
	Guest    string
	Problems []string
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: the plugin manifest has %d problem", e.Guest, len(e.Problems))
	if len(e.Problems) != 1 {
		b.WriteString("s")
	}
	b.WriteString(":")
	for _, p := range e.Problems {
		fmt.Fprintf(&b, "\n  %s", p)
	}
	return b.String()
}

// Validate checks that the manifest is safe and sane to generate a plugin
// from, and returns a *ValidationError listing every problem when it isn't.
func (m *Manifest) Validate() error {
	v := &validator{}
	switch m.Kind {
	case Frontend:
		v.deps(m.Deps)
		v.files(m.Files)
	case Backend:
		v.routes(m.Routes)
	}
	if len(v.problems) == 0 {
		return nil
	}
	return &ValidationError{Guest: m.Guest, Problems: v.problems}
}

type validator struct{ problems []string }

func (v *validator) addf(format string, args ...any) {
	v.problems = append(v.problems, fmt.Sprintf(format, args...))
}

// npmName follows npm's rules for new package names: lowercase, URL-safe,
// optionally scoped, starting with a letter or digit.
var npmName = regexp.MustCompile(`^(@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9][a-z0-9._~-]*$`)

// IsNPMName reports whether s is a valid name for a new npm package, so it
// is safe inside package.json and a JavaScript string.
func IsNPMName(s string) bool { return len(s) <= 214 && npmName.MatchString(s) }

func (v *validator) deps(deps []NodeDep) {
	const at = "get-node-deps"
	if len(deps) > MaxDeps {
		v.addf("%s: %d dependencies, more than the %d allowed", at, len(deps), MaxDeps)
		return
	}
	seen := map[string]int{}
	for i, d := range deps {
		where := fmt.Sprintf("%s[%d] %q", at, i, d.Name)
		switch {
		case d.Name == "":
			v.addf("%s[%d]: empty package name", at, i)
		case !IsNPMName(d.Name):
			v.addf("%s: not an npm package name (lowercase letters, digits, - . _ ~, optionally @scope/)", where)
		}
		if j, dup := seen[d.Name]; dup && d.Name != "" {
			v.addf("%s: listed twice (also at %d)", where, j)
		}
		seen[d.Name] = i
		if d.Version != "" && (len(d.Version) > 256 || strings.ContainsFunc(d.Version, badVersionRune)) {
			v.addf("%s: version %q is not a version range", where, d.Version)
		}
	}
}

// badVersionRune rejects what can't be in a semver range or an npm
// specifier and could break the package.json or a shell: quotes, control
// characters, backslashes.
func badVersionRune(r rune) bool {
	return r == '"' || r == '\\' || r == '\'' || r == '`' || unicode.IsControl(r)
}

func (v *validator) files(files []File) {
	const at = "get-component-files"
	if len(files) > MaxFiles {
		v.addf("%s: %d files, more than the %d allowed", at, len(files), MaxFiles)
		return
	}
	var roots []string
	total := 0
	seen := map[string]int{}
	for i, f := range files {
		where := fmt.Sprintf("%s[%d] %q", at, i, f.Path)
		if err := CheckFilePath(f.Path); err != nil {
			v.addf("%s: %v", where, err)
		} else {
			// Two paths differing only in case, or only in Unicode
			// normalisation (é as one code point or as e + U+0301), are
			// one file on macOS and Windows.
			key := strings.ToLower(norm.NFC.String(f.Path))
			if j, dup := seen[key]; dup {
				v.addf("%s: same file as %s[%d] %q%s", where, at, j, files[j].Path, sameFileWhy(f.Path, files[j].Path))
			} else {
				seen[key] = i
			}
		}
		if len(f.Contents) > MaxFileBytes {
			v.addf("%s: %d bytes, more than the %d allowed per file", where, len(f.Contents), MaxFileBytes)
		}
		total += len(f.Contents)
		if f.IsRoot {
			roots = append(roots, fmt.Sprintf("[%d] %q", i, f.Path))
			switch {
			case f.ComponentClassName == "":
				v.addf("%s: the root file needs a component-class-name (the React component it exports)", where)
			case !IsIdentifier(f.ComponentClassName):
				v.addf("%s: component-class-name %q is not a JavaScript identifier", where, f.ComponentClassName)
			}
			if !hasScriptExt(f.Path) {
				v.addf("%s: the root file must be .tsx, .ts, .jsx or .js (it is imported as a module)", where)
			}
		}
	}
	if total > MaxTotalBytes {
		v.addf("%s: %d bytes in all, more than the %d allowed", at, total, MaxTotalBytes)
	}
	switch len(roots) {
	case 0:
		if len(files) == 0 {
			v.addf("%s: no files: one file must be the root component (is-root = true)", at)
		} else {
			v.addf("%s: no root file: exactly one file needs is-root = true", at)
		}
	case 1:
	default:
		v.addf("%s: %d root files (%s): exactly one may have is-root = true", at, len(roots), strings.Join(roots, ", "))
	}
}

// CheckFilePath says what is wrong with a component file's path, or nil.
// Paths are relative to src/components and must stay inside it on every
// platform the generated plugin may be checked out on.
func CheckFilePath(p string) error {
	if msg := filePathProblem(p); msg != "" {
		return errors.New(msg)
	}
	return nil
}

func filePathProblem(p string) string {
	switch {
	case p == "":
		return "empty path"
	case len(p) > MaxPathBytes:
		return fmt.Sprintf("path longer than %d bytes", MaxPathBytes)
	case !utf8.ValidString(p):
		return "path is not UTF-8"
	case strings.ContainsFunc(p, unicode.IsControl):
		return "control character in the path"
	}
	if msg := invisibleProblem(p); msg != "" {
		return msg
	}
	switch {
	case strings.Contains(p, `\`):
		return `backslash in the path (use "/")`
	case strings.HasPrefix(p, "/"):
		return "absolute path (paths are relative to src/components)"
	case len(p) >= 2 && p[1] == ':':
		return "drive letter in the path (paths are relative to src/components)"
	}
	for _, seg := range strings.Split(p, "/") {
		switch {
		case seg == "..":
			return `".." in the path (it would leave src/components)`
		case seg == "." || seg == "":
			return fmt.Sprintf("not a clean path (clean: %q)", path.Clean(p))
		case strings.HasSuffix(seg, ".") || strings.HasSuffix(seg, " "):
			return fmt.Sprintf("path segment %q ends in a dot or space (Windows can't hold it)", seg)
		case strings.ContainsAny(seg, `<>:"|?*`):
			return fmt.Sprintf("path segment %q has a character Windows can't hold (<>:\"|?*)", seg)
		case strings.HasPrefix(seg, ".bigband") || strings.HasSuffix(seg, ".bigband-new"):
			return "the name is bigband-dev's own (.bigband*, *.bigband-new)"
		case isWindowsDevice(seg):
			return fmt.Sprintf("path segment %q is a device name on Windows (CON, PRN, AUX, NUL, COM1-9, LPT1-9, with any extension): rename it", seg)
		}
	}
	return ""
}

// sameFileWhy says how two paths that name one file differ, for the
// duplicate error.
func sameFileWhy(a, b string) string {
	switch {
	case a == b:
		return ""
	case norm.NFC.String(a) == norm.NFC.String(b):
		return " (they differ only in Unicode normalisation, NFC vs NFD: macOS stores them as one file)"
	case strings.EqualFold(a, b):
		return " (they differ only in case: macOS and Windows store them as one file)"
	default:
		return " (they differ only in case and Unicode normalisation: macOS stores them as one file)"
	}
}

// invisibleProblem refuses characters that change how a path is shown
// without showing themselves: bidi controls can make "gpj.tsx" display
// as "xst.jpg" in a review, and zero-width or other format characters
// make two different names look the same.
func invisibleProblem(p string) string {
	for i, r := range p {
		switch {
		case isBidiControl(r):
			return fmt.Sprintf("bidi control character U+%04X at byte %d of the path (it makes the name display differently from what it is)", r, i)
		case unicode.Is(unicode.Cf, r) || invisibleLetter(r):
			return fmt.Sprintf("invisible format character U+%04X at byte %d of the path", r, i)
		case r != ' ' && (unicode.Is(unicode.Zs, r) || unicode.Is(unicode.Zl, r) || unicode.Is(unicode.Zp, r)):
			return fmt.Sprintf("space character U+%04X at byte %d of the path (only the ASCII space is allowed)", r, i)
		}
	}
	return ""
}

// isBidiControl reports the explicit directional formatting characters
// (Unicode's Bidi_Control property).
func isBidiControl(r rune) bool {
	return r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069 || r == 0x200E || r == 0x200F || r == 0x061C
}

// invisibleLetter lists default-ignorable code points outside category Cf
// that render as nothing: the Hangul fillers and the combining grapheme
// joiner.
func invisibleLetter(r rune) bool {
	return r == 0x115F || r == 0x1160 || r == 0x3164 || r == 0xFFA0 || r == 0x034F
}

// windowsDevices are the names Windows opens as a device instead of a
// file, whatever extension follows. COM and LPT take a digit, including
// the superscripts ¹ ² ³ (Windows reads them as digits).
var windowsDevices = map[string]bool{"CON": true, "PRN": true, "AUX": true, "NUL": true, "CONIN$": true, "CONOUT$": true}

func isWindowsDevice(seg string) bool {
	stem, _, _ := strings.Cut(seg, ".")
	// Windows ignores spaces before the extension: "nul .txt" is NUL.
	stem = strings.ToUpper(strings.TrimRight(stem, " "))
	if windowsDevices[stem] {
		return true
	}
	if len(stem) < 4 || (stem[:3] != "COM" && stem[:3] != "LPT") {
		return false
	}
	switch stem[3:] {
	case "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "¹", "²", "³":
		return true
	}
	return false
}

func hasScriptExt(p string) bool {
	switch path.Ext(p) {
	case ".tsx", ".ts", ".jsx", ".js":
		return true
	}
	return false
}

// IsIdentifier reports whether s is a JavaScript identifier (the ASCII and
// Unicode letter forms; reserved words are left to the TypeScript checker),
// so it can be written into generated code as a name.
func IsIdentifier(s string) bool {
	for i, r := range s {
		ok := r == '_' || r == '$' || unicode.IsLetter(r) || (i > 0 && (unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)))
		if !ok {
			return false
		}
	}
	return s != ""
}

// routeParam is a whole path segment naming a parameter: {name}.
var routeParam = regexp.MustCompile(`^\{[A-Za-z_][A-Za-z0-9_]*\}$`)

func (v *validator) routes(routes []Route) {
	const at = "get-routes"
	if len(routes) > MaxRoutes {
		v.addf("%s: %d routes, more than the %d allowed", at, len(routes), MaxRoutes)
		return
	}
	seen := map[Route]int{}
	for i, r := range routes {
		where := fmt.Sprintf("%s[%d] %s %q", at, i, r.Method, r.Path)
		if !isMethod(r.Method) {
			if up := strings.ToUpper(r.Method); isMethod(up) {
				v.addf("%s: method %q must be upper case (%q)", where, r.Method, up)
			} else {
				v.addf("%s: method %q is not one of %s", where, r.Method, strings.Join(Methods, ", "))
			}
		}
		if msg := checkRoutePath(r.Path); msg != "" {
			v.addf("%s: %s", where, msg)
		}
		if j, dup := seen[r]; dup {
			v.addf("%s: listed twice (also at %d)", where, j)
		}
		seen[r] = i
	}
}

func isMethod(m string) bool {
	for _, x := range Methods {
		if m == x {
			return true
		}
	}
	return false
}

// checkRoutePath says what is wrong with a route's path, or "". Paths are
// relative to /api/<id>: "/", "/items", "/items/{id}", "/files/*".
func checkRoutePath(p string) string {
	switch {
	case p == "":
		return "empty path"
	case len(p) > MaxPathBytes:
		return fmt.Sprintf("path longer than %d bytes", MaxPathBytes)
	case !strings.HasPrefix(p, "/"):
		return `path must start with "/" (it is relative to /api/<id>)`
	case strings.ContainsAny(p, "?#"):
		return "a route path has no query or fragment"
	case strings.ContainsFunc(p, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }):
		return "space or control character in the path"
	case p == "/":
		return ""
	}
	segs := strings.Split(p[1:], "/")
	for i, seg := range segs {
		last := i == len(segs)-1
		switch {
		case seg == "" && !last:
			return `empty segment ("//")`
		case seg == "." || seg == "..":
			return fmt.Sprintf("%q segment in the path", seg)
		case seg == "*" && !last:
			return `"*" may only be the last segment`
		case strings.ContainsAny(seg, "{}") && !routeParam.MatchString(seg):
			return fmt.Sprintf("segment %q: a parameter is a whole segment {name}", seg)
		}
	}
	return ""
}
