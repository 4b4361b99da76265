// Package guesttext makes text that came out of a guest safe to show on a
// terminal or in a log: a guest is untrusted, and its error messages and
// output are data, never instructions to the terminal that shows them.
//
// Escape sequences (set the title, write the clipboard with OSC 52, move the
// cursor to overwrite an earlier line), other control characters, bidi
// overrides that reorder what the reader sees, and invalid UTF-8 are all
// shown escaped, Go-quote style. Newlines and tabs stay, so a multi-line
// message still reads as one. Long text is cut with a note of how much.
package guesttext

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// DefaultMax is a sensible cap for one message shown on a terminal.
const DefaultMax = 64 << 10

// Sanitize returns s with every character a terminal would interpret
// escaped, cut to at most max bytes of the original (0: no cap) with a note
// saying how many bytes were left out.
func Sanitize(s string, max int) string {
	cut := 0
	if max > 0 && len(s) > max {
		end := max
		// Don't split a character: back up to a rune start.
		for end > 0 && !utf8.RuneStart(s[end]) {
			end--
		}
		cut = len(s) - end
		s = s[:end]
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r == '\r':
			// A bare CR returns to the line start and lets later text
			// overwrite what came before it; CRLF is only a line end.
			if i+1 < len(s) && s[i+1] == '\n' {
				b.WriteByte('\r')
			} else {
				b.WriteString(`\r`)
			}
		case unsafe(r):
			if r < 0x100 {
				fmt.Fprintf(&b, `\x%02x`, r)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	if cut > 0 {
		fmt.Fprintf(&b, " … [%d more bytes cut]", cut)
	}
	return b.String()
}

// unsafe reports characters a terminal acts on or that change how the text
// around them reads: C0 and C1 controls, DEL, bidi embeddings, overrides and
// isolates, line and paragraph separators, and the BOM.
func unsafe(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f: // arabic letter mark, LRM, RLM
		return true
	case r >= 0x202a && r <= 0x202e: // LRE, RLE, PDF, LRO, RLO
		return true
	case r >= 0x2066 && r <= 0x2069: // LRI, RLI, FSI, PDI
		return true
	case r == 0x2028, r == 0x2029, r == 0xfeff:
		return true
	}
	return false
}

// Line is Sanitize for one line of output: a newline is escaped too, so a
// guest can't fake a second log line.
func Line(s string, max int) string {
	return strings.ReplaceAll(Sanitize(s, max), "\n", `\n`)
}
