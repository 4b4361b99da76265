package syntax

import (
	"fmt"
	"unicode/utf8"
)

// Token is the kind of a lexical token. The set and the descriptions used
// in error messages follow wit-parser's lexer so diagnostics read the same.
type Token uint8

const (
	TokEOF     Token = iota
	TokIllegal       // malformed input; the scanner has already reported why
	TokWhitespace
	TokComment

	TokEquals
	TokComma
	TokColon
	TokPeriod
	TokSemicolon
	TokLParen
	TokRParen
	TokLBrace
	TokRBrace
	TokLess
	TokGreater
	TokArrow
	TokStar
	TokAt
	TokSlash
	TokPlus
	TokMinus
	TokString // a string literal
	TokIdent
	TokExplicitIdent // %name
	TokInteger

	keywordStart
	TokUse
	TokType
	TokFunc
	TokU8
	TokU16
	TokU32
	TokU64
	TokS8
	TokS16
	TokS32
	TokS64
	TokF32
	TokF64
	TokChar
	TokRecord
	TokResource
	TokOwn
	TokBorrow
	TokFlags
	TokVariant
	TokEnum
	TokBool
	TokStringKw
	TokOption
	TokResult
	TokFuture
	TokStream
	TokErrorContext
	TokList
	TokMap
	TokUnderscore
	TokAs
	TokFrom
	TokStatic
	TokInterface
	TokTuple
	TokImport
	TokExport
	TokWorld
	TokPackage
	TokConstructor
	TokAsync
	TokInclude
	TokWith
	tokenCount
)

var tokenText = [tokenCount]string{
	TokEOF: "eof", TokIllegal: "an invalid token", TokWhitespace: "whitespace", TokComment: "a comment",
	TokEquals: "'='", TokComma: "','", TokColon: "':'", TokPeriod: "'.'", TokSemicolon: "';'",
	TokLParen: "'('", TokRParen: "')'", TokLBrace: "'{'", TokRBrace: "'}'", TokLess: "'<'",
	TokGreater: "'>'", TokArrow: "`->`", TokStar: "`*`", TokAt: "`@`", TokSlash: "`/`",
	TokPlus: "`+`", TokMinus: "`-`", TokString: "a string literal", TokIdent: "an identifier",
	TokExplicitIdent: "an '%' identifier", TokInteger: "an integer",
	TokUse: "use", TokType: "type", TokFunc: "func", TokU8: "u8", TokU16: "u16", TokU32: "u32",
	TokU64: "u64", TokS8: "s8", TokS16: "s16", TokS32: "s32", TokS64: "s64", TokF32: "f32",
	TokF64: "f64", TokChar: "char", TokRecord: "record", TokResource: "resource", TokOwn: "own",
	TokBorrow: "borrow", TokFlags: "flags", TokVariant: "variant", TokEnum: "enum", TokBool: "bool",
	TokStringKw: "string", TokOption: "option", TokResult: "result", TokFuture: "future",
	TokStream: "stream", TokErrorContext: "error-context", TokList: "list", TokMap: "map",
	TokUnderscore: "_", TokAs: "as", TokFrom: "from", TokStatic: "static", TokInterface: "interface",
	TokTuple: "tuple", TokImport: "import", TokExport: "export", TokWorld: "world",
	TokPackage: "package", TokConstructor: "constructor", TokAsync: "async", TokInclude: "include",
	TokWith: "with",
}

// IsKeyword reports whether t is a keyword (including `_` and `error-context`).
func (t Token) IsKeyword() bool { return t > keywordStart && t < tokenCount }

// String returns the keyword itself for keywords and wit-parser's
// description otherwise.
func (t Token) String() string {
	if t < tokenCount && tokenText[t] != "" {
		return tokenText[t]
	}
	return fmt.Sprintf("Token(%d)", int(t))
}

// Describe is how wit-parser names the token in "expected X, found Y".
func (t Token) Describe() string {
	if t.IsKeyword() {
		return "keyword `" + tokenText[t] + "`"
	}
	return t.String()
}

func lookupKeyword(b []byte) Token {
	switch string(b) {
	case "use":
		return TokUse
	case "type":
		return TokType
	case "func":
		return TokFunc
	case "u8":
		return TokU8
	case "u16":
		return TokU16
	case "u32":
		return TokU32
	case "u64":
		return TokU64
	case "s8":
		return TokS8
	case "s16":
		return TokS16
	case "s32":
		return TokS32
	case "s64":
		return TokS64
	case "f32":
		return TokF32
	case "f64":
		return TokF64
	case "char":
		return TokChar
	case "record":
		return TokRecord
	case "resource":
		return TokResource
	case "own":
		return TokOwn
	case "borrow":
		return TokBorrow
	case "flags":
		return TokFlags
	case "variant":
		return TokVariant
	case "enum":
		return TokEnum
	case "bool":
		return TokBool
	case "string":
		return TokStringKw
	case "option":
		return TokOption
	case "result":
		return TokResult
	case "future":
		return TokFuture
	case "stream":
		return TokStream
	case "error-context":
		return TokErrorContext
	case "list":
		return TokList
	case "map":
		return TokMap
	case "_":
		return TokUnderscore
	case "as":
		return TokAs
	case "from":
		return TokFrom
	case "static":
		return TokStatic
	case "interface":
		return TokInterface
	case "tuple":
		return TokTuple
	case "import":
		return TokImport
	case "export":
		return TokExport
	case "world":
		return TokWorld
	case "package":
		return TokPackage
	case "constructor":
		return TokConstructor
	case "async":
		return TokAsync
	case "include":
		return TokInclude
	case "with":
		return TokWith
	}
	return TokIdent
}

// Mode controls what the Scanner returns.
type Mode uint

// ScanTrivia makes Next return whitespace and comment tokens too (for
// highlighting and formatting); without it they are skipped.
const ScanTrivia Mode = 1 << iota

// ErrorHandler receives each lexical error.
type ErrorHandler func(span Span, msg string)

// Scanner splits a WIT file into tokens. Errors go to the handler and
// scanning continues: a malformed token comes back as TokIllegal.
type Scanner struct {
	file *File
	src  []byte
	off  int
	mode Mode
	errh ErrorHandler
	// badEOF is set when an unterminated comment or string ran into the
	// end of the file, which has been reported already.
	badEOF bool
}

// NewScanner returns a scanner over file's source. Characters wit-parser
// rejects anywhere in a file (bidirectional overrides, control codes,
// deprecated code points, invalid UTF-8) are reported immediately, before
// any token, as wit-parser checks them before lexing.
func NewScanner(file *File, mode Mode, errh ErrorHandler) *Scanner {
	s := &Scanner{file: file, src: file.Source(), mode: mode, errh: errh}
	s.checkInput()
	if len(s.src) >= 3 && s.src[0] == 0xEF && s.src[1] == 0xBB && s.src[2] == 0xBF {
		s.off = 3
	}
	return s
}

func (s *Scanner) span(start, end int) Span {
	return Span{s.file.Pos(start), s.file.Pos(end)}
}

func (s *Scanner) error(start, end int, format string, args ...any) {
	start, end = min(start, len(s.src)), min(end, len(s.src))
	if s.errh != nil {
		s.errh(s.span(start, end), fmt.Sprintf(format, args...))
	}
}

// Next returns the next token and its span; at the end it returns TokEOF
// with an empty span at the end of the file.
func (s *Scanner) Next() (Token, Span) {
	for {
		tok, start, end := s.scan()
		if s.mode&ScanTrivia == 0 && (tok == TokWhitespace || tok == TokComment) {
			continue
		}
		return tok, s.span(start, end)
	}
}

// BadEOF reports whether the file ended inside a comment or string literal
// (already reported as an error).
func (s *Scanner) BadEOF() bool { return s.badEOF }

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' }

// scan returns the next raw token as byte offsets.
func (s *Scanner) scan() (Token, int, int) {
	src := s.src
	start := s.off
	if start >= len(src) {
		return TokEOF, len(src), len(src)
	}
	c := src[start]
	i := start + 1
	var tok Token
	switch {
	case isSpace(c) || c == '\r' && i < len(src) && src[i] == '\n':
		for i < len(src) {
			if isSpace(src[i]) {
				i++
			} else if src[i] == '\r' && i+1 < len(src) && src[i+1] == '\n' {
				i += 2
			} else {
				break
			}
		}
		tok = TokWhitespace
	case c == '/':
		tok = TokSlash
		if i < len(src) && src[i] == '/' {
			// The comment stops before its line break, which is left to
			// the whitespace token, so comment text never ends in "\n".
			for i < len(src) && src[i] != '\n' {
				i++
			}
			if i > start && src[i-1] == '\r' && i < len(src) {
				i--
			}
			tok = TokComment
		} else if i < len(src) && src[i] == '*' {
			i = s.blockComment(start)
			tok = TokComment
		}
	case c == '-':
		tok = TokMinus
		if i < len(src) && src[i] == '>' {
			i++
			tok = TokArrow
		}
	case c == '%':
		tok = TokExplicitIdent
		if r, n := decodeRune(src, i); isKeylikeStart(r) {
			i = s.keylikeEnd(i + n)
		}
	case c == '"':
		i = s.stringLit(start)
		tok = TokString
		if i < 0 {
			i = -i
			tok = TokIllegal
		}
	case c >= '0' && c <= '9':
		for i < len(src) && src[i] >= '0' && src[i] <= '9' {
			i++
		}
		tok = TokInteger
	case c < utf8.RuneSelf && punct[c] != 0:
		tok = punct[c]
	default:
		r, n := decodeRune(src, start)
		i = start + n
		switch {
		case isKeylikeStart(r):
			i = s.keylikeEnd(i)
			tok = lookupKeyword(src[start:i])
		case r == utf8.RuneError && n <= 1, isControl(r), forbiddenMessage(r) != "":
			tok = TokIllegal // reported by checkInput
		default:
			s.error(start, i, "unexpected character %s", quoteRune(r))
			tok = TokIllegal
		}
	}
	s.off = i
	return tok, start, i
}

var punct = [utf8.RuneSelf]Token{
	'=': TokEquals, ',': TokComma, ':': TokColon, '.': TokPeriod, ';': TokSemicolon,
	'(': TokLParen, ')': TokRParen, '{': TokLBrace, '}': TokRBrace, '<': TokLess,
	'>': TokGreater, '*': TokStar, '@': TokAt, '+': TokPlus,
}

func decodeRune(src []byte, i int) (rune, int) {
	if i >= len(src) {
		return -1, 0
	}
	if c := src[i]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRune(src[i:])
}

func (s *Scanner) keylikeEnd(i int) int {
	src := s.src
	for i < len(src) {
		c := src[i]
		if c < utf8.RuneSelf {
			if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' {
				i++
				continue
			}
			break
		}
		r, n := utf8.DecodeRune(src[i:])
		if !isXIDContinue(r) {
			break
		}
		i += n
	}
	return i
}

// blockComment scans a (nested) block comment starting at start and
// returns its end.
func (s *Scanner) blockComment(start int) int {
	src := s.src
	depth := 1
	i := start + 2
	for i < len(src) {
		switch {
		case src[i] == '/' && i+1 < len(src) && src[i+1] == '*':
			depth++
			i += 2
		case src[i] == '*' && i+1 < len(src) && src[i+1] == '/':
			depth--
			i += 2
			if depth == 0 {
				return i
			}
		default:
			i++
		}
	}
	s.error(start, start+2, "unterminated block comment")
	s.badEOF = true
	return len(src)
}

// stringLit scans a string literal starting at the quote at start. It
// returns the end offset, negated if the literal was malformed.
func (s *Scanner) stringLit(start int) int {
	_, end, errAt, msg := decodeString(s.src, start)
	if msg == "" {
		return end
	}
	s.error(errAt, errAt+1, "%s", msg)
	if end >= len(s.src) {
		s.badEOF = true
	}
	return -end
}

// checkInput reports the code points wit-parser refuses anywhere in a file.
func (s *Scanner) checkInput() {
	src := s.src
	// Past MaxErrors+1 finds (the last tells the receiver it was cut
	// short) the rest of a binary file is not worth formatting errors for.
	n := 0
	for i := 0; i < len(src) && n <= MaxErrors; {
		c := src[i]
		if c < utf8.RuneSelf {
			if isControl(rune(c)) {
				s.error(i, i+1, "Control code '%s'", escapeUnicode(rune(c)))
				n++
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(src[i:])
		if r == utf8.RuneError && size <= 1 {
			s.error(i, i+1, "invalid UTF-8 encoding")
			n++
		} else if msg := forbiddenMessage(r); msg != "" {
			s.error(i, i+size, "%s", msg)
			n++
		}
		i += size
	}
}

// isControl reports an ASCII control code other than the three line and
// tab characters WIT allows.
func isControl(r rune) bool {
	return r < 0x20 && r != '\n' && r != '\r' && r != '\t' || r == 0x7f
}

// forbiddenMessage returns the error for a non-ASCII code point wit-parser
// rejects, or "". wit-parser prints the Debug form of Rust's EscapeUnicode,
// whose text depends on the Rust version; we print the escape itself.
func forbiddenMessage(r rune) string {
	switch r {
	case 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069:
		return fmt.Sprintf("Input contains bidirectional override codepoint '%s'", escapeUnicode(r))
	case 0x149, 0x673, 0xf77, 0xf79, 0x17a3, 0x17a4, 0x17b4, 0x17b5:
		return fmt.Sprintf("Codepoint '%s' is discouraged by Unicode", escapeUnicode(r))
	}
	if r >= 0x80 && r <= 0x9f {
		return fmt.Sprintf("Control code '%s'", escapeUnicode(r))
	}
	return ""
}

// ValidateID checks that s is a valid kebab-case WIT identifier: parts
// separated by single '-', each all lowercase or all uppercase ASCII
// letters and digits, the first part starting with a letter.
func ValidateID(s string) error {
	if msg := validateID(s); msg != "" {
		return fmt.Errorf("%s", msg)
	}
	return nil
}

// validateID returns wit-parser's message for an invalid identifier, or "".
func validateID(s string) string {
	const empty = "identifiers must have characters between '-'s"
	if s == "" {
		return empty
	}
	first := true
	for part := range splitDash(s) {
		if part == "" {
			return empty
		}
		r, _ := utf8.DecodeRuneInString(part)
		if first && !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return "invalid character in identifier " + quoteRune(r)
		}
		first = false
		upper, lower := false, false
		for _, r := range part {
			switch {
			case r >= '0' && r <= '9':
			case r >= 'A' && r <= 'Z' && !lower:
				upper = true
			case r >= 'a' && r <= 'z' && !upper:
				lower = true
			default:
				return "invalid character in identifier " + quoteRune(r)
			}
		}
	}
	return ""
}

func splitDash(s string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for {
			i := 0
			for i < len(s) && s[i] != '-' {
				i++
			}
			if !yield(s[:i]) || i == len(s) {
				return
			}
			s = s[i+1:]
		}
	}
}
