package wasmasm

import (
	"context"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// TestModuleRuns: an assembled module with an import, locals, a start
// function and data validates in wazero and computes what its code says.
func TestModuleRuns(t *testing.T) {
	ctx := context.Background()
	r := wazero.NewRuntime(ctx)
	defer r.Close(ctx)
	var got []uint32
	if _, err := r.NewHostModuleBuilder("x").NewFunctionBuilder().
		WithFunc(func(v uint32) { got = append(got, v) }).Export("log").Instantiate(ctx); err != nil {
		t.Fatal(err)
	}
	m := Module{
		MinPages: 1,
		Data:     []byte{7, 0, 0, 0},
		Imports:  []Import{{"x", "log", []byte{I32}, nil}},
		Funcs: []Func{
			{Body: []byte{0x41, 1, 0x10, 0}}, // start: log(1)
			// add(a, b): local 2 = a + b; log(local 2); return local 2 + mem[0]
			{Export: "add", Params: []byte{I32, I32}, Results: []byte{I32}, Locals: []byte{I32},
				Body: []byte{0x20, 0, 0x20, 1, 0x6a, 0x21, 2, 0x20, 2, 0x10, 0, 0x20, 2, 0x41, 0, 0x28, 2, 0, 0x6a}},
		},
		Start: Index(1),
	}
	inst, err := r.Instantiate(ctx, m.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	res, err := inst.ExportedFunction("add").Call(ctx, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	if api.DecodeU32(res[0]) != 12 || len(got) != 2 || got[0] != 1 || got[1] != 5 {
		t.Fatalf("add(2, 3) = %d, logged %v; want 12 and [1 5]", res[0], got)
	}
}

func TestULEB(t *testing.T) {
	for _, c := range []struct {
		v    uint64
		want []byte
	}{{0, []byte{0}}, {127, []byte{0x7f}}, {128, []byte{0x80, 1}}, {624485, []byte{0xe5, 0x8e, 0x26}}} {
		if got := U(c.v); string(got) != string(c.want) {
			t.Errorf("U(%d) = %x, want %x", c.v, got, c.want)
		}
	}
}
