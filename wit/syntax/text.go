package syntax

import (
	"bytes"
	"fmt"
	"unicode/utf8"
)

// CheckText refuses input that is not WIT text: invalid UTF-8 or a NUL
// byte (binary files such as .wasm have both). It is linear and cheap, so
// callers run it before parsing; the error gives the first bad byte's
// position.
func CheckText(filename string, src []byte) error {
	if i, why := TextProblem(src); i >= 0 {
		return fmt.Errorf("%s: %s", textPos(filename, src, i), why)
	}
	return nil
}

// TextProblem returns the offset of the first byte that makes src not WIT
// text and why, or -1 and "" when it is text.
func TextProblem(src []byte) (int, string) {
	if i := bytes.IndexByte(src, 0); i >= 0 {
		return i, "binary data (a NUL byte), not WIT text"
	}
	if utf8.Valid(src) {
		return -1, ""
	}
	i := 0
	for i < len(src) {
		r, n := utf8.DecodeRune(src[i:])
		if r == utf8.RuneError && n <= 1 {
			break
		}
		i += n
	}
	return i, "not valid UTF-8, not WIT text (save it as UTF-8)"
}

// textPos is "file:line:col" of byte offset i, columns in bytes.
func textPos(filename string, src []byte, i int) string {
	line := 1 + bytes.Count(src[:i], []byte{'\n'})
	col := i - (bytes.LastIndexByte(src[:i], '\n') + 1) + 1
	return fmt.Sprintf("%s:%d:%d", filename, line, col)
}
