package syntax

import (
	"math/rand"
	"strings"
	"testing"
	"time"
)

// finishes runs f and fails if it hasn't returned within a minute: a
// generous hang guard, not a timing assertion.
func finishes(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatalf("%s: still running after a minute", what)
	}
}

func TestFormatRefusesBinary(t *testing.T) {
	rnd := rand.New(rand.NewSource(1))
	wasm := make([]byte, 14<<20)
	rnd.Read(wasm)
	copy(wasm, "\x00asm\x01\x00\x00\x00")
	latin1 := []byte("package a:b;\ninterface caf\xe9 {}\n")
	tests := []struct {
		name, want string
		src        []byte
	}{
		{"14 MB wasm", "in.wit:1:1: binary data (a NUL byte)", wasm},
		{"latin-1 text", "in.wit:2:14: not valid UTF-8", latin1},
		{"NUL in text", "in.wit:1:13: binary data", []byte("package a:b;\x00\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			finishes(t, tt.name, func() { _, err = FormatSource("in.wit", tt.src) })
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("FormatSource: %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// TestParseGarbageIsBounded parses megabytes of text that is all errors:
// the parse must finish, keep the first error, and keep at most
// MaxErrors per kind plus the note that it stopped.
func TestParseGarbageIsBounded(t *testing.T) {
	rnd := rand.New(rand.NewSource(2))
	const alphabet = "ab{}<>;:=,()\n \x01\x7fé\u202e-%@"
	var b strings.Builder
	for b.Len() < 4<<20 {
		b.WriteByte(alphabet[rnd.Intn(len(alphabet))])
	}
	src := []byte(strings.ToValidUTF8(b.String(), "?"))
	var errs ErrorList
	finishes(t, "parse", func() { _, errs = ParseFile(NewFileSet(), "g.wit", src) })
	if len(errs) == 0 || len(errs) > 3*MaxErrors+1 {
		t.Fatalf("%d errors, want 1..%d", len(errs), 3*MaxErrors+1)
	}
	if last := errs[len(errs)-1].Msg; !strings.HasPrefix(last, "too many errors") {
		t.Errorf("last error %q, want the too-many-errors note", last)
	}
	// The first error is what an unbounded parse reports first: the
	// input-wide check's first find.
	_, small := ParseFile(NewFileSet(), "g.wit", src[:4096])
	if errs[0].Msg != small[0].Msg || errs[0].Span != small[0].Span {
		t.Errorf("first error %q at %v, want %q at %v", errs[0].Msg, errs[0].Span, small[0].Msg, small[0].Span)
	}

	// A 14 MB binary given to the parser directly (the language server
	// path, which has no CheckText) is handled the same way.
	bin := make([]byte, 14<<20)
	rnd.Read(bin)
	finishes(t, "parse binary", func() { _, errs = ParseFile(NewFileSet(), "b.wasm", bin) })
	if len(errs) == 0 || len(errs) > 3*MaxErrors+1 || !strings.HasPrefix(errs[len(errs)-1].Msg, "too many errors") {
		t.Errorf("binary: %d errors, last %q", len(errs), errs[len(errs)-1].Msg)
	}
}
