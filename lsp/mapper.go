package lsp

import (
	"sort"
	"unicode/utf8"

	"go.lsp.dev/protocol"
)

// mapper converts between byte offsets and LSP positions (line and UTF-16
// code unit), which is what LSP requires without a negotiated encoding.
type mapper struct {
	src   []byte
	lines []int // byte offset of each line start
}

func newMapper(src []byte) *mapper {
	m := &mapper{src: src, lines: []int{0}}
	for i, c := range src {
		if c == '\n' {
			m.lines = append(m.lines, i+1)
		}
	}
	return m
}

// position converts a byte offset (clamped to the text) to an LSP position.
func (m *mapper) position(off int) protocol.Position {
	off = max(0, min(off, len(m.src)))
	line := sort.Search(len(m.lines), func(i int) bool { return m.lines[i] > off }) - 1
	col := 0
	for i := m.lines[line]; i < off; {
		r, n := utf8.DecodeRune(m.src[i:])
		if i+n > off {
			break // offset inside a rune: stop before it
		}
		col += utf16Len(r)
		i += n
	}
	return protocol.Position{Line: uint32(line), Character: uint32(col)}
}

func (m *mapper) rng(start, end int) protocol.Range {
	return protocol.Range{Start: m.position(start), End: m.position(max(start, end))}
}

// offset converts an LSP position to a byte offset; positions past the end
// of a line or of the text clamp to it, as the protocol asks.
func (m *mapper) offset(p protocol.Position) int {
	if int(p.Line) >= len(m.lines) {
		return len(m.src)
	}
	i := m.lines[p.Line]
	end := len(m.src)
	if int(p.Line)+1 < len(m.lines) {
		end = m.lines[p.Line+1] - 1 // the '\n'
	}
	col := 0
	for i < end && col < int(p.Character) {
		r, n := utf8.DecodeRune(m.src[i:])
		col += utf16Len(r)
		if col > int(p.Character) {
			break // inside a surrogate pair: stay before it
		}
		i += n
	}
	return i
}

func utf16Len(r rune) int {
	if r >= 0x10000 {
		return 2
	}
	return 1
}
