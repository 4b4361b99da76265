package syntax

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// decodeString decodes the string literal whose opening quote is at
// src[start], with the escapes of core wasm name literals. It returns the
// value, the offset just past the literal and, if it is malformed,
// wit-parser's message for the first problem and where it is (end is then
// where scanning resumed: past the closing quote, at the line break, or
// at the end of the file).
func decodeString(src []byte, start int) (val string, end, errAt int, msg string) {
	var buf []byte // nil until an escape forces a copy
	i := start + 1
	fail := func(at int, format string, args ...any) (string, int, int, string) {
		return "", skipString(src, i), at, fmt.Sprintf(format, args...)
	}
	for {
		pos := i
		c, n := readChar(src, i)
		if n == 0 {
			return fail(len(src), "unexpected end of file")
		}
		i += n
		switch {
		case c == '"':
			if buf == nil {
				return string(src[start+1 : pos]), i, 0, ""
			}
			if !utf8.Valid(buf) {
				return "", i, start, "invalid UTF-8: " + utf8ErrorText(buf)
			}
			return string(buf), i, 0, ""
		case c == '\\':
			if buf == nil {
				buf = append([]byte(nil), src[start+1:pos]...)
			}
			epos := i
			e, n := readChar(src, i)
			if n == 0 {
				return fail(len(src), "unexpected end of file")
			}
			i += n
			switch {
			case e == '"', e == '\'', e == '\\':
				buf = append(buf, byte(e))
			case e == 't':
				buf = append(buf, '\t')
			case e == 'n':
				buf = append(buf, '\n')
			case e == 'r':
				buf = append(buf, '\r')
			case e == 'u':
				b, n := readChar(src, i)
				if n == 0 {
					return fail(len(src), "unexpected end of file")
				}
				if b != '{' {
					return fail(i, "expected character '{'")
				}
				i += n
				v, next, at, m := hexNum(src, i)
				if m != "" {
					i = next
					return fail(at, "%s", m)
				}
				i = next
				if v > unicode.MaxRune || v >= 0xd800 && v <= 0xdfff {
					return fail(epos, "invalid unicode value %#x", v)
				}
				buf = utf8.AppendRune(buf, rune(v))
				b, n = readChar(src, i)
				if n == 0 {
					return fail(len(src), "unexpected end of file")
				}
				if b != '}' {
					return fail(i, "expected character '}'")
				}
				i += n
			case isHex(e):
				d, n := readChar(src, i)
				if n == 0 {
					return fail(len(src), "unexpected end of file")
				}
				if !isHex(d) {
					return fail(i, "invalid hex digit %s", quoteRune(d))
				}
				i += n
				buf = append(buf, hexVal(e)<<4|hexVal(d))
			default:
				return fail(epos, "invalid string escape %s", quoteRune(e))
			}
		case c < 0x20 || c == 0x7f:
			i = pos
			return fail(pos, "invalid string character %s", quoteRune(c))
		default:
			if buf != nil {
				buf = append(buf, src[pos:i]...)
			}
		}
	}
}

// readChar reads one character at i, folding "\r\n" into '\n' as
// wit-parser does. n is 0 at the end of src.
func readChar(src []byte, i int) (rune, int) {
	if i >= len(src) {
		return 0, 0
	}
	c := src[i]
	if c == '\r' && i+1 < len(src) && src[i+1] == '\n' {
		return '\n', 2
	}
	if c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRune(src[i:])
}

// hexNum reads the digits of a `\u{...}` escape (underscores allowed
// between digits) and returns the value and the offset after them.
func hexNum(src []byte, i int) (v uint32, next, errAt int, msg string) {
	first := i
	c, n := readChar(src, i)
	if n == 0 {
		return 0, i, len(src), "unexpected end of file"
	}
	if !isHex(c) {
		return 0, i, i, "invalid hex digit " + quoteRune(c)
	}
	v = uint32(hexVal(c))
	i += n
	lastUnderscore := false
	for {
		c, n := readChar(src, i)
		if n == 0 {
			return 0, i, len(src), "unexpected end of file"
		}
		if c == '_' {
			lastUnderscore = true
			i++
			continue
		}
		if !isHex(c) {
			break
		}
		lastUnderscore = false
		if v > (1<<32-1)>>4 {
			return 0, i, i, "number is too big to fit in a u32"
		}
		v = v<<4 | uint32(hexVal(c))
		i++
	}
	if lastUnderscore {
		return 0, i, first, "trailing underscore in number"
	}
	return v, i, 0, ""
}

func isHex(c rune) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func hexVal(c rune) byte {
	switch {
	case c >= 'a':
		return byte(c-'a') + 10
	case c >= 'A':
		return byte(c-'A') + 10
	}
	return byte(c - '0')
}

// skipString finds where to resume after a malformed string literal:
// past the closing quote, or at the line break or end of file.
func skipString(src []byte, i int) int {
	for i < len(src) {
		switch src[i] {
		case '"':
			return i + 1
		case '\n', '\r':
			return i
		case '\\':
			i++
		}
		i++
	}
	return len(src)
}

// utf8ErrorText renders Rust's Utf8Error for an invalid byte string.
func utf8ErrorText(b []byte) string {
	i := 0
	for i < len(b) {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			break
		}
		i += n
	}
	rest := b[i:]
	need := 0
	switch c := rest[0]; {
	case c >= 0xc2 && c <= 0xdf:
		need = 2
	case c >= 0xe0 && c <= 0xef:
		need = 3
	case c >= 0xf0 && c <= 0xf4:
		need = 4
	default:
		return fmt.Sprintf("invalid utf-8 sequence of 1 bytes from index %d", i)
	}
	k := 1
	for ; k < need && k < len(rest); k++ {
		lo, hi := byte(0x80), byte(0xbf)
		if k == 1 {
			switch rest[0] {
			case 0xe0:
				lo = 0xa0
			case 0xed:
				hi = 0x9f
			case 0xf0:
				lo = 0x90
			case 0xf4:
				hi = 0x8f
			}
		}
		if rest[k] < lo || rest[k] > hi {
			return fmt.Sprintf("invalid utf-8 sequence of %d bytes from index %d", k, i)
		}
	}
	return fmt.Sprintf("incomplete utf-8 byte sequence from index %d", i)
}

// escapeUnicode renders r like Rust's char::escape_unicode: \u{hex}.
func escapeUnicode(r rune) string { return fmt.Sprintf(`\u{%x}`, r) }

// quoteRune renders r like Rust's Debug for char, which wit-parser's
// messages use.
func quoteRune(r rune) string {
	switch r {
	case 0:
		return `'\0'`
	case '\t':
		return `'\t'`
	case '\r':
		return `'\r'`
	case '\n':
		return `'\n'`
	case '\\':
		return `'\\'`
	case '\'':
		return `'\''`
	}
	if r < 0 || !unicode.IsGraphic(r) || unicode.In(r, unicode.Mn, unicode.Me, unicode.Other_Grapheme_Extend) {
		if r < 0 {
			r = utf8.RuneError
		}
		return "'" + escapeUnicode(r) + "'"
	}
	var b strings.Builder
	b.WriteByte('\'')
	b.WriteRune(r)
	b.WriteByte('\'')
	return b.String()
}

// isKeylikeStart and isXIDContinue decide where identifier-like tokens
// start and end (XID_Start, '_' or '-', then XID_Continue or '-'), as in
// wit-parser; what is not a valid id is diagnosed after lexing.
func isKeylikeStart(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_' || r == '-'
	}
	return isXIDStart(r)
}

func isXIDStart(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
	}
	if !(unicode.IsLetter(r) || unicode.Is(unicode.Nl, r) || unicode.Is(unicode.Other_ID_Start, r)) {
		return false
	}
	return !unicode.Is(unicode.Pattern_Syntax, r) && !unicode.Is(unicode.Pattern_White_Space, r) && !notXIDStart(r)
}

func isXIDContinue(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_'
	}
	if !(unicode.IsLetter(r) || unicode.In(r, unicode.Nl, unicode.Mn, unicode.Mc, unicode.Nd, unicode.Pc, unicode.Other_ID_Start, unicode.Other_ID_Continue)) {
		return false
	}
	return !unicode.Is(unicode.Pattern_Syntax, r) && !unicode.Is(unicode.Pattern_White_Space, r) && !notXIDContinue(r)
}

// The few ID_Start/ID_Continue code points that XID excludes because
// NFKC normalization would change their identifier status.
func notXIDContinue(r rune) bool {
	switch {
	case r == 0x37a, r == 0x309b, r == 0x309c, r == 0xfdfa, r == 0xfdfb:
		return true
	case r >= 0xfc5e && r <= 0xfc63:
		return true
	case r >= 0xfe70 && r <= 0xfe7e && r%2 == 0:
		return true
	}
	return false
}

func notXIDStart(r rune) bool {
	return notXIDContinue(r) || r == 0xe33 || r == 0xeb3 || r == 0xff9e || r == 0xff9f
}
