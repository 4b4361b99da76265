package guesttext

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSanitize(t *testing.T) {
	tests := []struct {
		name, in, want string
		max            int
	}{
		{"plain", "hello, world", "hello, world", 0},
		{"newlines and tabs stay", "a\n\tb\r\n", "a\n\tb\r\n", 0},
		{"title", "\x1b]0;pwned\x07ok", `\x1b]0;pwned\x07ok`, 0},
		{"osc 52 clipboard", "\x1b]52;c;ZWNobyBoaQ==\x07", `\x1b]52;c;ZWNobyBoaQ==\x07`, 0},
		{"overwrite line", "error\r\x1b[2K✓ all good", `error\r\x1b[2K✓ all good`, 0},
		{"c1 csi", "a\u009b31mb", `a\x9b31mb`, 0},
		{"bidi override", "file\u202etxt.exe", `file\u202etxt.exe`, 0},
		{"bidi isolate", "a\u2067b\u2069", `a\u2067b\u2069`, 0},
		{"invalid utf8", "a\xffb", `a\xffb`, 0},
		{"del", "a\x7fb", `a\x7fb`, 0},
		{"unicode kept", "héllo 世界 🎉", "héllo 世界 🎉", 0},
		{"cut", "abcdefghij", "abcd … [6 more bytes cut]", 4},
		{"cut on rune boundary", "ab世界", "ab … [6 more bytes cut]", 4},
		{"no cut at limit", "abcd", "abcd", 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Sanitize(tt.in, tt.max); got != tt.want {
				t.Errorf("Sanitize(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
			}
		})
	}
}

func TestLineEscapesNewlines(t *testing.T) {
	if got, want := Line("one\ntwo", 0), `one\ntwo`; got != want {
		t.Errorf("Line = %q, want %q", got, want)
	}
}

func FuzzSanitize(f *testing.F) {
	f.Add("\x1b]52;c;aGk=\x07", 0)
	f.Add("ab世界\r\n\u202e", 3)
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max < 0 {
			max = -max
		}
		max %= 1 << 16
		got := Sanitize(s, max)
		if !utf8.ValidString(got) {
			t.Fatalf("Sanitize(%q) = %q: not valid UTF-8", s, got)
		}
		for _, r := range got {
			if unsafe(r) && r != '\n' && r != '\t' && r != '\r' {
				t.Fatalf("Sanitize(%q) = %q: kept %U", s, got, r)
			}
		}
		if strings.Contains(got, "\r") && !strings.Contains(got, "\r\n") {
			t.Fatalf("Sanitize(%q) = %q: bare CR kept", s, got)
		}
		if max > 0 && len(s) > max && !strings.Contains(got, "more bytes cut]") {
			t.Fatalf("Sanitize(%q, %d) = %q: no note of the cut", s, max, got)
		}
	})
}
