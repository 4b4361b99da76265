package syntax

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

type scanned struct {
	toks []Token
	errs []string // "offset: message"
}

func scanAll(src string, mode Mode) scanned {
	fset := NewFileSet()
	f := fset.AddFile("x.wit", []byte(src))
	var out scanned
	s := NewScanner(f, mode, func(span Span, msg string) {
		out.errs = append(out.errs, fmt.Sprintf("%d: %s", f.Offset(span.Start), msg))
	})
	for {
		tok, _ := s.Next()
		if tok == TokEOF {
			return out
		}
		out.toks = append(out.toks, tok)
	}
}

func TestScannerTokens(t *testing.T) {
	tests := []struct {
		src  string
		want []Token
	}{
		{"", nil},
		{"_", []Token{TokUnderscore}},
		{"apple", []Token{TokIdent}},
		{"apple--pear", []Token{TokIdent}},
		{"apple pear", []Token{TokIdent, TokIdent}},
		{"_a_p_p_l_e_", []Token{TokIdent}},
		{"garçon-hühnervögel-москва-東京", []Token{TokIdent}},
		{"%a", []Token{TokExplicitIdent}},
		{"%bool", []Token{TokExplicitIdent}},
		{"%", []Token{TokExplicitIdent}},
		{"error-context", []Token{TokErrorContext}},
		{"a: func()", []Token{TokIdent, TokColon, TokFunc, TokLParen, TokRParen}},
		{"own<some-id>", []Token{TokOwn, TokLess, TokIdent, TokGreater}},
		{"-> - + * / @ = , . ;", []Token{TokArrow, TokMinus, TokPlus, TokStar, TokSlash, TokAt, TokEquals, TokComma, TokPeriod, TokSemicolon}},
		{"1.20.3-rc.1+b5", []Token{TokInteger, TokPeriod, TokInteger, TokPeriod, TokInteger, TokMinus, TokIdent, TokPeriod, TokInteger, TokPlus, TokIdent}},
		{"0a", []Token{TokInteger, TokIdent}},
		{`"a\"b"`, []Token{TokString}},
		{"\ufeffworld", []Token{TokWorld}},
		{"a // c\n/* x /* y */ z */ b", []Token{TokIdent, TokIdent}},
		{"a\r\nb", []Token{TokIdent, TokIdent}},
	}
	for _, tt := range tests {
		got := scanAll(tt.src, 0)
		if len(got.errs) > 0 || !slices.Equal(got.toks, tt.want) {
			t.Errorf("scan(%q) = %v, errors %q; want %v", tt.src, got.toks, got.errs, tt.want)
		}
	}
}

func TestScannerTrivia(t *testing.T) {
	got := scanAll("a // c\r\n/* x */b", ScanTrivia)
	want := []Token{TokIdent, TokWhitespace, TokComment, TokWhitespace, TokComment, TokIdent}
	if !slices.Equal(got.toks, want) {
		t.Errorf("got %v, want %v", got.toks, want)
	}
	// Comment texts exclude the line break.
	fset := NewFileSet()
	f, _ := ParseFile(fset, "x.wit", []byte("// one\r\n/* two */\n// three"))
	var texts []string
	for _, c := range f.Comments {
		texts = append(texts, c.Text)
	}
	if want := []string{"// one", "/* two */", "// three"}; !slices.Equal(texts, want) {
		t.Errorf("comments %q, want %q", texts, want)
	}
}

func TestScannerErrors(t *testing.T) {
	tests := []struct {
		src  string
		want string // first error
	}{
		{"a $", "2: unexpected character '$'"},
		{"a \r b", "2: unexpected character '\\r'"},
		{"/* /* */", "0: unterminated block comment"},
		{"x\u202ey", "1: Input contains bidirectional override codepoint '\\u{202e}'"},
		{"x \u0149", "2: Codepoint '\\u{149}' is discouraged by Unicode"},
		{"x \x0b", "2: Control code '\\u{b}'"},
		{"x \u0085", "2: Control code '\\u{85}'"},
		{"x \xff", "2: invalid UTF-8 encoding"},
		// String literals, as wit-parser's lexer tests them.
		{`"\h"`, "2: invalid string escape 'h'"},
		{`"\0_1"`, "3: invalid hex digit '_'"},
		{`"\0g"`, "3: invalid hex digit 'g'"},
		{`"\ff"`, "0: invalid UTF-8: invalid utf-8 sequence of 1 bytes from index 0"},
		{`"\u0000"`, "3: expected character '{'"},
		{`"\u{0h"`, "5: expected character '}'"},
		{`"\u{1_}"`, "4: trailing underscore in number"},
		{`"\u{fffffffffffffffffffff}"`, "12: number is too big to fit in a u32"},
		{`"\u{ffff_ffff}"`, "2: invalid unicode value 0xffffffff"},
		{"\"\t\"", "1: invalid string character '\\t'"},
		{`"abc`, "4: unexpected end of file"},
	}
	for _, tt := range tests {
		got := scanAll(tt.src, 0)
		if len(got.errs) == 0 || got.errs[0] != tt.want {
			t.Errorf("scan(%q) errors %q; want first %q", tt.src, got.errs, tt.want)
		}
	}
}

func TestStringValues(t *testing.T) {
	tests := []struct{ src, want string }{
		{`""`, ""},
		{`"a b c"`, "a b c"},
		{`"\"\t\n\r\\\'"`, "\"\t\n\r\\'"},
		{`"\00\01\0f\7f"`, "\x00\x01\x0f\x7f"},
		{`"\u{0}\u{1_2_3_f}"`, "\x00\u123f"},
		{`"é"`, "é"},
	}
	for _, tt := range tests {
		got, end, _, msg := decodeString([]byte(tt.src), 0)
		if msg != "" || got != tt.want || end != len(tt.src) {
			t.Errorf("decodeString(%s) = %q, %d, %q; want %q", tt.src, got, end, msg, tt.want)
		}
	}
}

func TestValidateID(t *testing.T) {
	valid := []string{"apple", "apple-pear", "a0", "a", "a-a", "bool", "APPLE", "APPLE-PEAR",
		"apple-PEAR-grape", "APPLE-pear-GRAPE", "ENOENT", "is-XML", "apple-0", "a0-000-3d4a-54FF"}
	for _, id := range valid {
		if err := ValidateID(id); err != nil {
			t.Errorf("ValidateID(%q) = %v", id, err)
		}
	}
	invalid := map[string]string{
		"":                 "identifiers must have characters between '-'s",
		"a-":               "identifiers must have characters between '-'s",
		"apple--pear":      "identifiers must have characters between '-'s",
		"0":                "invalid character in identifier '0'",
		"Apple":            "invalid character in identifier 'p'",
		"applE":            "invalid character in identifier 'E'",
		"apple_pear":       "invalid character in identifier '_'",
		"garçon":           "invalid character in identifier 'ç'",
		"a0-000-3d4A-54Ff": "invalid character in identifier 'A'",
		"apple\u200cpear":  "invalid character in identifier '\\u{200c}'",
	}
	for id, want := range invalid {
		if err := ValidateID(id); err == nil || err.Error() != want {
			t.Errorf("ValidateID(%q) = %v; want %q", id, err, want)
		}
	}
	for _, id := range []string{"-a", "_", "%", "😼", "\u212b", "Москва", "a a", "apple.pear"} {
		if ValidateID(id) == nil {
			t.Errorf("ValidateID(%q) succeeded", id)
		}
	}
}

func TestTokenDescribe(t *testing.T) {
	for tok := TokEquals; tok < tokenCount; tok++ {
		if tok == keywordStart {
			continue
		}
		d := tok.Describe()
		if d == "" || tok.IsKeyword() != strings.HasPrefix(d, "keyword `") {
			t.Errorf("Token(%d).Describe() = %q", tok, d)
		}
	}
	if got := TokErrorContext.Describe(); got != "keyword `error-context`" {
		t.Errorf("got %q", got)
	}
}
