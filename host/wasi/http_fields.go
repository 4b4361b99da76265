package wasi

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/bigband-dev/bigband/host/abi"
)

// header-error cases, in WIT order.
const (
	headerInvalidSyntax uint32 = iota
	headerForbidden
	headerImmutable
)

func headerErr(c uint32) abi.Result { return abi.Err(abi.Variant{Case: c}) }

// Limits on what one wasi:http/types call takes from the guest, enforced
// as the lift budget of its arguments (see LiftBudget), so a guest passing
// fields.from-list a thousand entries that alias one huge value is stopped
// at the first entry over the limit, before the host copies anything.
const (
	// MaxFieldsBytes bounds the field names and values of one call, as
	// net/http's DefaultMaxHeaderBytes bounds a request's header block.
	MaxFieldsBytes = 1 << 20
	// MaxFieldsEntries bounds the entries (name/value pairs) of one call.
	MaxFieldsEntries = 1 << 14
)

// fieldsBudget is the lift budget of a wasi:http/types call: the field
// limits plus the list's own memory (16 bytes an entry) and a few values
// (each entry lifts a tuple, a name and a value).
var fieldsBudget = abi.Budget{
	Bytes:    MaxFieldsBytes + 16*MaxFieldsEntries,
	Elements: 4*MaxFieldsEntries + 64,
	Hint:     fmt.Sprintf("a wasi:http/types call takes at most %d MiB of field names and values in %d entries (wasi.MaxFieldsBytes, wasi.MaxFieldsEntries)", MaxFieldsBytes>>20, MaxFieldsEntries),
}

// field is one name/value pair. Values are bytes, kept exactly as given:
// WIT allows malformed (non-UTF-8) values and a proxy must not rewrite them.
type field struct {
	name  string
	value []byte
}

// Fields is a wasi:http fields resource (also headers and trailers).
//
// Immutable fields are views the host hands out (a request's headers, a
// future's trailers, an outgoing message's headers): their list is shared
// with the parent and never changes, so views need no copy.
type Fields struct {
	mu        sync.Mutex
	list      []field
	immutable bool
	// release, when set, tells the parent that this child is gone (the
	// guest dropped it or handed its ownership to a constructor).
	release func()
}

// NewFields returns mutable fields holding a copy of h, names lower-cased.
func NewFields(h http.Header) *Fields { return &Fields{list: fromHeader(h)} }

// fromHeader converts a net/http header to fields: names lower-cased (as
// HTTP/2 and hyper present them), keys sorted so that the guest sees a
// stable order, values in their original order and untouched.
func fromHeader(h http.Header) []field {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var list []field
	for _, k := range keys {
		name := strings.ToLower(k)
		for _, v := range h[k] {
			list = append(list, field{name: name, value: []byte(v)})
		}
	}
	return list
}

// view returns an immutable child over list; release runs when the guest
// is done with it.
func view(list []field, release func()) *Fields {
	return &Fields{list: list, immutable: true, release: release}
}

// Drop implements abi.Dropper.
func (f *Fields) Drop() { f.detach() }

// detach tells the parent, once, that this child is gone.
func (f *Fields) detach() {
	f.mu.Lock()
	rel := f.release
	f.release = nil
	f.mu.Unlock()
	if rel != nil {
		rel()
	}
}

// take moves ownership of the fields to a new parent (a constructor's
// argument): the old parent, if any, loses a child, and the new owner gets
// a list nobody else can change.
func (f *Fields) take() []field {
	f.detach()
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.immutable {
		// Shared with the old parent: copy the slice header's backing so a
		// later append by the new owner can't write into it.
		return append([]field(nil), f.list...)
	}
	list := f.list
	f.list = nil
	return list
}

// Header returns the fields as a net/http header (keys canonicalised).
func (f *Fields) Header() http.Header {
	f.mu.Lock()
	defer f.mu.Unlock()
	return toHeader(f.list)
}

func toHeader(list []field) http.Header {
	h := make(http.Header, len(list))
	for _, e := range list {
		k := http.CanonicalHeaderKey(e.name)
		h[k] = append(h[k], string(e.value))
	}
	return h
}

// Get returns the values of name (case-insensitive).
func (f *Fields) Get(name string) [][]byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out [][]byte
	for _, e := range f.list {
		if strings.EqualFold(e.name, name) {
			out = append(out, e.value)
		}
	}
	return out
}

// mutate runs change on a mutable list after validating name (and values);
// it returns the WIT result.
func (f *Fields) mutate(name string, values [][]byte, change func(list []field) []field) abi.Result {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.immutable {
		return headerErr(headerImmutable)
	}
	if c, ok := checkField(name, values); !ok {
		return headerErr(c)
	}
	f.list = change(f.list)
	return abi.Ok(nil)
}

func without(list []field, name string) []field {
	out := list[:0]
	for _, e := range list {
		if !strings.EqualFold(e.name, name) {
			out = append(out, e)
		}
	}
	// Clear the tail so dropped values can be collected.
	clear(list[len(out):])
	return out
}

// checkField validates a name and its values; on failure it returns the
// header-error case.
func checkField(name string, values [][]byte) (uint32, bool) {
	if !validFieldName(name) {
		return headerInvalidSyntax, false
	}
	for _, v := range values {
		if !validFieldValue(v) {
			return headerInvalidSyntax, false
		}
	}
	if forbiddenField(name) {
		return headerForbidden, false
	}
	return 0, true
}

// validFieldName reports whether name is an RFC 9110 token.
func validFieldName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		if !isTokenChar(name[i]) {
			return false
		}
	}
	return true
}

func isTokenChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// validFieldValue accepts what can be put on the wire unchanged: visible
// ASCII, space, tab and obs-text (bytes ≥ 0x80, which WIT lets through on
// purpose); never CR, LF, NUL or other controls, which would split or
// corrupt the header block.
func validFieldValue(v []byte) bool {
	for _, c := range v {
		if c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// forbiddenField reports hop-by-hop fields: they describe one connection,
// which net/http manages, so a guest setting them could break framing
// (transfer-encoding) or the connection itself (upgrade).
func forbiddenField(name string) bool {
	switch strings.ToLower(name) {
	case "connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "upgrade", "http2-settings":
		return true
	}
	return false
}

// fieldsFromList builds mutable fields from the WIT list<tuple<field-name,
// field-value>>, validating each entry.
func fieldsFromList(entries []any) (abi.Result, error) {
	list := make([]field, 0, len(entries))
	for i, v := range entries {
		t, ok := v.(abi.Tuple)
		if !ok || len(t) != 2 {
			return abi.Result{}, fmt.Errorf("wasi:http: fields.from-list: entry %d is %T, want a 2-tuple", i, v)
		}
		name, ok := t[0].(string)
		if !ok {
			return abi.Result{}, fmt.Errorf("wasi:http: fields.from-list: entry %d: name is %T", i, t[0])
		}
		value, err := bytesOf(t[1])
		if err != nil {
			return abi.Result{}, fmt.Errorf("wasi:http: fields.from-list: entry %d: %w", i, err)
		}
		if c, ok := checkField(name, [][]byte{value}); !ok {
			return headerErr(c), nil
		}
		list = append(list, field{name: name, value: value})
	}
	return abi.Ok(&Fields{list: list}), nil
}

// bytesOf accepts a list<u8> as the ABI lifts it ([]byte) or as a
// generic list ([]any of uint8), which tests and other hosts may pass.
func bytesOf(v any) ([]byte, error) {
	switch b := v.(type) {
	case []byte:
		return b, nil
	case []any:
		out := make([]byte, len(b))
		for i, x := range b {
			u, ok := x.(uint8)
			if !ok {
				return nil, fmt.Errorf("byte %d is %T", i, x)
			}
			out[i] = u
		}
		return out, nil
	}
	return nil, fmt.Errorf("value is %T, want list<u8>", v)
}

func entriesOf(list []field) []any {
	out := make([]any, len(list))
	for i, e := range list {
		out[i] = abi.Tuple{e.name, e.value}
	}
	return out
}

// fieldsFuncs are the functions of the fields resource.
func fieldsFuncs() map[string]Func {
	nameArg := func(args []any) (string, error) {
		return arg[string](args, 0)
	}
	return map[string]Func{
		"[constructor]fields": func(context.Context, *State, []any) (any, error) {
			return &Fields{}, nil
		},
		"[static]fields.from-list": func(_ context.Context, _ *State, args []any) (any, error) {
			entries, err := arg[[]any](args, 0)
			if err != nil {
				return nil, err
			}
			return fieldsFromList(entries)
		},
		"[method]fields.get": method(func(_ context.Context, _ *State, f *Fields, args []any) (any, error) {
			name, err := nameArg(args)
			if err != nil {
				return nil, err
			}
			vals := f.Get(name)
			out := make([]any, len(vals))
			for i, v := range vals {
				out[i] = v
			}
			return out, nil
		}),
		"[method]fields.has": method(func(_ context.Context, _ *State, f *Fields, args []any) (any, error) {
			name, err := nameArg(args)
			if err != nil {
				return nil, err
			}
			return validFieldName(name) && len(f.Get(name)) > 0, nil
		}),
		"[method]fields.set": method(func(_ context.Context, _ *State, f *Fields, args []any) (any, error) {
			name, err := nameArg(args)
			if err != nil {
				return nil, err
			}
			raw, err := arg[[]any](args, 1)
			if err != nil {
				return nil, err
			}
			values := make([][]byte, len(raw))
			for i, v := range raw {
				if values[i], err = bytesOf(v); err != nil {
					return nil, fmt.Errorf("wasi:http: fields.set: value %d: %w", i, err)
				}
			}
			return f.mutate(name, values, func(list []field) []field {
				list = without(list, name)
				for _, v := range values {
					list = append(list, field{name: name, value: v})
				}
				return list
			}), nil
		}),
		"[method]fields.delete": method(func(_ context.Context, _ *State, f *Fields, args []any) (any, error) {
			name, err := nameArg(args)
			if err != nil {
				return nil, err
			}
			return f.mutate(name, nil, func(list []field) []field { return without(list, name) }), nil
		}),
		"[method]fields.append": method(func(_ context.Context, _ *State, f *Fields, args []any) (any, error) {
			name, err := nameArg(args)
			if err != nil {
				return nil, err
			}
			if len(args) < 2 {
				return nil, fmt.Errorf("wasi:http: fields.append: value missing")
			}
			value, err := bytesOf(args[1])
			if err != nil {
				return nil, fmt.Errorf("wasi:http: fields.append: %w", err)
			}
			return f.mutate(name, [][]byte{value}, func(list []field) []field {
				return append(list, field{name: name, value: value})
			}), nil
		}),
		"[method]fields.entries": method(func(_ context.Context, _ *State, f *Fields, _ []any) (any, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			return entriesOf(f.list), nil
		}),
		"[method]fields.clone": method(func(_ context.Context, _ *State, f *Fields, _ []any) (any, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			return &Fields{list: append([]field(nil), f.list...)}, nil
		}),
	}
}
