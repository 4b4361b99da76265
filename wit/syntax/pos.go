// Package syntax is the WIT front end: scanner, parser, AST with exact byte
// spans and comments, and the printer. It knows nothing of name resolution;
// package wit turns ASTs into the resolved model.
package syntax

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// Pos is a byte offset into a FileSet: every file gets a disjoint range, so a
// single integer names a file and an offset in it (as go/token does). The zero
// Pos is "unknown"; files start at base 1.
type Pos int

// NoPos is the unknown position.
const NoPos Pos = 0

// IsValid reports whether p is a known position.
func (p Pos) IsValid() bool { return p != NoPos }

// Span is the half-open byte range [Start, End) in a FileSet.
type Span struct {
	Start, End Pos
}

// IsValid reports whether s has a known start.
func (s Span) IsValid() bool { return s.Start.IsValid() }

// Position is a human-readable location. Line and Column are 1-based; Column
// counts bytes, like wit-parser and go/token (LSP converts to UTF-16 itself).
type Position struct {
	Filename string
	Offset   int // byte offset in the file, 0-based
	Line     int
	Column   int
}

func (p Position) String() string {
	if p.Filename == "" && p.Line == 0 {
		return "-"
	}
	return fmt.Sprintf("%s:%d:%d", p.Filename, p.Line, p.Column)
}

// File is one source file registered in a FileSet.
type File struct {
	name  string
	base  int
	src   []byte
	lines []int // offsets of line starts
}

// Name is the path the file was registered with.
func (f *File) Name() string { return f.name }

// Base is the Pos of the file's first byte.
func (f *File) Base() Pos { return Pos(f.base) }

// Size is the length of the file's contents in bytes.
func (f *File) Size() int { return len(f.src) }

// Source returns the file's contents. Callers must not modify it.
func (f *File) Source() []byte { return f.src }

// Pos converts a 0-based byte offset in the file to a Pos.
func (f *File) Pos(offset int) Pos { return Pos(f.base + offset) }

// Offset converts a Pos in this file to a byte offset.
func (f *File) Offset(p Pos) int { return int(p) - f.base }

// Contains reports whether p falls in this file (the end-of-file position included).
func (f *File) Contains(p Pos) bool { return int(p) >= f.base && int(p) <= f.base+len(f.src) }

// Position converts a Pos in this file to a line and column.
func (f *File) Position(p Pos) Position {
	off := f.Offset(p)
	if off < 0 {
		off = 0
	}
	if off > len(f.src) {
		off = len(f.src)
	}
	i := sort.Search(len(f.lines), func(i int) bool { return f.lines[i] > off }) - 1
	return Position{Filename: f.name, Offset: off, Line: i + 1, Column: off - f.lines[i] + 1}
}

// Line returns the text of 1-based line n without its line terminator.
func (f *File) Line(n int) string {
	if n < 1 || n > len(f.lines) {
		return ""
	}
	start := f.lines[n-1]
	end := len(f.src)
	if n < len(f.lines) {
		end = f.lines[n]
	}
	s := string(f.src[start:end])
	s = strings.TrimSuffix(s, "\n")
	return strings.TrimSuffix(s, "\r")
}

// FileSet assigns disjoint position ranges to files. It is not safe for
// concurrent mutation; reading positions of added files is safe.
type FileSet struct {
	base  int
	files []*File
}

// NewFileSet returns an empty FileSet.
func NewFileSet() *FileSet { return &FileSet{base: 1} }

// AddFile registers src under name and returns the new File.
func (s *FileSet) AddFile(name string, src []byte) *File {
	f := &File{name: name, base: s.base, src: src, lines: []int{0}}
	for i, c := range src {
		if c == '\n' {
			f.lines = append(f.lines, i+1)
		}
	}
	// +1 keeps the end-of-file position of one file distinct from the
	// first byte of the next.
	s.base += len(src) + 1
	s.files = append(s.files, f)
	return f
}

// File returns the file containing p, or nil.
func (s *FileSet) File(p Pos) *File {
	if !p.IsValid() {
		return nil
	}
	i := sort.Search(len(s.files), func(i int) bool { return s.files[i].base > int(p) }) - 1
	if i < 0 || !s.files[i].Contains(p) {
		return nil
	}
	return s.files[i]
}

// Files returns the registered files in the order they were added.
func (s *FileSet) Files() []*File { return s.files }

// Position converts p to a human-readable location; unknown positions give
// the zero Position.
func (s *FileSet) Position(p Pos) Position {
	if f := s.File(p); f != nil {
		return f.Position(p)
	}
	return Position{}
}

// Error is a diagnostic at a span.
type Error struct {
	Span Span
	Msg  string
	// Code is a stable identifier such as "wit/unknown-type"; empty lets
	// package wit classify the error by its message.
	Code string
	// Related points at other places the error is about, e.g. where a
	// duplicated name was first defined.
	Related []Related
}

// Related is a secondary location of an Error.
type Related struct {
	Span Span
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

// ErrorList collects errors in the order they were found.
type ErrorList []*Error

// Add appends an error.
func (l *ErrorList) Add(span Span, format string, args ...any) {
	*l = append(*l, &Error{Span: span, Msg: fmt.Sprintf(format, args...)})
}

// Err returns the list as an error, or nil when empty.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Msg
	}
	return fmt.Sprintf("%s (and %d more errors)", l[0].Msg, len(l)-1)
}

// Render formats err like wit-parser: the message, then an arrow with
// file:line:col, the source line and a caret under the span. Long lines (over
// 500 bytes) collapse to "file:line:col: message".
func (s *FileSet) Render(e *Error) string {
	f := s.File(e.Span.Start)
	if f == nil {
		return e.Msg
	}
	p := f.Position(e.Span.Start)
	line := f.Line(p.Line)
	if len(line) > 500 {
		return fmt.Sprintf("%s: %s", p, e.Msg)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n     --> %s\n      |\n %4d | %s\n      | %*s", e.Msg, p, p.Line, line, p.Column, "^")
	if e.Span.End > e.Span.Start && f.Contains(e.Span.End) {
		seg := f.src[f.Offset(e.Span.Start):f.Offset(e.Span.End)]
		if n := utf8.RuneCount(seg); n > 1 {
			b.WriteString(strings.Repeat("-", n-1))
		}
	}
	return b.String()
}
