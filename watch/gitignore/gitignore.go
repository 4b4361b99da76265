// Package gitignore matches slash-separated paths against .gitignore
// patterns, so the dev loop skips what git skips. It implements the
// pattern syntax of gitignore(5): comments, negation with "!", directory-only
// patterns ending in "/", patterns anchored by a slash, "**" for any number of
// directories, "*", "?", character classes and backslash escapes. Files
// further down the tree take precedence, as in git.
//
// Not implemented: core.ignoreCase, $GIT_DIR/info/exclude and the global
// excludes file; callers add those patterns themselves if they want them.
package gitignore

import (
	"path"
	"strings"
)

// Pattern is one line of a .gitignore file.
type Pattern struct {
	segs     []string // the pattern split at "/"; "**" is a segment of its own
	negate   bool     // "!pattern": re-include
	dirOnly  bool     // "pattern/": directories only
	anchored bool     // contains a slash before its end: relative to the file's directory
}

// ParsePattern reads one line; ok is false for blank lines and comments.
func ParsePattern(line string) (p Pattern, ok bool) {
	line = strings.TrimSuffix(line, "\r")
	line = trimTrailingSpaces(line)
	if line == "" || line[0] == '#' {
		return Pattern{}, false
	}
	if line[0] == '!' {
		p.negate = true
		line = line[1:]
	} else if strings.HasPrefix(line, `\!`) || strings.HasPrefix(line, `\#`) {
		line = line[1:]
	}
	if strings.HasSuffix(line, "/") && !strings.HasSuffix(line, `\/`) {
		p.dirOnly = true
		line = strings.TrimRight(line, "/")
	}
	if line == "" {
		return Pattern{}, false
	}
	if strings.Contains(line, "/") {
		p.anchored = true
		line = strings.TrimLeft(line, "/")
		if line == "" {
			return Pattern{}, false
		}
	}
	for _, s := range strings.Split(line, "/") {
		if s == "" {
			continue // "a//b" means "a/b"
		}
		// Consecutive "**" segments mean the same as one.
		if s == "**" && len(p.segs) > 0 && p.segs[len(p.segs)-1] == "**" {
			continue
		}
		p.segs = append(p.segs, s)
	}
	if len(p.segs) == 0 {
		return Pattern{}, false
	}
	return p, true
}

// trimTrailingSpaces drops unescaped trailing spaces, as git does.
func trimTrailingSpaces(s string) string {
	for strings.HasSuffix(s, " ") {
		t := s[:len(s)-1]
		// An odd number of backslashes before the space escapes it.
		n := 0
		for n < len(t) && t[len(t)-1-n] == '\\' {
			n++
		}
		if n%2 == 1 {
			return s
		}
		s = t
	}
	return s
}

// Negated reports whether the pattern re-includes what it matches.
func (p Pattern) Negated() bool { return p.negate }

// Match reports whether rel (slash-separated, relative to the directory of
// the .gitignore holding the pattern) matches. It looks at rel alone, not
// at its parent directories: see Matcher.Ignored for that.
func (p Pattern) Match(rel string, isDir bool) bool {
	if p.dirOnly && !isDir {
		return false
	}
	if !p.anchored {
		// A pattern without a slash matches the name at any depth.
		return matchSegment(p.segs[0], path.Base(rel))
	}
	return matchSegments(p.segs, strings.Split(rel, "/"))
}

// matchSegments matches pattern segments against path segments; "**"
// stands for zero or more segments, except at the end where it needs at
// least one ("dir/**" is what is inside dir, not dir itself). Dynamic
// programming keeps the time at len(pat)*len(name) segment matches.
func matchSegments(pat, name []string) bool {
	// ok[j]: pat[i:] matches name[j:]; computed from the last i backwards.
	ok := make([]bool, len(name)+1)
	next := make([]bool, len(name)+1)
	ok[len(name)] = true
	for i := len(pat) - 1; i >= 0; i-- {
		for j := len(name); j >= 0; j-- {
			switch {
			case pat[i] == "**" && i == len(pat)-1:
				next[j] = j < len(name)
			case pat[i] == "**":
				// Zero segments (ok[j]) or one more (next[j+1]).
				next[j] = ok[j] || (j < len(name) && next[j+1])
			default:
				next[j] = j < len(name) && ok[j+1] && matchSegment(pat[i], name[j])
			}
		}
		ok, next = next, ok
	}
	return ok[0]
}

// matchSegment matches one path segment against a glob without "/": "*"
// (any run), "?" (one byte), "[...]" classes with ranges and "!" or "^"
// negation, and backslash escapes. Like git's wildmatch it works on bytes,
// not runes, and an unclosed class matches nothing. A "*" only ever
// backtracks to the last star, so the time is O(len(pat)*len(name)).
func matchSegment(pat, name string) bool {
	px, nx := 0, 0
	starP, starN := -1, -1
	for px < len(pat) || nx < len(name) {
		if px < len(pat) {
			switch c := pat[px]; c {
			case '*':
				for px < len(pat) && pat[px] == '*' {
					px++
				}
				starP, starN = px, nx
				continue
			case '?':
				if nx < len(name) {
					px++
					nx++
					continue
				}
			case '[':
				if nx < len(name) {
					matched, width, valid := matchClass(pat[px:], name[nx])
					if !valid {
						return false // git gives up on an unclosed class
					}
					if matched {
						px += width
						nx++
						continue
					}
				}
			case '\\':
				if px+1 < len(pat) && nx < len(name) && pat[px+1] == name[nx] {
					px += 2
					nx++
					continue
				}
				if px+1 == len(pat) && nx < len(name) && name[nx] == '\\' {
					px++
					nx++
					continue
				}
			default:
				if nx < len(name) && name[nx] == c {
					px++
					nx++
					continue
				}
			}
		}
		if starP >= 0 && starN < len(name) {
			starN++
			px, nx = starP, starN
			continue
		}
		return false
	}
	return true
}

// matchClass matches c against the class at the start of pat ("[...]").
// width is the class's length in pat; valid is false when it is unclosed.
func matchClass(pat string, c byte) (matched bool, width int, valid bool) {
	i := 1
	negate := false
	if i < len(pat) && (pat[i] == '!' || pat[i] == '^') {
		negate = true
		i++
	}
	first := true
	for i < len(pat) {
		if pat[i] == ']' && !first {
			return matched != negate, i + 1, true
		}
		first = false
		lo, size := classChar(pat[i:])
		if size == 0 {
			return false, 0, false
		}
		i += size
		hi := lo
		if i+1 < len(pat) && pat[i] == '-' && pat[i+1] != ']' {
			var size2 int
			hi, size2 = classChar(pat[i+1:])
			if size2 == 0 {
				return false, 0, false
			}
			i += 1 + size2
		}
		if lo <= c && c <= hi {
			matched = true
		}
	}
	return false, 0, false
}

// classChar reads one (possibly escaped) byte of a class.
func classChar(s string) (byte, int) {
	if s[0] == '\\' {
		if len(s) < 2 {
			return 0, 0
		}
		return s[1], 2
	}
	return s[0], 1
}
