package wit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/bigband-dev/bigband/wit/syntax"
)

// This file reads the format json.go writes (wit-parser's serde output).
// wit-parser itself has no Deserialize for Resolve, so the rules here are
// ours: every field wit-parser always writes is required, fields it may skip
// are optional, unknown fields and duplicate keys are errors (silently
// dropping data would make comparisons lie), and every id must be in range.
// Types must also be in wit-parser's order, each referring only to types
// before it, so that a decoded Resolve has no cycles for the ABI to loop on.

// JSONError is a problem DecodeJSON found in its input.
type JSONError struct {
	Path   string // JSON path of the offending value, like `types[3].kind.handle.own`; "" for the document
	Offset int64  // byte offset of that value in the input
	Msg    string
}

func (e *JSONError) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("wit json: offset %d: %s", e.Offset, e.Msg)
	}
	return fmt.Sprintf("wit json: %s (offset %d): %s", e.Path, e.Offset, e.Msg)
}

// DecodeJSON reads a Resolve from wit-parser's JSON (the output of
// `wasm-tools component wit -j` or Resolve.JSON). Errors are *JSONError.
func DecodeJSON(data []byte) (r *Resolve, err error) {
	root, err := parseJSON(data)
	if err != nil {
		return nil, err
	}
	// The decoder reports problems by panicking with a *JSONError, which
	// keeps the many nested checks readable; nothing else is recovered.
	defer func() {
		if p := recover(); p != nil {
			e, ok := p.(*JSONError)
			if !ok {
				panic(p)
			}
			r, err = nil, e
		}
	}()
	var d decoder
	return d.resolve(root), nil
}

// UnmarshalJSON implements json.Unmarshaler with DecodeJSON.
func (r *Resolve) UnmarshalJSON(data []byte) error {
	d, err := DecodeJSON(data)
	if err != nil {
		return err
	}
	*r = *d
	return nil
}

type jkind uint8

const (
	jNull jkind = iota
	jBool
	jNumber
	jString
	jArray
	jObject
)

func (k jkind) String() string {
	switch k {
	case jBool:
		return "a boolean"
	case jNumber:
		return "a number"
	case jString:
		return "a string"
	case jArray:
		return "an array"
	case jObject:
		return "an object"
	}
	return "null"
}

// jnode is a parsed JSON value. Objects keep their key order (world imports
// and the name-to-id maps are ordered), and every node knows its parent so
// an error can name its path without building paths up front.
type jnode struct {
	kind   jkind
	index  int // position in parent.kids
	off    int64
	text   string   // string contents or number literal
	keys   []string // object keys, parallel to kids
	kids   []*jnode
	parent *jnode
}

// maxJSONDepth bounds nesting; the format itself never goes past about ten.
const maxJSONDepth = 64

func parseJSON(data []byte) (*jnode, error) {
	p := jparser{data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	p.dec.UseNumber()
	root, err := p.value(nil, 0, 0)
	if err != nil {
		return nil, err
	}
	if _, err := p.dec.Token(); err != io.EOF {
		return nil, &JSONError{Offset: p.start(), Msg: "unexpected data after the top-level value"}
	}
	return root, nil
}

type jparser struct {
	data []byte
	dec  *json.Decoder
}

// start is the offset of the next token: the decoder's offset is just past
// the previous one, before any separators.
func (p *jparser) start() int64 {
	off := p.dec.InputOffset()
	for off < int64(len(p.data)) {
		switch p.data[off] {
		case ' ', '\t', '\n', '\r', ',', ':':
			off++
			continue
		}
		break
	}
	return off
}

func (p *jparser) token() (json.Token, int64, error) {
	off := p.start()
	tok, err := p.dec.Token()
	if err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, se.Offset, &JSONError{Offset: se.Offset, Msg: se.Error()}
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil, off, &JSONError{Offset: int64(len(p.data)), Msg: "unexpected end of input"}
		}
		return nil, off, &JSONError{Offset: off, Msg: err.Error()}
	}
	return tok, off, nil
}

func (p *jparser) value(parent *jnode, index, depth int) (*jnode, error) {
	tok, off, err := p.token()
	if err != nil {
		return nil, err
	}
	n := &jnode{off: off, parent: parent, index: index}
	switch t := tok.(type) {
	case nil:
		n.kind = jNull
	case bool:
		n.kind = jBool
	case json.Number:
		n.kind, n.text = jNumber, string(t)
	case string:
		n.kind, n.text = jString, t
	case json.Delim:
		if depth >= maxJSONDepth {
			return nil, &JSONError{Offset: off, Msg: "nested too deeply"}
		}
		n.kind = jArray
		if t == '{' {
			n.kind = jObject
		}
		for p.dec.More() {
			if n.kind == jObject {
				k, _, err := p.token()
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, k.(string)) // the decoder only yields string keys
			}
			kid, err := p.value(n, len(n.kids), depth+1)
			if err != nil {
				return nil, err
			}
			n.kids = append(n.kids, kid)
		}
		if _, _, err := p.token(); err != nil { // the closing delimiter
			return nil, err
		}
	}
	return n, nil
}

// path renders n's location, like `worlds[0].imports["interface-2"]`.
func (n *jnode) path() string {
	var parts []string
	for ; n.parent != nil; n = n.parent {
		if n.parent.kind == jArray {
			parts = append(parts, "["+strconv.Itoa(n.index)+"]")
			continue
		}
		k := n.parent.keys[n.index]
		if plainKey(k) {
			parts = append(parts, "."+k)
		} else {
			parts = append(parts, "["+strconv.Quote(k)+"]")
		}
	}
	var b strings.Builder
	for i := len(parts) - 1; i >= 0; i-- {
		b.WriteString(parts[i])
	}
	return strings.TrimPrefix(b.String(), ".")
}

func plainKey(k string) bool {
	if k == "" {
		return false
	}
	for _, c := range k {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// get returns the member named key of object n, or nil.
func (n *jnode) get(key string) *jnode {
	for i, k := range n.keys {
		if k == key {
			return n.kids[i]
		}
	}
	return nil
}

// decoder turns the parsed tree into a Resolve; the counts bound ids.
type decoder struct {
	nWorlds, nIfaces, nTypes, nPkgs int
}

func (d *decoder) fail(n *jnode, format string, args ...any) {
	panic(&JSONError{Path: n.path(), Offset: n.off, Msg: fmt.Sprintf(format, args...)})
}

func (d *decoder) expect(n *jnode, k jkind) {
	if n.kind != k {
		d.fail(n, "expected %s, found %s", k, n.kind)
	}
}

// object checks that n is an object with unique keys, all among allowed
// (any key when allowed is empty), and returns it.
func (d *decoder) object(n *jnode, allowed ...string) *jnode {
	d.expect(n, jObject)
	var seen map[string]bool
	if len(n.keys) > 8 {
		seen = make(map[string]bool, len(n.keys))
	}
	for i, k := range n.keys {
		if len(allowed) > 0 && !contains(allowed, k) {
			d.fail(n.kids[i], "unknown field %q (expected one of %s)", k, strings.Join(allowed, ", "))
		}
		dup := false
		if seen != nil {
			dup = seen[k]
			seen[k] = true
		} else {
			dup = contains(n.keys[:i], k)
		}
		if dup {
			d.fail(n.kids[i], "duplicate key %q", k)
		}
	}
	return n
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// field returns the required member key of object n.
func (d *decoder) field(n *jnode, key string) *jnode {
	v := n.get(key)
	if v == nil {
		d.fail(n, "missing field %q", key)
	}
	return v
}

// tagged reads serde's externally tagged enum form `{"tag": value}`.
func (d *decoder) tagged(n *jnode, tags ...string) (string, *jnode) {
	d.object(n, tags...)
	if len(n.keys) != 1 {
		d.fail(n, "expected exactly one of %s", strings.Join(tags, ", "))
	}
	return n.keys[0], n.kids[0]
}

func (d *decoder) str(n *jnode) string {
	d.expect(n, jString)
	return n.text
}

func (d *decoder) optStr(n *jnode) *string {
	if n.kind == jNull {
		return nil
	}
	s := d.str(n)
	return &s
}

func (d *decoder) uint(n *jnode, bits int) uint64 {
	d.expect(n, jNumber)
	v, err := strconv.ParseUint(n.text, 10, bits)
	if err != nil {
		d.fail(n, "expected an integer in [0, 2^%d), found %s", bits, n.text)
	}
	return v
}

// id reads an index into an arena of count items (what names the arena).
func (d *decoder) id(n *jnode, count int, what string) int {
	v := d.uint(n, 63)
	if v >= uint64(count) {
		d.fail(n, "%s id %d out of range (%d %ss)", what, v, count, what)
	}
	return int(v)
}

func (d *decoder) optID(n *jnode, count int, what string) *int {
	if n.kind == jNull {
		return nil
	}
	id := d.id(n, count, what)
	return &id
}

// typ reads a Type; ids must be below before (the referring type's own
// index, or the number of types for references from outside the arena).
func (d *decoder) typ(n *jnode, before int) Type {
	switch n.kind {
	case jString:
		for p := Bool; p < Ref; p++ {
			if primNames[p] == n.text {
				return Type{Prim: p}
			}
		}
		d.fail(n, "unknown primitive type %q", n.text)
	case jNumber:
		return TypeRef(d.typeID(n, before))
	}
	d.fail(n, "expected a type (a primitive's name or a type id), found %s", n.kind)
	return Type{}
}

func (d *decoder) optType(n *jnode, before int) Type {
	if n.kind == jNull {
		return Type{}
	}
	return d.typ(n, before)
}

func (d *decoder) typeID(n *jnode, before int) TypeID {
	id := d.id(n, d.nTypes, "type")
	if id >= before {
		d.fail(n, "type id %d is not defined before type %d (types must come after the types they use)", id, before)
	}
	return TypeID(id)
}

func (d *decoder) version(n *jnode) *Version {
	v, err := syntax.ParseSemver(d.str(n))
	if err != nil {
		d.fail(n, "%v", err)
	}
	return &v
}

// docs reads an optional `{"contents": ...}`; n is nil when absent.
func (d *decoder) docs(n *jnode) Docs {
	if n == nil {
		return Docs{}
	}
	d.object(n, "contents")
	return Docs{Contents: d.optStr(d.field(n, "contents"))}
}

func (d *decoder) stability(n *jnode) Stability {
	if n == nil || n.kind == jString && n.text == "unknown" {
		return Stability{}
	}
	tag, v := d.tagged(n, "stable", "unstable")
	var s Stability
	if tag == "stable" {
		d.object(v, "since", "deprecated")
		s.Kind, s.Since = StabilityStable, d.version(d.field(v, "since"))
	} else {
		d.object(v, "feature", "deprecated")
		s.Kind, s.Feature = StabilityUnstable, d.str(d.field(v, "feature"))
	}
	if dep := v.get("deprecated"); dep != nil && dep.kind != jNull {
		s.Deprecated = d.version(dep)
	}
	return s
}

func (d *decoder) resolve(root *jnode) *Resolve {
	d.object(root, "worlds", "interfaces", "types", "packages")
	worlds, ifaces := d.field(root, "worlds"), d.field(root, "interfaces")
	types, pkgs := d.field(root, "types"), d.field(root, "packages")
	for _, n := range []*jnode{worlds, ifaces, types, pkgs} {
		d.expect(n, jArray)
	}
	d.nWorlds, d.nIfaces, d.nTypes, d.nPkgs = len(worlds.kids), len(ifaces.kids), len(types.kids), len(pkgs.kids)
	r := &Resolve{
		Worlds:       make([]*World, len(worlds.kids)),
		Interfaces:   make([]*Interface, len(ifaces.kids)),
		Types:        make([]*TypeDef, len(types.kids)),
		Packages:     make([]*Package, len(pkgs.kids)),
		PackageNames: make(map[string]PackageID, len(pkgs.kids)),
	}
	for i, n := range worlds.kids {
		r.Worlds[i] = d.world(n)
	}
	for i, n := range ifaces.kids {
		r.Interfaces[i] = d.iface(n)
	}
	for i, n := range types.kids {
		r.Types[i] = d.typeDef(n, i)
	}
	for i, n := range pkgs.kids {
		p := d.pkg(n)
		name := p.Name.String()
		if prev, ok := r.PackageNames[name]; ok {
			d.fail(n, "duplicate package %s (also packages[%d])", name, prev)
		}
		r.PackageNames[name] = PackageID(i)
		r.Packages[i] = p
	}
	return r
}

func (d *decoder) pkg(n *jnode) *Package {
	d.object(n, "name", "docs", "interfaces", "worlds")
	p := &Package{Docs: d.docs(n.get("docs"))}
	p.Name = d.packageName(d.field(n, "name"))
	ifaces := d.object(d.field(n, "interfaces"))
	for i, k := range ifaces.keys {
		id := d.id(ifaces.kids[i], d.nIfaces, "interface")
		p.Interfaces = append(p.Interfaces, NamedInterface{Name: k, ID: InterfaceID(id)})
	}
	worlds := d.object(d.field(n, "worlds"))
	for i, k := range worlds.keys {
		id := d.id(worlds.kids[i], d.nWorlds, "world")
		p.Worlds = append(p.Worlds, NamedWorld{Name: k, ID: WorldID(id)})
	}
	return p
}

func (d *decoder) packageName(n *jnode) PackageName {
	s := d.str(n)
	full, ver, hasVer := strings.Cut(s, "@")
	ns, name, ok := strings.Cut(full, ":")
	if !ok || ns == "" || name == "" || strings.Contains(name, ":") {
		d.fail(n, "package name %q is not namespace:name[@version]", s)
	}
	pn := PackageName{Namespace: ns, Name: name}
	if hasVer {
		v, err := syntax.ParseSemver(ver)
		if err != nil {
			d.fail(n, "package name %q: %v", s, err)
		}
		pn.Version = &v
	}
	return pn
}

func (d *decoder) world(n *jnode) *World {
	d.object(n, "name", "imports", "exports", "package", "docs", "stability")
	w := &World{
		Name:      d.str(d.field(n, "name")),
		Imports:   d.worldItems(d.field(n, "imports")),
		Exports:   d.worldItems(d.field(n, "exports")),
		Package:   (*PackageID)(d.optID(d.field(n, "package"), d.nPkgs, "package")),
		Docs:      d.docs(n.get("docs")),
		Stability: d.stability(n.get("stability")),
	}
	return w
}

func (d *decoder) worldItems(n *jnode) []*WorldItem {
	d.object(n)
	items := make([]*WorldItem, len(n.kids))
	for i, v := range n.kids {
		key := n.keys[i]
		it := &WorldItem{Key: WorldKey{Name: key}}
		tag, body := d.tagged(v, "interface", "function", "type")
		switch tag {
		case "interface":
			d.object(body, "id", "stability", "external_id", "docs")
			it.Kind = WorldInterface
			it.Interface = InterfaceID(d.id(d.field(body, "id"), d.nIfaces, "interface"))
			it.Stability = d.stability(body.get("stability"))
			it.ExternalID = d.externalID(body)
			it.Docs = d.docs(body.get("docs"))
			// wit-parser writes WorldKey::Interface(id) as "interface-<id>";
			// a kebab name can never look like that (words start with a letter).
			if key == "interface-"+strconv.Itoa(int(it.Interface)) {
				it.Key = WorldKey{Interface: it.Interface, IsInterface: true}
			}
		case "function":
			it.Kind = WorldFunction
			it.Function = d.function(body)
		case "type":
			it.Kind = WorldType
			it.Type = d.typeID(body, d.nTypes)
		}
		items[i] = it
	}
	return items
}

// externalID reads the optional external_id of object n. The model keeps
// absence as "", so an explicit empty id could not round-trip.
func (d *decoder) externalID(n *jnode) string {
	v := n.get("external_id")
	if v == nil {
		return ""
	}
	if d.str(v) == "" {
		d.fail(v, "empty external_id (omit the field instead)")
	}
	return v.text
}

func (d *decoder) iface(n *jnode) *Interface {
	d.object(n, "name", "types", "functions", "docs", "stability", "package", "clone_of")
	x := &Interface{
		Name:      d.optStr(d.field(n, "name")),
		Docs:      d.docs(n.get("docs")),
		Stability: d.stability(n.get("stability")),
		Package:   (*PackageID)(d.optID(d.field(n, "package"), d.nPkgs, "package")),
	}
	types := d.object(d.field(n, "types"))
	for i, k := range types.keys {
		x.Types = append(x.Types, NamedType{Name: k, ID: d.typeID(types.kids[i], d.nTypes)})
	}
	funcs := d.object(d.field(n, "functions"))
	for i, k := range funcs.keys {
		f := d.function(funcs.kids[i])
		if f.Name != k {
			d.fail(funcs.kids[i], "function named %q under key %q (they must match)", f.Name, k)
		}
		x.Functions = append(x.Functions, f)
	}
	if c := n.get("clone_of"); c != nil {
		x.CloneOf = (*InterfaceID)(d.optID(c, d.nIfaces, "interface"))
	}
	return x
}

// funcKind maps a serde tag to its kind.
func funcKind(tag string) (FunctionKind, bool) {
	for k, name := range funcKindNames {
		if name == tag {
			return FunctionKind(k), true
		}
	}
	return 0, false
}

func (d *decoder) function(n *jnode) *Function {
	d.object(n, "name", "kind", "params", "result", "docs", "stability", "external_id")
	f := &Function{
		Name:       d.str(d.field(n, "name")),
		Docs:       d.docs(n.get("docs")),
		Stability:  d.stability(n.get("stability")),
		ExternalID: d.externalID(n),
	}
	kind := d.field(n, "kind")
	if kind.kind == jString {
		k, ok := funcKind(kind.text)
		if !ok || !(k == Freestanding || k == AsyncFreestanding) {
			d.fail(kind, "unknown function kind %q", kind.text)
		}
		f.Kind = k
	} else {
		tag, id := d.tagged(kind, "method", "async-method", "static", "async-static", "constructor")
		f.Kind, _ = funcKind(tag)
		f.Resource = d.typeID(id, d.nTypes)
	}
	params := d.field(n, "params")
	d.expect(params, jArray)
	f.Params = make([]Param, len(params.kids))
	for i, p := range params.kids {
		d.object(p, "name", "type")
		if name := p.get("name"); name != nil {
			f.Params[i].Name = d.str(name)
		}
		f.Params[i].Type = d.typ(d.field(p, "type"), d.nTypes)
	}
	if res := n.get("result"); res != nil {
		f.Result = d.optType(res, d.nTypes)
	}
	return f
}

func (d *decoder) typeDef(n *jnode, self int) *TypeDef {
	d.object(n, "name", "kind", "owner", "docs", "stability", "external_id")
	t := &TypeDef{
		Docs:       d.docs(n.get("docs")),
		Stability:  d.stability(n.get("stability")),
		ExternalID: d.externalID(n),
	}
	if name := d.optStr(d.field(n, "name")); name != nil {
		if *name == "" {
			d.fail(n.get("name"), `empty type name (anonymous types have "name": null)`)
		}
		t.Name = *name
	}
	if owner := d.field(n, "owner"); owner.kind != jNull {
		tag, id := d.tagged(owner, "world", "interface")
		if tag == "world" {
			t.Owner = Owner{Kind: OwnerWorld, World: WorldID(d.id(id, d.nWorlds, "world"))}
		} else {
			t.Owner = Owner{Kind: OwnerInterface, Interface: InterfaceID(d.id(id, d.nIfaces, "interface"))}
		}
	}
	d.typeDefKind(t, d.field(n, "kind"), self)
	return t
}

func (d *decoder) typeDefKind(t *TypeDef, n *jnode, self int) {
	if n.kind == jString {
		switch n.text {
		case "resource":
			t.Kind = KindResource
		case "unknown":
			t.Kind = KindUnknown
		default:
			d.fail(n, "unknown type kind %q", n.text)
		}
		return
	}
	tag, v := d.tagged(n, "record", "handle", "flags", "tuple", "variant", "enum",
		"option", "result", "list", "map", "fixed-length-list", "future", "stream", "type")
	switch tag {
	case "record":
		t.Kind = KindRecord
		for _, f := range d.list(v, "fields") {
			d.object(f, "name", "type", "docs")
			t.Fields = append(t.Fields, Field{
				Name: d.str(d.field(f, "name")),
				Type: d.typ(d.field(f, "type"), self),
				Docs: d.docs(f.get("docs")),
			})
		}
	case "handle":
		h, id := d.tagged(v, "own", "borrow")
		t.Kind = KindOwn
		if h == "borrow" {
			t.Kind = KindBorrow
		}
		t.Resource = d.typeID(id, self)
	case "flags":
		t.Kind = KindFlags
		for _, f := range d.list(v, "flags") {
			d.object(f, "name", "docs")
			t.Flags = append(t.Flags, Flag{Name: d.str(d.field(f, "name")), Docs: d.docs(f.get("docs"))})
		}
	case "tuple":
		t.Kind = KindTuple
		for _, e := range d.list(v, "types") {
			t.Types = append(t.Types, d.typ(e, self))
		}
	case "variant":
		t.Kind = KindVariant
		for _, c := range d.list(v, "cases") {
			d.object(c, "name", "type", "docs")
			t.Cases = append(t.Cases, Case{
				Name: d.str(d.field(c, "name")),
				Type: d.optType(d.field(c, "type"), self),
				Docs: d.docs(c.get("docs")),
			})
		}
	case "enum":
		t.Kind = KindEnum
		for _, c := range d.list(v, "cases") {
			d.object(c, "name", "docs")
			t.Enum = append(t.Enum, EnumCase{Name: d.str(d.field(c, "name")), Docs: d.docs(c.get("docs"))})
		}
	case "result":
		d.object(v, "ok", "err")
		t.Kind = KindResult
		t.Ok = d.optType(d.field(v, "ok"), self)
		t.Err = d.optType(d.field(v, "err"), self)
	case "map", "fixed-length-list":
		d.expect(v, jArray)
		if len(v.kids) != 2 {
			d.fail(v, "expected 2 elements, found %d", len(v.kids))
		}
		if tag == "map" {
			t.Kind, t.Key, t.Elem = KindMap, d.typ(v.kids[0], self), d.typ(v.kids[1], self)
		} else {
			t.Kind, t.Elem, t.Size = KindFixedList, d.typ(v.kids[0], self), uint32(d.uint(v.kids[1], 32))
		}
	case "future", "stream":
		t.Kind = KindFuture
		if tag == "stream" {
			t.Kind = KindStream
		}
		t.Elem = d.optType(v, self)
	default: // option, list, type
		t.Kind = KindAlias
		switch tag {
		case "option":
			t.Kind = KindOption
		case "list":
			t.Kind = KindList
		}
		t.Elem = d.typ(v, self)
	}
}

// list reads `{"<key>": [...]}`, the shape of records, flags, tuples,
// variants and enums.
func (d *decoder) list(n *jnode, key string) []*jnode {
	d.object(n, key)
	v := d.field(n, key)
	d.expect(v, jArray)
	return v.kids
}
