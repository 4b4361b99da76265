package wasi

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bigband-dev/bigband/host/component"
	"github.com/bigband-dev/bigband/wit"
)

// TestEmbeddedWITCoversHost: every interface, function and resource the
// host implements is in WASI's WIT, so CheckTypes has something to compare
// each one with.
func TestEmbeddedWITCoversHost(t *testing.T) {
	w, err := loadWIT()
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range all() {
		wi := w.ifaces[it.Name]
		if wi == nil {
			t.Errorf("%s: not in WASI's WIT", it.Name)
			continue
		}
		for f := range it.Funcs {
			if wi.Function(f) == nil {
				t.Errorf("%s#%s: not in WASI's WIT", it.Name, f)
			}
		}
		for _, res := range it.Resources {
			id, ok := wi.Type(res)
			if !ok || w.r.Types[id].Kind != wit.KindResource {
				t.Errorf("%s: resource %s not in WASI's WIT", it.Name, res)
			}
		}
	}
	// Every package is there, at one version.
	for _, p := range []string{"cli", "clocks", "filesystem", "http", "io", "random", "sockets"} {
		if _, ok := w.r.PackageNames["wasi:"+p+"@0.2.12"]; !ok {
			t.Errorf("wasi:%s@0.2.12 missing; have %v", p, w.r.PackageNames)
		}
	}
}

// TestOlderWASIAgrees checks the claim CheckTypes rests on: WASI's own WIT
// of older 0.2 releases (vendored under fixtures/guests/) declares every function
// and type exactly as the embedded newest one does.
func TestOlderWASIAgrees(t *testing.T) {
	for _, version := range []string{"0.2.0", "0.2.10"} {
		r, _, err := wit.Load(filepath.Join("..", "..", "guest", "wit", "http", version), wit.LoadOptions{AllFeatures: true})
		if err != nil {
			t.Fatal(err)
		}
		funcs := 0
		for _, p := range r.Packages {
			if p.Name.Namespace != "wasi" {
				continue
			}
			for _, e := range p.Interfaces {
				gi := r.Interfaces[e.ID]
				funcs += len(gi.Functions)
				for _, msg := range CheckTypes(p.Name.InterfaceID(e.Name), r, gi) {
					t.Errorf("WASI %s: %s", version, msg)
				}
			}
		}
		if funcs < 150 {
			t.Errorf("WASI %s: only %d functions compared", version, funcs)
		}
	}
}

// TestRealGuestsAgree runs CheckTypes on every WASI import of the real
// guests under fixtures/guests/, as the host does when it links them: they must
// pass, and the check must have compared their functions.
func TestRealGuestsAgree(t *testing.T) {
	for _, tc := range []struct {
		path     string
		minFuncs int
	}{
		{"fixtures/guests/go/frontend/frontend.component.wasm", 20},
		{"fixtures/guests/js/frontend/frontend.wasm", 20},
		{"fixtures/guests/js/backend/backend.wasm", 80},
		{"fixtures/guests/c/backend/backend.wasm", 20},
		{"fixtures/guests/c/backend/backend-v2.wasm", 20},
		// The ABI torture guests import no WASI; they are here to show the
		// check leaves guests without WASI imports alone.
		{"fixtures/guests/abi-torture/torture.wasm", 0},
		{"fixtures/guests/abi-torture/c/compact.component.wasm", 0},
		{"fixtures/guests/abi-torture/c/utf16.component.wasm", 0},
	} {
		t.Run(filepath.Base(tc.path), func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("..", "..", tc.path))
			if err != nil {
				t.Fatalf("%v (rebuild fixtures with `task fixtures`)", err)
			}
			c, err := component.Decode(b)
			if err != nil {
				t.Fatal(err)
			}
			r, w, err := c.World()
			if err != nil {
				t.Fatal(err)
			}
			funcs := 0
			for _, it := range r.Worlds[w].Imports {
				gi := r.Interfaces[it.Interface]
				if it.Kind != wit.WorldInterface || gi.Package == nil || r.Packages[*gi.Package].Name.Namespace != "wasi" {
					continue
				}
				funcs += len(gi.Functions)
				for _, msg := range CheckTypes(r.Packages[*gi.Package].Name.InterfaceID(*gi.Name), r, gi) {
					t.Error(msg)
				}
			}
			if funcs < tc.minFuncs {
				t.Errorf("%d WASI functions compared, want at least %d", funcs, tc.minFuncs)
			}
			t.Logf("%d WASI functions compared", funcs)
		})
	}
}

// guestView loads src as a guest's view of one WASI package and returns
// the Resolve and its interface iface.
func guestView(t *testing.T, src, iface string) (*wit.Resolve, *wit.Interface) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "g.wit")
	r, pkg, err := wit.Load(path, wit.LoadOptions{Overlays: map[string][]byte{path: []byte(src)}})
	if err != nil {
		t.Fatal(err)
	}
	id, ok := r.Packages[pkg].Interface(iface)
	if !ok {
		t.Fatalf("no interface %s", iface)
	}
	return r, r.Interfaces[id]
}

func TestCheckTypes(t *testing.T) {
	for _, tc := range []struct {
		name, iface, src string
		want             []string
	}{
		{"agrees", "wall-clock", `package wasi:clocks@0.2.3;
interface wall-clock {
  record datetime { seconds: u64, nanoseconds: u32 }
  now: func() -> datetime;
}`, nil},
		{"a type is named differently", "random", `package wasi:random@0.2.0;
interface random {
  type bytes = list<u8>;
  get-random-bytes: func(len: u64) -> bytes;
}`, []string{"import wasi:random/random@0.2.0: type bytes is not in WASI's wasi:random/random"}},
		{"record field type", "wall-clock", `package wasi:clocks@0.2.3;
interface wall-clock {
  record datetime { seconds: u64, nanoseconds: u64 }
  now: func() -> datetime;
}`, []string{"import wasi:clocks/wall-clock@0.2.3: type datetime: record datetime field nanoseconds is u64, WASI declares u32"}},
		{"record field order and an extra field", "wall-clock", `package wasi:clocks@0.2.0;
interface wall-clock {
  record datetime { nanoseconds: u32, seconds: u64 }
  record instant { seconds: u64, nanoseconds: u32, leap: bool }
  now: func() -> datetime;
}`, []string{
			"import wasi:clocks/wall-clock@0.2.0: type datetime: record datetime fields are in the order nanoseconds, seconds, WASI declares seconds, nanoseconds",
			"import wasi:clocks/wall-clock@0.2.0: type instant is not in WASI's wasi:clocks/wall-clock",
		}},
		{"variant case missing", "streams", `package wasi:io@0.2.0;
interface error { resource error; }
interface streams {
  use error.{error};
  variant stream-error { closed }
  resource input-stream { read: func(len: u64) -> result<list<u8>, stream-error>; }
}`, []string{"import wasi:io/streams@0.2.0: type stream-error: variant stream-error has no case last-operation-failed, WASI declares last-operation-failed(error)"}},
		{"variant payload", "streams", `package wasi:io@0.2.0;
interface streams {
  variant stream-error { last-operation-failed(string), closed }
}`, []string{"import wasi:io/streams@0.2.0: type stream-error: variant stream-error case last-operation-failed is last-operation-failed(string), WASI declares last-operation-failed(error)"}},
		{"enum cases", "types", `package wasi:filesystem@0.2.0;
interface types {
  enum advice { normal, sequential, random }
}`, []string{"import wasi:filesystem/types@0.2.0: type advice: enum advice cases are normal, sequential, random, WASI declares normal, sequential, random, will-need, dont-need, no-reuse"}},
		{"flags", "types", `package wasi:filesystem@0.2.0;
interface types {
  flags path-flags { follow }
}`, []string{"import wasi:filesystem/types@0.2.0: type path-flags: flags path-flags are follow, WASI declares symlink-follow"}},
		{"param", "types", `package wasi:http@0.2.0;
interface types {
  resource fields { get: func(name: u32) -> list<list<u8>>; }
}`, []string{"import wasi:http/types@0.2.0#[method]fields.get: param 1 (name) is u32, WASI declares field-name (string)"}},
		{"own where WASI borrows", "poll", `package wasi:io@0.2.0;
interface poll {
  resource pollable;
  poll: func(in: list<pollable>) -> list<u32>;
}`, []string{"import wasi:io/poll@0.2.0#poll: param 0 (in) is list<pollable>, WASI declares list<borrow<pollable>>"}},
		{"results", "random", `package wasi:random@0.2.0;
interface random {
  get-random-bytes: func(len: u64);
  get-random-u64: func() -> u32;
}`, []string{
			"import wasi:random/random@0.2.0#get-random-bytes: returns nothing, WASI declares list<u8>",
			"import wasi:random/random@0.2.0#get-random-u64: result is u32, WASI declares u64",
		}},
		{"result where none", "exit", `package wasi:cli@0.2.0;
interface exit {
  exit: func(status: result) -> bool;
}`, []string{"import wasi:cli/exit@0.2.0#exit: returns bool, WASI declares no result"}},
		{"parameter count", "environment", `package wasi:cli@0.2.0;
interface environment {
  get-environment: func(max: u32) -> list<tuple<string, string>>;
}`, []string{"import wasi:cli/environment@0.2.0#get-environment: type is func(max: u32) -> list<tuple<string, string>>, WASI declares func() -> list<tuple<string, string>>"}},
		{"resource named differently", "poll", `package wasi:io@0.2.0;
interface poll {
  resource waitable;
  poll: func(in: list<borrow<waitable>>) -> list<u32>;
}`, []string{
			"import wasi:io/poll@0.2.0: type waitable is not in WASI's wasi:io/poll",
			"import wasi:io/poll@0.2.0#poll: param 0 (in) is list<borrow<waitable>>, WASI declares list<borrow<pollable>>",
		}},
		{"function not in WASI", "poll", `package wasi:io@0.2.0;
interface poll { poll-all: func(); }`, []string{"import wasi:io/poll@0.2.0#poll-all: not in WASI's wasi:io/poll"}},
		{"interface not in WASI", "frob", `package wasi:io@0.2.0;
interface frob { f: func(); }`, []string{"import wasi:io/frob@0.2.0: not an interface of WASI 0.2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, gi := guestView(t, tc.src, tc.iface)
			pn := r.Packages[*gi.Package].Name
			got := CheckTypes(pn.InterfaceID(*gi.Name), r, gi)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tc.want, "\n  "))
			}
		})
	}
}

func TestTypeErrorMessage(t *testing.T) {
	one := &TypeError{Problems: []string{"import a#f: result is u32, WASI declares u64"}}
	if got, want := one.Error(), "import a#f: result is u32, WASI declares u64 (the guest's bindings do not match WASI 0.2: regenerate them from WASI's WIT)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	var many TypeError
	for i := 0; i < 1000; i++ {
		many.Problems = append(many.Problems, "import a#f: x")
	}
	msg := many.Error()
	if lines := strings.Count(msg, "\n"); lines != maxProblems+1 || !strings.HasSuffix(msg, "... and 980 more") || !strings.HasPrefix(msg, "1000 imported WASI functions or types differ from WASI's own WIT") {
		t.Errorf("%d lines:\n%s", lines, msg)
	}
}

// importOnly is a component importing one instance, declared by decls
// (component-model binary declarations), under name.
func importOnly(name string, decls ...[]byte) []byte {
	vec := func(items ...[]byte) []byte {
		out := []byte{byte(len(items))}
		for _, it := range items {
			out = append(out, it...)
		}
		return out
	}
	sec := func(id byte, body []byte) []byte { return append([]byte{id, byte(len(body))}, body...) }
	str := func(s string) []byte { return append([]byte{byte(len(s))}, s...) }
	types := sec(7, vec(append([]byte{0x42}, vec(decls...)...)))
	imports := sec(10, vec(append(append([]byte{0x00}, str(name)...), 0x05, 0x00)))
	return append(append([]byte("\x00asm\x0d\x00\x01\x00"), types...), imports...)
}

// FuzzCheckTypes: whatever a guest's binary declares for its WASI imports,
// comparing it with WASI's WIT ends with messages, never a panic.
func FuzzCheckTypes(f *testing.F) {
	export := func(name string, desc ...byte) []byte {
		return append(append([]byte{0x04, 0x00, byte(len(name))}, name...), desc...)
	}
	f.Add(importOnly("wasi:http/types@0.2.0",
		export("fields", 0x03, 0x01), // type 0: resource fields
		[]byte{0x01, 0x68, 0x00},     // 1: borrow<fields>
		[]byte{0x01, 0x70, 0x7d},     // 2: list<u8>
		[]byte{0x01, 0x70, 0x02},     // 3: list<list<u8>>
		[]byte{0x01, 0x40, 0x02, 0x04, 's', 'e', 'l', 'f', 0x01, 0x04, 'n', 'a', 'm', 'e', 0x73, 0x00, 0x03}, // 4: func
		export("[method]fields.get", 0x01, 0x04)))
	lof := "last-operation-failed"
	f.Add(importOnly("wasi:io/streams@0.2.0",
		export("error", 0x03, 0x01), // type 0: resource error
		[]byte{0x01, 0x69, 0x00},    // 1: own<error>
		append(append([]byte{0x01, 0x71, 0x02, byte(len(lof))}, lof...), 0x01, 0x01, 0x00, 6, 'c', 'l', 'o', 's', 'e', 'd', 0x00, 0x00), // 2: variant
		export("stream-error", 0x03, 0x00, 0x02)))
	if b, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "guests", "c", "backend", "backend.wasm")); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, bin []byte) {
		c, err := component.Decode(bin)
		if err != nil {
			return
		}
		r, w, err := c.World()
		if err != nil {
			return
		}
		for _, it := range r.Worlds[w].Imports {
			gi := r.Interfaces[it.Interface]
			if it.Kind == wit.WorldInterface && gi.Name != nil && gi.Package != nil {
				_ = CheckTypes(r.Packages[*gi.Package].Name.InterfaceID(*gi.Name), r, gi)
			}
		}
	})
}

func BenchmarkResolveWIT(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := resolveWIT(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckTypes checks every WASI import of the JS backend (the
// guest with the most), as linking it does.
func BenchmarkCheckTypes(b *testing.B) {
	bin, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "guests", "js", "backend", "backend.wasm"))
	if err != nil {
		b.Skip(err)
	}
	c, err := component.Decode(bin)
	if err != nil {
		b.Fatal(err)
	}
	r, w, err := c.World()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, it := range r.Worlds[w].Imports {
			gi := r.Interfaces[it.Interface]
			if it.Kind == wit.WorldInterface && gi.Package != nil {
				if msgs := CheckTypes(r.Packages[*gi.Package].Name.InterfaceID(*gi.Name), r, gi); len(msgs) > 0 {
					b.Fatal(msgs)
				}
			}
		}
	}
}
