package backstage

import (
	"fmt"
	"path"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/evanw/esbuild/pkg/api"
)

// SourceError is one syntax error in a file of a rendered package.
type SourceError struct {
	// Path is slash-separated and relative to the app root, e.g.
	// plugins/hello/src/components/Foo.tsx.
	Path string
	// Line and Column are 1-based; Column counts characters (Unicode code
	// points), not bytes, as editors do.
	Line, Column int
	Message      string
}

func (e SourceError) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.Path, e.Line, e.Column, e.Message)
}

// SourceErrors lists every syntax error found, in file and line order.
type SourceErrors []SourceError

func (es SourceErrors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// loaders maps the extensions CheckSources parses to esbuild loaders.
var loaders = map[string]api.Loader{
	".ts":  api.LoaderTS,
	".mts": api.LoaderTS,
	".cts": api.LoaderTS,
	".tsx": api.LoaderTSX,
	".js":  api.LoaderJS,
	".mjs": api.LoaderJS,
	".cjs": api.LoaderJS,
	".jsx": api.LoaderJSX,
}

// CheckSources parses every TypeScript and JavaScript file of p, the
// guest's and the generated ones alike, and returns SourceErrors listing
// each syntax error as path:line:column: message, or nil. It finds syntax
// errors only; types are for tsc in the app. Render calls it.
func CheckSources(p *Package) error {
	var errs SourceErrors
	for _, f := range p.Files {
		loader, ok := loaders[path.Ext(f.Path)]
		if !ok {
			continue
		}
		name := path.Join(p.Dir, f.Path)
		res := api.Transform(string(f.Data), api.TransformOptions{
			Loader:     loader,
			Sourcefile: name,
			LogLevel:   api.LogLevelSilent,
		})
		for _, m := range res.Errors {
			e := SourceError{Path: name, Message: m.Text}
			if l := m.Location; l != nil {
				e.Line = l.Line
				e.Column = runeColumn(l.LineText, l.Column)
			}
			errs = append(errs, e)
		}
	}
	if len(errs) == 0 {
		return nil
	}
	sort.SliceStable(errs, func(i, j int) bool {
		a, b := errs[i], errs[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	return errs
}

// runeColumn turns esbuild's 0-based byte column into a 1-based
// character column.
func runeColumn(line string, byteCol int) int {
	if byteCol > len(line) {
		return byteCol + 1
	}
	return utf8.RuneCountInString(line[:max(byteCol, 0)]) + 1
}
