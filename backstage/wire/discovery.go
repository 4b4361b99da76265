package wire

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"
)

// discovery is what app.packages in app-config says about frontend feature
// discovery, as @backstage/cli reads it: unset or null means off; "all"
// means every frontend-plugin dependency of packages/app; an object may
// narrow that with include and exclude lists.
type discovery struct {
	present    bool // the key is there, maybe null
	set        bool // and not null
	include    []string
	hasInclude bool
	exclude    []string
	file       string // where app.packages was read, for messages
	line       int
}

func (d discovery) covers(pkg string) bool {
	return d.set && (!d.hasInclude || slices.Contains(d.include, pkg)) && !slices.Contains(d.exclude, pkg)
}

// loadDiscovery reads app.packages from app-config.yaml and, when it sets
// it, app-config.local.yaml (loaded after it by `yarn start`, so it wins).
// The YAML is only read, through a deliberately small subset; anything
// outside it is a ShapeError, since guessing wrong would leave the plugin
// silently missing from the app.
func loadDiscovery(appDir string, p Plugin) (discovery, error) {
	manual := featureLines(p)
	var d discovery
	for _, rel := range []string{appConfig, appConfigLocal} {
		src, err := os.ReadFile(appPath(appDir, rel))
		if errors.Is(err, fs.ErrNotExist) && rel == appConfigLocal {
			break
		}
		if errors.Is(err, fs.ErrNotExist) {
			return d, &ShapeError{File: rel, Problem: "file not found, so whether feature discovery (app.packages) is on is unknown", Manual: manual, ManualFile: appTSX}
		}
		if err != nil {
			return d, err
		}
		local, err := readDiscovery(src)
		if err != nil {
			var ye *yamlError
			if !errors.As(err, &ye) {
				return d, err
			}
			return d, &ShapeError{File: rel, Line: ye.line, Problem: "cannot tell whether feature discovery includes " + p.Package + ": " + ye.msg, Manual: manual, ManualFile: appTSX}
		}
		if rel == appConfigLocal && !local.present {
			continue
		}
		if rel == appConfigLocal && !local.set {
			// Whether a null overrides the base file's value depends on
			// Backstage's config merging; not guessed.
			return d, &ShapeError{File: rel, Line: local.line, Problem: "app.packages is null here; cannot tell whether it overrides " + appConfig, Manual: manual, ManualFile: appTSX}
		}
		local.file = rel
		if d.set && local.set && (d.hasInclude || len(d.exclude) > 0) && (local.hasInclude || len(local.exclude) > 0) {
			// Config objects merge key by key; arrays replace.
			if !local.hasInclude {
				local.include, local.hasInclude = d.include, d.hasInclude
			}
			if len(local.exclude) == 0 {
				local.exclude = d.exclude
			}
		}
		d = local
	}
	if d.set && slices.Contains(d.exclude, p.Package) {
		return d, &ShapeError{File: d.file, Line: d.line, Problem: "app.packages.exclude lists " + p.Package + "; remove it from there to have the plugin discovered"}
	}
	return d, nil
}

type yamlError struct {
	line int
	msg  string
}

func (e *yamlError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

type yline struct {
	n      int // 1-based line number
	indent int
	text   string // without indentation, comment and trailing space
}

// readDiscovery finds app.packages in one YAML document. It understands
// block mappings with plain or quoted keys, block and one-line flow
// sequences and mappings, quoted and plain scalars, and comments; anchors,
// aliases, merge keys, tags, several documents and flow collections over
// several lines are refused rather than guessed at.
func readDiscovery(src []byte) (discovery, error) {
	lines, err := yamlLines(src)
	if err != nil {
		return discovery{}, err
	}
	app, err := entry(lines, "app")
	if err != nil || app.key < 0 {
		return discovery{}, err
	}
	if v := app.rest; v != "" && v != "null" && v != "~" {
		return discovery{}, &yamlError{app.line, "app is not a block mapping"}
	}
	block := app.block
	pk, err := entry(block, "packages")
	if err != nil || pk.key < 0 {
		return discovery{}, err
	}
	d := discovery{present: true, line: pk.line}
	if pk.rest != "" {
		if strings.ContainsAny(pk.rest[:1], "&*!|>") {
			return d, &yamlError{pk.line, "anchors, aliases, tags and block scalars are not read"}
		}
		v, err := flowValue(pk.rest)
		if err != nil {
			return d, &yamlError{pk.line, err.Error()}
		}
		switch v := v.(type) {
		case string:
			if v == "null" || v == "~" {
				return d, nil
			}
			if v != "all" {
				return d, &yamlError{pk.line, fmt.Sprintf("app.packages is %q; Backstage accepts only 'all' or an object", v)}
			}
			d.set = true
			return d, nil
		case map[string]any:
			d.set = true
			for _, k := range []string{"include", "exclude"} {
				if raw, ok := v[k]; ok {
					list, err := stringList(raw)
					if err != nil {
						return d, &yamlError{pk.line, "app.packages." + k + ": " + err.Error()}
					}
					if k == "include" {
						d.include, d.hasInclude = list, true
					} else {
						d.exclude = list
					}
				}
			}
			return d, nil
		default:
			return d, &yamlError{pk.line, "app.packages is a list; Backstage accepts only 'all' or an object"}
		}
	}
	if len(pk.block) == 0 {
		return d, nil // null: discovery off
	}
	d.set = true
	for _, k := range []string{"include", "exclude"} {
		e, err := entry(pk.block, k)
		if err != nil {
			return d, err
		}
		if e.key < 0 {
			continue
		}
		var list []string
		if e.rest != "" {
			v, err := flowValue(e.rest)
			if err == nil {
				list, err = stringList(v)
			}
			if err != nil {
				return d, &yamlError{e.line, "app.packages." + k + ": " + err.Error()}
			}
		} else {
			for _, l := range e.block {
				item, ok := strings.CutPrefix(l.text, "- ")
				if l.indent != e.block[0].indent || !ok {
					return d, &yamlError{l.n, "app.packages." + k + ": expected a list of package names"}
				}
				v, err := flowValue(item)
				s, isStr := v.(string)
				if err != nil || !isStr {
					return d, &yamlError{l.n, "app.packages." + k + ": expected a package name"}
				}
				list = append(list, s)
			}
		}
		if k == "include" {
			d.include, d.hasInclude = list, true
		} else {
			d.exclude = list
		}
	}
	return d, nil
}

// yamlLines splits one YAML document into its non-blank lines, refusing
// tabs in indentation, several documents and directives.
func yamlLines(src []byte) ([]yline, error) {
	var lines []yline
	for i, raw := range strings.Split(string(src), "\n") {
		raw = strings.TrimSuffix(raw, "\r")
		body := strings.TrimLeft(raw, " ")
		text := strings.TrimRight(stripComment(body), " \t")
		if text == "" {
			continue
		}
		if strings.HasPrefix(body, "\t") {
			return nil, &yamlError{i + 1, "tab in indentation"}
		}
		lines = append(lines, yline{i + 1, len(raw) - len(body), text})
	}
	for i, l := range lines {
		if l.indent == 0 && (l.text == "---" || strings.HasPrefix(l.text, "--- ") || l.text == "..." || l.text[0] == '%') {
			if i == 0 && l.text == "---" {
				continue
			}
			return nil, &yamlError{l.n, "more than one YAML document, or directives"}
		}
	}
	if len(lines) > 0 && lines[0].text == "---" {
		lines = lines[1:]
	}
	return lines, nil
}

// yentry is one key of a block mapping: its value on the key's line (rest)
// and the more-indented lines under it (block). key < 0: not found.
type yentry struct {
	key   int
	line  int
	rest  string
	block []yline
}

// entry finds key among the lines of a block mapping, indented like its
// first line. Every line at that indentation must be a key; a sequence item
// there belongs to the list of the key before it.
func entry(lines []yline, key string) (yentry, error) {
	found := yentry{key: -1}
	if len(lines) == 0 {
		return found, nil
	}
	indent := lines[0].indent
	for i := 0; i < len(lines); {
		l := lines[i]
		if l.indent != indent {
			return found, &yamlError{l.n, "indentation does not match its mapping"}
		}
		if isItem(l.text) {
			return found, &yamlError{l.n, "expected key: value, found a list item"}
		}
		k, rest, err := splitKey(l)
		if err != nil {
			return found, err
		}
		if k == "<<" {
			return found, &yamlError{l.n, "merge keys are not read"}
		}
		j := i + 1
		for j < len(lines) && (lines[j].indent > indent || lines[j].indent == indent && rest == "" && isItem(lines[j].text)) {
			j++
		}
		if k == key {
			if found.key >= 0 {
				return found, &yamlError{l.n, key + " appears twice"}
			}
			found = yentry{key: i, line: l.n, rest: rest, block: lines[i+1 : j]}
		}
		i = j
	}
	return found, nil
}

func isItem(t string) bool { return t == "-" || strings.HasPrefix(t, "- ") }

// splitKey splits "key: value" and checks that a quoted or flow value ends
// on its line: otherwise the following lines could be its continuation
// rather than keys.
func splitKey(l yline) (key, rest string, err error) {
	t := l.text
	var after string
	if t[0] == '"' || t[0] == '\'' {
		k, n, e := quoted(t)
		if e != nil {
			return "", "", &yamlError{l.n, "quoted key: " + e.Error()}
		}
		key, after = k, strings.TrimLeft(t[n:], " ")
		if !strings.HasPrefix(after, ":") {
			return "", "", &yamlError{l.n, "expected key: value"}
		}
		after = after[1:]
	} else {
		i := strings.Index(t+" ", ": ")
		if i <= 0 || strings.ContainsAny(t[:1], "-?[]{},&*!|>%@`") {
			return "", "", &yamlError{l.n, "expected key: value"}
		}
		key, after = strings.TrimRight(t[:i], " "), t[i+1:]
	}
	if after != "" && after[0] != ' ' {
		return "", "", &yamlError{l.n, "expected a space after ':'"}
	}
	rest = strings.TrimSpace(after)
	if rest != "" && strings.ContainsAny(rest[:1], `"'[{`) {
		if _, err := flowValue(rest); err != nil {
			return "", "", &yamlError{l.n, "value of " + key + ": " + err.Error()}
		}
	}
	return key, rest, nil
}

// stripComment removes a # comment: one at the start or after a space,
// outside quotes.
func stripComment(s string) string {
	var q byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case q == '"' && c == '\\':
			i++
		case q != 0 && c == q:
			q = 0
		case q != 0:
		case (c == '"' || c == '\'') && (i == 0 || strings.IndexByte(" [{,:", s[i-1]) >= 0):
			q = c
		case c == '#' && (i == 0 || s[i-1] == ' ' || s[i-1] == '\t'):
			return s[:i]
		}
	}
	return s
}

// flowValue parses a scalar or a flow collection that must end on the line.
func flowValue(s string) (any, error) {
	p := &flowParser{s: s}
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	if p.skip(); p.i != len(p.s) {
		return nil, fmt.Errorf("unexpected %q", p.s[p.i:])
	}
	return v, nil
}

type flowParser struct {
	s string
	i int
}

func (p *flowParser) skip() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

func (p *flowParser) value() (any, error) {
	p.skip()
	if p.i == len(p.s) {
		return nil, errors.New("missing value (flow collections over several lines are not read)")
	}
	switch c := p.s[p.i]; c {
	case '[', '{':
		end := byte(']')
		if c == '{' {
			end = '}'
		}
		p.i++
		var list []any
		m := map[string]any{}
		for {
			p.skip()
			if p.i < len(p.s) && p.s[p.i] == end {
				p.i++
				if c == '{' {
					return m, nil
				}
				return list, nil
			}
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			p.skip()
			if c == '{' {
				k, ok := v.(string)
				if !ok || p.i == len(p.s) || p.s[p.i] != ':' {
					return nil, errors.New("expected key: value in a flow mapping")
				}
				p.i++
				if v, err = p.value(); err != nil {
					return nil, err
				}
				m[k] = v
				p.skip()
			} else {
				list = append(list, v)
			}
			if p.i < len(p.s) && p.s[p.i] == ',' {
				p.i++
			} else if p.i == len(p.s) || p.s[p.i] != end {
				return nil, errors.New("unterminated flow collection (several lines are not read)")
			}
		}
	case '"', '\'':
		v, n, err := quoted(p.s[p.i:])
		p.i += n
		return v, err
	default:
		if strings.IndexByte("&*!|>%@`]}", c) >= 0 {
			return nil, fmt.Errorf("%q starts no value this reader accepts", c)
		}
		start := p.i
		for p.i < len(p.s) && strings.IndexByte(",[]{}", p.s[p.i]) < 0 &&
			!(p.s[p.i] == ':' && (p.i+1 == len(p.s) || strings.IndexByte(" ,[]{}", p.s[p.i+1]) >= 0)) {
			p.i++
		}
		return strings.TrimRight(p.s[start:p.i], " "), nil
	}
}

// quoted decodes the quoted scalar at the start of s and returns its length.
func quoted(s string) (string, int, error) {
	q := s[0]
	for i := 1; i < len(s); i++ {
		switch {
		case q == '"' && s[i] == '\\':
			i++
		case s[i] == q && q == '\'' && i+1 < len(s) && s[i+1] == '\'':
			i++
		case s[i] == q:
			if q == '\'' {
				return strings.ReplaceAll(s[1:i], "''", "'"), i + 1, nil
			}
			v, err := strconv.Unquote(s[:i+1])
			if err != nil {
				return "", 0, errors.New("double-quoted string with escapes this reader does not know")
			}
			return v, i + 1, nil
		}
	}
	return "", 0, errors.New("unterminated quoted string (several lines are not read)")
}

func stringList(v any) ([]string, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, errors.New("expected a list of package names")
	}
	out := make([]string, 0, len(list))
	for _, x := range list {
		s, ok := x.(string)
		if !ok {
			return nil, errors.New("expected a list of package names")
		}
		out = append(out, s)
	}
	return out, nil
}
