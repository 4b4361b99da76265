package config

import (
	"errors"
	"fmt"
	"math"
	"net"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bigband-dev/bigband/internal/suggest"

	toml "github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"

	"github.com/bigband-dev/bigband/backstage"
)

// entry is one key of the schema: either a value with its setter or a
// sub-table. The schema doubles as the list of valid choices in errors.
type entry struct {
	name  string
	table []entry
	set   func(d *decoder, c *Config, p []string, v any)
}

var rootSchema = []entry{
	{name: "id", set: func(d *decoder, c *Config, p []string, v any) {
		if s, ok := d.str(p, v); ok {
			if err := backstage.ValidID(s); err != nil {
				d.errorf(p, true, "%v", err)
				return
			}
			c.ID = s
		}
	}},
	{name: "kind", set: func(d *decoder, c *Config, p []string, v any) {
		if s, ok := d.str(p, v); ok {
			switch k := Kind(s); k {
			case KindAuto, KindFrontend, KindBackend:
				c.Kind = k
			default:
				d.errorf(p, true, "kind %q: valid: frontend, backend, auto", s)
			}
		}
	}},
	{name: "app", set: func(d *decoder, c *Config, p []string, v any) {
		if s, ok := d.nonEmpty(p, v); ok {
			c.App = c.resolve(s)
		}
	}},
	{name: "build", table: buildSchema},
	{name: "serve", table: serveSchema},
	{name: "limits", table: limitsSchema},
}

var buildSchema = []entry{
	{name: "command", set: func(d *decoder, c *Config, p []string, v any) {
		if s, ok := v.(string); ok {
			if strings.TrimSpace(s) == "" {
				d.errorf(p, true, "command is empty: give the build command, or leave the key out to use the detected toolchain")
				return
			}
			c.Build.Command = []string{"sh", "-c", s}
			return
		}
		if _, ok := v.([]any); !ok {
			d.errorf(p, true, "command: want a string (run with sh -c) or an array of strings (argv), got %s", typeName(v))
			return
		}
		argv, ok := d.strs(p, v)
		if ok && (len(argv) == 0 || argv[0] == "") {
			d.errorf(p, true, "command: the array is empty or starts with \"\": its first element is the program to run")
			return
		}
		if ok {
			c.Build.Command = argv
		}
	}},
	{name: "env", set: func(d *decoder, c *Config, p []string, v any) {
		m, ok := v.(map[string]any)
		if !ok {
			d.errorf(p, true, "env: want a table of strings like env = { CFLAGS = \"-O2\" }, got %s", typeName(v))
			return
		}
		env := make(map[string]string, len(m))
		for _, k := range d.sortedKeys(p, m) {
			kp := append(slices.Clone(p), k)
			if k == "" || strings.ContainsAny(k, "=\x00") {
				d.errorf(kp, false, "env: %q is not a valid variable name (no '=', no NUL, not empty)", k)
				continue
			}
			if s, ok := d.str(kp, m[k]); ok {
				if strings.ContainsRune(s, 0) {
					d.errorf(kp, true, "env %s: the value contains a NUL byte", k)
					continue
				}
				env[k] = s
			}
		}
		c.Build.Env = env
	}},
	{name: "artifact", set: func(d *decoder, c *Config, p []string, v any) {
		if s, ok := d.nonEmpty(p, v); ok {
			c.Build.Artifact = c.resolve(s)
		}
	}},
	{name: "watch", set: func(d *decoder, c *Config, p []string, v any) {
		if g, ok := d.globs(p, v); ok {
			c.Build.Watch = g
		}
	}},
	{name: "ignore", set: func(d *decoder, c *Config, p []string, v any) {
		if g, ok := d.globs(p, v); ok {
			c.Build.Ignore = g
		}
	}},
}

var serveSchema = []entry{
	{name: "addr", set: func(d *decoder, c *Config, p []string, v any) {
		s, ok := d.str(p, v)
		if !ok {
			return
		}
		_, port, err := net.SplitHostPort(s)
		if err == nil {
			_, err = strconv.ParseUint(port, 10, 16)
		}
		if err != nil {
			d.errorf(p, true, "addr %q: want host:port like \"127.0.0.1:7008\" (port 0-65535)", s)
			return
		}
		c.Serve.Addr = s
	}},
}

var limitsSchema = []entry{
	{name: "memory", set: sizeKey(func(l *Limits) *int64 { return &l.Memory })},
	{name: "timeout", set: func(d *decoder, c *Config, p []string, v any) {
		if t, ok := d.duration(p, v); ok {
			c.Limits.Timeout = t
		}
	}},
	{name: "max-body", set: sizeKey(func(l *Limits) *int64 { return &l.MaxBody })},
	{name: "pool", set: countKey(func(l *Limits) *int { return &l.Pool })},
	{name: "handles", set: countKey(func(l *Limits) *int { return &l.Handles })},
	{name: "output-rate", set: countKey(func(l *Limits) *int { return &l.OutputRate })},
	{name: "compile-module-bytes", set: sizeKey(func(l *Limits) *int64 { return &l.CompileModuleBytes })},
	{name: "compile-functions", set: countKey(func(l *Limits) *int { return &l.CompileFunctions })},
	{name: "compile-nesting", set: countKey(func(l *Limits) *int { return &l.CompileNesting })},
	{name: "compile-br-table-targets", set: countKey(func(l *Limits) *int { return &l.CompileBrTableTargets })},
}

func sizeKey(field func(*Limits) *int64) func(*decoder, *Config, []string, any) {
	return func(d *decoder, c *Config, p []string, v any) {
		if n, ok := d.size(p, v); ok {
			*field(&c.Limits) = n
		}
	}
}

func countKey(field func(*Limits) *int) func(*decoder, *Config, []string, any) {
	return func(d *decoder, c *Config, p []string, v any) {
		if n, ok := d.count(p, v); ok {
			*field(&c.Limits) = n
		}
	}
}

func (c *Config) resolve(p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(c.Dir, filepath.FromSlash(p))
}

// span is where a key and its value start, as byte offsets (-1: unknown).
type span struct{ key, val int }

type decoder struct {
	file  string
	data  []byte
	pos   map[string]span
	lines []int // offset of each line start
	errs  ErrorList
}

func pathKey(p []string) string { return strings.Join(p, "\x00") }

// parse decodes the document with the TOML library (which reports syntax
// errors and duplicate keys with their positions), then indexes where
// every key and value starts for the checks that follow.
func (d *decoder) parse() (map[string]any, error) {
	var root map[string]any
	if err := toml.Unmarshal(d.data, &root); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			line, col := de.Position()
			return nil, ErrorList{{File: d.file, Line: line, Col: col, Msg: strings.TrimPrefix(de.Error(), "toml: ")}}
		}
		return nil, ErrorList{{File: d.file, Msg: err.Error()}}
	}
	d.lines = append(d.lines, 0)
	for i, b := range d.data {
		if b == '\n' {
			d.lines = append(d.lines, i+1)
		}
	}
	d.pos = make(map[string]span)
	var p unstable.Parser
	p.Reset(d.data)
	var table []string
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			table = nil
			it := e.Key()
			for it.Next() {
				k := it.Node()
				table = append(table, string(k.Data))
				d.mark(table, int(k.Raw.Offset), -1)
			}
		case unstable.KeyValue:
			d.indexKeyValue(table, e)
		}
	}
	return root, nil
}

func (d *decoder) mark(p []string, key, val int) {
	k := pathKey(p)
	s, ok := d.pos[k]
	if !ok {
		s = span{key: key, val: val}
	} else if s.val < 0 {
		s.val = val
	}
	d.pos[k] = s
}

func (d *decoder) indexKeyValue(prefix []string, e *unstable.Node) {
	p := slices.Clone(prefix)
	keyOff := -1
	it := e.Key()
	for it.Next() {
		k := it.Node()
		p = append(p, string(k.Data))
		keyOff = int(k.Raw.Offset)
		d.mark(p, keyOff, -1)
	}
	d.indexValue(p, e.Value(), keyOff)
}

func (d *decoder) indexValue(p []string, v *unstable.Node, fallback int) {
	off := fallback
	if v.Raw.Length > 0 { // arrays carry no range of their own
		off = int(v.Raw.Offset)
	}
	d.mark(p, fallback, off)
	switch v.Kind {
	case unstable.Array:
		i := 0
		it := v.Children()
		for it.Next() {
			d.indexValue(append(slices.Clone(p), elem(i)), it.Node(), off)
			i++
		}
	case unstable.InlineTable:
		it := v.Children()
		for it.Next() {
			if kv := it.Node(); kv.Kind == unstable.KeyValue {
				d.indexKeyValue(p, kv)
			}
		}
	}
}

func elem(i int) string { return "[" + strconv.Itoa(i) + "]" }

// at turns a byte offset into a 1-based line and column (in bytes, as the
// TOML library counts them).
func (d *decoder) at(off int) (line, col int) {
	if off < 0 {
		return 0, 0
	}
	i, found := slices.BinarySearch(d.lines, off)
	if !found {
		i--
	}
	return i + 1, off - d.lines[i] + 1
}

// errorf records a problem at the key p (or its value).
func (d *decoder) errorf(p []string, atValue bool, format string, args ...any) {
	s, ok := d.pos[pathKey(p)]
	off := -1
	if ok {
		off = s.key
		if atValue && s.val >= 0 {
			off = s.val
		}
	}
	line, col := d.at(off)
	d.errs = append(d.errs, &Error{File: d.file, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)})
}

// sortedKeys orders a table's keys as they appear in the file, so errors
// and decisions do not depend on map order.
func (d *decoder) sortedKeys(p []string, m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	offset := func(k string) int {
		if s, ok := d.pos[pathKey(append(slices.Clone(p), k))]; ok {
			return s.key
		}
		return math.MaxInt
	}
	slices.SortFunc(keys, func(a, b string) int {
		if oa, ob := offset(a), offset(b); oa != ob {
			return oa - ob
		}
		return strings.Compare(a, b)
	})
	return keys
}

// table checks the keys of one table against its schema and sets each.
func (d *decoder) table(c *Config, p []string, m map[string]any, schema []entry) {
	for _, k := range d.sortedKeys(p, m) {
		kp := append(slices.Clone(p), k)
		v := m[k]
		i := slices.IndexFunc(schema, func(e entry) bool { return e.name == k })
		if i < 0 {
			d.unknown(kp, v, schema)
			continue
		}
		e := schema[i]
		if e.table == nil {
			e.set(d, c, kp, v)
			continue
		}
		sub, ok := v.(map[string]any)
		if !ok {
			d.errorf(kp, true, "%s: want a table ([%s]), got %s", displayPath(kp), displayPath(kp), typeName(v))
			continue
		}
		d.table(c, kp, sub, e.table)
	}
}

func displayPath(p []string) string {
	var b strings.Builder
	for i, k := range p {
		if i > 0 {
			b.WriteByte('.')
		}
		if k == "" || strings.ContainsFunc(k, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_')
		}) {
			k = strconv.Quote(k)
		}
		b.WriteString(k)
	}
	return b.String()
}

func (d *decoder) unknown(p []string, v any, schema []entry) {
	name := p[len(p)-1]
	where := "at the top level"
	if len(p) > 1 {
		where = "in [" + displayPath(p[:len(p)-1]) + "]"
	}
	what := fmt.Sprintf("unknown key %q %s", name, where)
	if _, isTable := v.(map[string]any); isTable {
		what = fmt.Sprintf("unknown table [%s]", displayPath(p))
	}
	var valid []string
	best, bestDist := "", 3
	for _, e := range schema {
		shown := e.name
		if e.table != nil {
			shown = "[" + e.name + "]"
		}
		valid = append(valid, shown)
		if dist := suggest.Distance(strings.ToLower(name), e.name); dist < bestDist && dist < len(e.name) {
			best, bestDist = shown, dist
		}
	}
	if best != "" {
		what += fmt.Sprintf("; did you mean %s?", quoteChoice(best))
	} else if home := findHome(name, rootSchema, nil); home != "" {
		what += "; it belongs " + home + "."
	} else {
		what += ";"
	}
	d.errorf(p, false, "%s valid: %s", what, strings.Join(valid, ", "))
}

func quoteChoice(s string) string {
	if strings.HasPrefix(s, "[") {
		return s
	}
	return strconv.Quote(s)
}

// findHome names the table where a misplaced key is valid.
func findHome(name string, schema []entry, at []string) string {
	for _, e := range schema {
		if e.table != nil {
			if h := findHome(name, e.table, append(slices.Clone(at), e.name)); h != "" {
				return h
			}
		} else if e.name == name {
			if len(at) == 0 {
				return "at the top level"
			}
			return "in [" + strings.Join(at, ".") + "]"
		}
	}
	return ""
}

func typeName(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "a table"
	case time.Time, toml.LocalDate, toml.LocalTime, toml.LocalDateTime:
		return "a date/time"
	}
	return fmt.Sprintf("%T", v)
}

func (d *decoder) str(p []string, v any) (string, bool) {
	s, ok := v.(string)
	if !ok {
		d.errorf(p, true, "%s: want a string, got %s", displayPath(p), typeName(v))
	}
	return s, ok
}

func (d *decoder) nonEmpty(p []string, v any) (string, bool) {
	s, ok := d.str(p, v)
	if ok && s == "" {
		d.errorf(p, true, "%s is empty: give a path or leave the key out", displayPath(p))
		return "", false
	}
	return s, ok
}

func (d *decoder) strs(p []string, v any) ([]string, bool) {
	list, ok := v.([]any)
	if !ok {
		d.errorf(p, true, "%s: want an array of strings, got %s", displayPath(p), typeName(v))
		return nil, false
	}
	out := make([]string, 0, len(list))
	good := true
	for i, e := range list {
		s, ok := e.(string)
		if !ok {
			d.errorf(append(slices.Clone(p), elem(i)), true, "%s[%d]: want a string, got %s", displayPath(p), i, typeName(e))
			good = false
			continue
		}
		out = append(out, s)
	}
	return out, good
}

func (d *decoder) globs(p []string, v any) ([]string, bool) {
	list, ok := d.strs(p, v)
	if !ok {
		return nil, false
	}
	for i, g := range list {
		ep := append(slices.Clone(p), elem(i))
		switch {
		case g == "":
			d.errorf(ep, true, "%s[%d]: empty glob", displayPath(p), i)
			ok = false
		case path.IsAbs(g) || filepath.IsAbs(g):
			d.errorf(ep, true, "%s[%d]: %q is absolute; globs are relative to the directory of %s", displayPath(p), i, g, FileName)
			ok = false
		case strings.Contains(g, `\`):
			d.errorf(ep, true, "%s[%d]: %q: write globs with forward slashes", displayPath(p), i, g)
			ok = false
		default:
			if _, err := path.Match(g, ""); err != nil {
				d.errorf(ep, true, "%s[%d]: %q is not a valid glob (unclosed [ ]?)", displayPath(p), i, g)
				ok = false
			}
		}
	}
	return list, ok
}

func (d *decoder) size(p []string, v any) (int64, bool) {
	switch v := v.(type) {
	case int64:
		if v <= 0 {
			d.errorf(p, true, "%s: %d: want a size above zero", displayPath(p), v)
			return 0, false
		}
		return v, true
	case string:
		n, err := ParseSize(v)
		if err != nil {
			d.errorf(p, true, "%s: %v", displayPath(p), err)
			return 0, false
		}
		return n, true
	}
	d.errorf(p, true, "%s: want a size (bytes, or a string like \"256MiB\"), got %s", displayPath(p), typeName(v))
	return 0, false
}

func (d *decoder) duration(p []string, v any) (time.Duration, bool) {
	s, ok := v.(string)
	if !ok {
		hint := ""
		if _, isNum := v.(int64); isNum {
			hint = " (a bare number has no unit)"
		}
		d.errorf(p, true, "%s: want a duration string like \"30s\" or \"500ms\"%s, got %s", displayPath(p), hint, typeName(v))
		return 0, false
	}
	t, err := time.ParseDuration(s)
	if err != nil || t <= 0 {
		d.errorf(p, true, "%s: %q is not a duration above zero; write it like \"30s\", \"500ms\" or \"2m\"", displayPath(p), s)
		return 0, false
	}
	return t, true
}

func (d *decoder) count(p []string, v any) (int, bool) {
	n, ok := v.(int64)
	if !ok {
		d.errorf(p, true, "%s: want an integer, got %s", displayPath(p), typeName(v))
		return 0, false
	}
	if n < 1 || n > math.MaxInt32 {
		d.errorf(p, true, "%s: %d: want an integer from 1 to %d", displayPath(p), n, math.MaxInt32)
		return 0, false
	}
	return int(n), true
}
