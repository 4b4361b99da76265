package wasi

import (
	"context"
	"encoding/binary"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bigband-dev/bigband/host/abi"
	"github.com/bigband-dev/bigband/wit"
	"github.com/tetratelabs/wazero"
)

// TestFieldsBudget lifts fields.from-list arguments under the budget the
// runtime gives wasi:http/types: the largest call the field limits allow
// lifts, and 1,000 entries aliasing one 200 MiB value stop at the first.
func TestFieldsBudget(t *testing.T) {
	b, ok := LiftBudget("wasi:http/types", "[static]fields.from-list")
	if !ok || b.Bytes < MaxFieldsBytes {
		t.Fatalf("LiftBudget = %+v, %v", b, ok)
	}
	if _, ok := LiftBudget("wasi:io/streams", "[method]output-stream.write"); ok {
		t.Error("streams take the runtime's default budget")
	}
	// from-list's parameter, as wasi:http/types declares it.
	path := filepath.Join(t.TempDir(), "t.wit")
	src := "package t:t;\ninterface i { type field-key = string; type field-value = list<u8>; from-list: func(entries: list<tuple<field-key, field-value>>); }\n"
	r, pkg, err := wit.Load(path, wit.LoadOptions{Overlays: map[string][]byte{path: []byte(src)}})
	if err != nil {
		t.Fatal(err)
	}
	iid, _ := r.Packages[pkg].Interface("i")
	types := abi.NewTypes(r)
	fn, err := types.Func(r.Interfaces[iid].Function("from-list"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	rtm := wazero.NewRuntime(ctx)
	defer rtm.Close(ctx)
	// (module (memory (export "memory") 4096)): 256 MiB, untouched past
	// the entries.
	mod, err := rtm.Instantiate(ctx, []byte("\x00asm\x01\x00\x00\x00\x05\x04\x01\x00\x80\x20\x07\x0a\x01\x06memory\x02\x00"))
	if err != nil {
		t.Fatal(err)
	}
	mem := mod.ExportedMemory("memory")
	entries := func(n, valueLen uint32) {
		b := make([]byte, 16*n)
		for i := range n {
			binary.LittleEndian.PutUint32(b[16*i+8:], 1<<20) // value pointer; the name is empty
			binary.LittleEndian.PutUint32(b[16*i+12:], valueLen)
		}
		mem.Write(0, b)
	}
	lift := func() error {
		cx := &abi.Cx{Ctx: ctx, Types: types, Memory: mem, Handles: &abi.Handles{}, Budget: b}
		_, err := fn.LiftArgs(cx, []uint64{0, uint64(MaxFieldsEntries)})
		return err
	}
	entries(MaxFieldsEntries, MaxFieldsBytes/MaxFieldsEntries)
	if err := lift(); err != nil {
		t.Fatalf("%d entries, %d bytes of values in all: %v", MaxFieldsEntries, MaxFieldsBytes, err)
	}
	entries(MaxFieldsEntries, 200<<20)
	err = lift()
	if !errors.Is(err, abi.ErrBudgetExceeded) || !strings.Contains(err.Error(), "at argument entries[0].1; a wasi:http/types call takes at most 1 MiB") {
		t.Fatalf("aliased 200 MiB values: got %v", err)
	}
}
