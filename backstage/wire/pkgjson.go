package wire

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// workspaceRange is what `backstage-cli new` writes for a package of the
// same monorepo.
const workspaceRange = "workspace:^"

// addDependency returns src with "<pkg>": "workspace:^" in its top-level
// "dependencies" object, inserted before the first key that sorts after pkg
// (so a sorted object stays sorted, as yarn keeps it), with the indentation,
// separator and line ending the file already uses. An existing entry, with
// any range, is left alone and src is returned as is.
func addDependency(file string, src []byte, pkg string) ([]byte, error) {
	refuse := func(off int, problem string) error {
		e := &ShapeError{File: file, Problem: problem, Manual: []string{depLine(pkg)}}
		if off >= 0 {
			e.Line, e.Col = position(src, off)
		}
		return e
	}
	var v any
	if err := json.Unmarshal(src, &v); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, refuse(int(se.Offset), "not valid JSON: "+se.Error())
		}
		return nil, refuse(-1, "not valid JSON: "+err.Error())
	}
	s := &jscan{b: src}
	s.ws()
	if _, ok := v.(map[string]any); !ok {
		return nil, refuse(s.i, "expected a JSON object (a package.json)")
	}
	top := s.object()

	var deps []jsonMember
	for _, m := range top.members {
		if m.key == "dependencies" {
			deps = append(deps, m)
		}
	}
	nl := newline(src)
	var out []byte
	switch {
	case len(deps) > 1:
		return nil, refuse(deps[1].keyStart, `"dependencies" appears twice`)
	case len(deps) == 0:
		// After the other top-level keys, but before devDependencies if
		// there is one, where create-app's package.json files have it.
		at := len(top.members)
		for i, m := range top.members {
			if m.key == "devDependencies" {
				at = i
				break
			}
		}
		out = addMember(src, top, at, `"dependencies"`, ": ", "", nl, func(indent string) string {
			if indent == "" {
				return fmt.Sprintf(`{%q: %q}`, pkg, workspaceRange)
			}
			// New nested object: one more level than its key, the unit
			// being the top-level indentation (the object is at column 0).
			return "{" + nl + indent + indent + fmt.Sprintf(`%q: %q`, pkg, workspaceRange) + nl + indent + "}"
		})
	default:
		d := deps[0]
		if src[d.valStart] != '{' {
			return nil, refuse(d.valStart, `"dependencies" is not an object`)
		}
		s := &jscan{b: src, i: d.valStart}
		obj := s.object()
		for _, m := range obj.members {
			if m.key == pkg {
				return src, nil
			}
		}
		_, keyIndent, _ := lineOf(src, d.keyStart)
		unit := "  "
		if len(top.members) > 0 {
			if _, ind, _ := lineOf(src, top.members[0].keyStart); ind != "" {
				unit = ind
			}
		}
		at := len(obj.members)
		for i, m := range obj.members {
			if m.key > pkg {
				at = i
				break
			}
		}
		out = addMember(src, obj, at, fmt.Sprintf("%q", pkg), "", keyIndent+unit, nl, func(string) string {
			return fmt.Sprintf("%q", workspaceRange)
		})
	}
	if err := checkDependency(src, out, pkg); err != nil {
		return nil, fmt.Errorf("wire: %s: %w (please report this; nothing was written)", file, err)
	}
	return out, nil
}

// addMember inserts key: value into obj before member at. sep is the
// key/value separator ("" copies the object's first member's); newIndent is
// the member indentation for an empty object spread over lines ("" keeps an
// empty object on one line unless the caller's value breaks lines). value
// gets the indentation the new member ends up with.
func addMember(src []byte, obj jsonObject, at int, key, sep, newIndent, nl string, value func(indent string) string) []byte {
	ms := obj.members
	if len(ms) == 0 {
		if sep == "" {
			sep = ": "
		}
		if newIndent == "" {
			return splice(src, insertion{obj.open + 1, key + sep + value("")})
		}
		// Replace whatever whitespace the empty object holds.
		_, closeIndent, _ := lineOf(src, obj.close)
		var b []byte
		b = append(b, src[:obj.open+1]...)
		b = append(b, nl+newIndent+key+sep+value(newIndent)+nl+closeIndent...)
		return append(b, src[obj.close:]...)
	}
	if sep == "" {
		sep = string(src[ms[0].keyEnd:ms[0].valStart])
	}
	multiline := strings.Contains(string(src[obj.open:ms[0].keyStart]), "\n")
	indent := ""
	if multiline {
		_, indent, _ = lineOf(src, ms[0].keyStart)
	}
	entry := key + sep + value(indent)
	switch {
	case multiline && at < len(ms):
		return splice(src, insertion{ms[at].keyStart, entry + "," + nl + indent})
	case multiline:
		return splice(src, insertion{ms[len(ms)-1].valEnd, "," + nl + indent + entry})
	}
	between := ", "
	if len(ms) > 1 {
		between = string(src[ms[0].valEnd:ms[1].keyStart])
	}
	if at < len(ms) {
		return splice(src, insertion{ms[at].keyStart, entry + between})
	}
	return splice(src, insertion{ms[len(ms)-1].valEnd, between + entry})
}

// checkDependency re-decodes both versions and requires that exactly the one
// dependency was added: the offset arithmetic above is verified, not trusted.
func checkDependency(before, after []byte, pkg string) error {
	var want, got map[string]any
	if err := json.Unmarshal(before, &want); err != nil {
		return err
	}
	if err := json.Unmarshal(after, &got); err != nil {
		return fmt.Errorf("edit produced invalid JSON: %w", err)
	}
	deps, _ := want["dependencies"].(map[string]any)
	if deps == nil {
		deps = map[string]any{}
	}
	deps[pkg] = workspaceRange
	want["dependencies"] = deps
	if !reflect.DeepEqual(want, got) {
		return errors.New("edit changed more than the dependency")
	}
	return nil
}

type jsonMember struct {
	key              string
	keyStart, keyEnd int // the quoted key
	valStart, valEnd int
}

type jsonObject struct {
	open, close int // offsets of '{' and '}'
	members     []jsonMember
}

// jscan walks JSON that encoding/json has already accepted, recording
// offsets; it does not validate.
type jscan struct {
	b []byte
	i int
}

func (s *jscan) ws() {
	for s.i < len(s.b) && strings.IndexByte(" \t\r\n", s.b[s.i]) >= 0 {
		s.i++
	}
}

func (s *jscan) str() {
	for s.i++; s.b[s.i] != '"'; s.i++ {
		if s.b[s.i] == '\\' {
			s.i++
		}
	}
	s.i++
}

func (s *jscan) value() {
	switch s.b[s.i] {
	case '"':
		s.str()
	case '{', '[':
		for depth := 0; ; {
			switch s.b[s.i] {
			case '"':
				s.str()
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
			}
			s.i++
			if depth == 0 {
				return
			}
		}
	default:
		for s.i < len(s.b) && strings.IndexByte(",}] \t\r\n", s.b[s.i]) < 0 {
			s.i++
		}
	}
}

// object scans the object at s.i.
func (s *jscan) object() jsonObject {
	o := jsonObject{open: s.i}
	s.i++
	s.ws()
	for s.b[s.i] != '}' {
		m := jsonMember{keyStart: s.i}
		s.str()
		m.keyEnd = s.i
		_ = json.Unmarshal(s.b[m.keyStart:m.keyEnd], &m.key) // valid by construction
		s.ws()
		s.i++ // ':'
		s.ws()
		m.valStart = s.i
		s.value()
		m.valEnd = s.i
		o.members = append(o.members, m)
		s.ws()
		if s.b[s.i] == ',' {
			s.i++
			s.ws()
		}
	}
	o.close = s.i
	s.i++
	return o
}
