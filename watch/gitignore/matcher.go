package gitignore

import "strings"

// Rules are the patterns of one .gitignore file (or of a caller's list).
type Rules struct {
	base     string // directory of the file, slash-separated, relative to the root; "" for the root
	patterns []Pattern
}

// Parse reads the contents of the .gitignore in directory base
// (slash-separated, relative to the matcher's root; "" for the root).
func Parse(base string, data []byte) *Rules {
	return New(base, strings.Split(string(data), "\n"))
}

// New makes rules from pattern lines, as if they were a .gitignore in base.
func New(base string, lines []string) *Rules {
	r := &Rules{base: strings.Trim(base, "/")}
	for _, l := range lines {
		if p, ok := ParsePattern(l); ok {
			r.patterns = append(r.patterns, p)
		}
	}
	return r
}

// Len is the number of patterns.
func (r *Rules) Len() int { return len(r.patterns) }

// Base is the directory the rules apply to.
func (r *Rules) Base() string { return r.base }

// match reports the verdict of the last pattern matching rel (relative to
// the root): decided is false when no pattern matches.
func (r *Rules) match(rel string, isDir bool) (ignored, decided bool) {
	sub := rel
	if r.base != "" {
		if !strings.HasPrefix(rel, r.base+"/") {
			return false, false
		}
		sub = rel[len(r.base)+1:]
	}
	for i := len(r.patterns) - 1; i >= 0; i-- {
		if p := r.patterns[i]; p.Match(sub, isDir) {
			return !p.negate, true
		}
	}
	return false, false
}

// Matches reports whether rel itself is matched (last match wins, "!"
// re-includes), without looking at its parent directories.
func (r *Rules) Matches(rel string, isDir bool) bool {
	ignored, _ := r.match(rel, isDir)
	return ignored
}

// Matcher combines the .gitignore files of a tree.
type Matcher struct {
	rules []*Rules // shallower bases first
}

// Set installs (or with nil or empty rules, removes) the rules of one
// directory.
func (m *Matcher) Set(r *Rules) {
	if r == nil {
		return
	}
	m.Remove(r.base)
	if r.Len() == 0 {
		return
	}
	depth := strings.Count(r.base, "/")
	if r.base == "" {
		depth = -1
	}
	i := 0
	for i < len(m.rules) && ruleDepth(m.rules[i]) <= depth {
		i++
	}
	m.rules = append(m.rules, nil)
	copy(m.rules[i+1:], m.rules[i:])
	m.rules[i] = r
}

func ruleDepth(r *Rules) int {
	if r.base == "" {
		return -1
	}
	return strings.Count(r.base, "/")
}

// Remove drops the rules of directory base.
func (m *Matcher) Remove(base string) {
	base = strings.Trim(base, "/")
	for i, r := range m.rules {
		if r.base == base {
			m.rules = append(m.rules[:i], m.rules[i+1:]...)
			return
		}
	}
}

// RemoveUnder drops the rules of dir and of every directory below it.
func (m *Matcher) RemoveUnder(dir string) {
	dir = strings.Trim(dir, "/")
	kept := m.rules[:0]
	for _, r := range m.rules {
		if r.base == dir || dir == "" || strings.HasPrefix(r.base, dir+"/") {
			continue
		}
		kept = append(kept, r)
	}
	clear(m.rules[len(kept):])
	m.rules = kept
}

// Match gives the verdict for rel alone: the last matching pattern of the
// deepest file that has one wins.
func (m *Matcher) Match(rel string, isDir bool) bool {
	for i := len(m.rules) - 1; i >= 0; i-- {
		if ignored, decided := m.rules[i].match(rel, isDir); decided {
			return ignored
		}
	}
	return false
}

// Ignored reports whether rel (slash-separated, relative to the root) is
// ignored: itself, or because a directory above it is. As in git, a file
// inside an ignored directory cannot be re-included.
func (m *Matcher) Ignored(rel string, isDir bool) bool {
	rel = strings.Trim(rel, "/")
	if rel == "" {
		return false
	}
	for i := 0; i < len(rel); i++ {
		if rel[i] == '/' && m.Match(rel[:i], true) {
			return true
		}
	}
	return m.Match(rel, isDir)
}
