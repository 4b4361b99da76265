package component_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/bigband-dev/bigband/host/component"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

// Instantiating the split module and writing its segments gives the same
// memory as instantiating the module itself, for real guests.
func TestSplitDataSameMemory(t *testing.T) {
	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	defer rt.Close(ctx)
	wasi_snapshot_preview1.MustInstantiate(ctx, rt)
	for _, rel := range []string{
		"fixtures/guests/c/frontend/frontend.wasm",
		"fixtures/guests/c/malicious/malicious.wasm",
		"fixtures/guests/abi-torture/c/utf16.core.wasm",
		"fixtures/guests/go/frontend/frontend.core.wasm",
	} {
		t.Run(filepath.Base(rel), func(t *testing.T) {
			wasm, err := os.ReadFile(filepath.Join("..", "..", rel))
			if err != nil {
				t.Fatal(err)
			}
			code, segs, ok, err := component.SplitData(wasm)
			if err != nil || !ok {
				t.Fatalf("SplitData: ok=%v err=%v", ok, err)
			}
			if len(segs) == 0 {
				t.Fatal("no active segments found")
			}
			if len(code) >= len(wasm) {
				t.Errorf("split module is %d bytes, original %d", len(code), len(wasm))
			}
			want := memoryAfter(t, rt, wasm, nil)
			got := memoryAfter(t, rt, code, segs)
			if !bytes.Equal(got, want) {
				t.Fatal("memory differs from the original module's")
			}
		})
	}
}

func memoryAfter(t *testing.T, rt wazero.Runtime, wasm []byte, segs []component.DataSegment) []byte {
	t.Helper()
	ctx := context.Background()
	m, err := rt.Instantiate(ctx, wasm)
	if err == nil {
		defer m.Close(ctx)
	}
	if err != nil {
		// Modules that need a start-free instantiation (reactors run
		// nothing at instantiation) come through InstantiateModule.
		cm, cerr := rt.CompileModule(ctx, wasm)
		if cerr != nil {
			t.Fatal(cerr)
		}
		m, err = rt.InstantiateModule(ctx, cm, wazero.NewModuleConfig().WithName("").WithStartFunctions())
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close(ctx)
	}
	mem := m.Memory()
	if mem == nil {
		t.Fatal("module has no memory")
	}
	for _, s := range segs {
		if !mem.Write(uint32(s.Offset), s.Data) {
			t.Fatalf("segment at %#x (+%d) out of bounds", s.Offset, len(s.Data))
		}
	}
	b, _ := mem.Read(0, mem.Size())
	return bytes.Clone(b)
}

// Two modules that differ only in their data split into the same code.
func TestSplitDataKeysOnCode(t *testing.T) {
	a := dataModule("hello, world")
	b := dataModule("HELLO, WORLD")
	ca, sa, ok, err := component.SplitData(a)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	cb, sb, _, _ := component.SplitData(b)
	if !bytes.Equal(ca, cb) {
		t.Error("code differs between modules that differ only in data")
	}
	if string(sa[0].Data) != "hello, world" || string(sb[0].Data) != "HELLO, WORLD" || sa[0].Offset != 1024 {
		t.Errorf("segments: %+v %+v", sa, sb)
	}
}

// Data that moves (a segment grew or shrank) keys on the same code too:
// offsets go with the data.
func TestSplitDataMovedSegment(t *testing.T) {
	a := dataModuleExpr([]byte{0x41, 0x80, 0x08, 0x0b}, "short")           // at 1024
	b := dataModuleExpr([]byte{0x41, 0x80, 0x10, 0x0b}, "somewhat longer") // at 2048
	ca, sa, ok, err := component.SplitData(a)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	cb, sb, _, _ := component.SplitData(b)
	if !bytes.Equal(ca, cb) {
		t.Error("code differs between modules whose data differs in size and place")
	}
	if sa[0].Offset != 1024 || sb[0].Offset != 2048 || sb[0].Index != 0 {
		t.Errorf("segments: %+v %+v", sa, sb)
	}
}

// A start function, or an offset read from a global, refuses the split.
func TestSplitDataRefuses(t *testing.T) {
	start := append(dataModule("x"), 8, 1, 0) // start section: func 0 (validity is wazero's business)
	if _, _, ok, err := component.SplitData(start); ok || err != nil {
		t.Errorf("module with a start function: ok=%v err=%v", ok, err)
	}
	glob := dataModuleExpr([]byte{0x23, 0x00, 0x0b}, "x") // global.get 0
	if _, _, ok, err := component.SplitData(glob); ok || err != nil {
		t.Errorf("offset from a global: ok=%v err=%v", ok, err)
	}
	if _, _, _, err := component.SplitData(dataModule("abc")[:20]); err == nil {
		t.Error("truncated module: no error")
	}
}

func dataModule(data string) []byte {
	return dataModuleExpr([]byte{0x41, 0x80, 0x08, 0x0b}, data) // i32.const 1024
}

// dataModuleExpr is a module with one memory page and one active segment
// placed by expr.
func dataModuleExpr(expr []byte, data string) []byte {
	m := []byte("\x00asm\x01\x00\x00\x00")
	m = append(m, 5, 3, 1, 0, 1) // memory section: 1 memory, min 1
	seg := append([]byte{0}, expr...)
	seg = component.AppendU32(seg, uint32(len(data)))
	seg = append(seg, data...)
	body := component.AppendU32(nil, 1)
	body = append(body, seg...)
	m = append(m, 11)
	m = component.AppendU32(m, uint32(len(body)))
	return append(m, body...)
}

func FuzzSplitData(f *testing.F) {
	f.Add(dataModule("hello"))
	f.Add(dataModuleExpr([]byte{0x42, 0x10, 0x0b}, "x"))
	f.Fuzz(func(t *testing.T, wasm []byte) {
		code, segs, ok, err := component.SplitData(wasm)
		if err != nil || !ok {
			return
		}
		n := 0
		for _, s := range segs {
			n += len(s.Data)
		}
		if len(code) > len(wasm)+16 || n > len(wasm) {
			t.Fatalf("split grew: code %d + data %d from %d bytes", len(code), n, len(wasm))
		}
		// Splitting the split module again finds only empty segments.
		code2, segs2, ok2, err2 := component.SplitData(code)
		if err2 != nil || !ok2 || !bytes.Equal(code2, code) {
			t.Fatalf("split of split: ok=%v err=%v same=%v", ok2, err2, bytes.Equal(code2, code))
		}
		for _, s := range segs2 {
			if len(s.Data) != 0 {
				t.Fatal("split module still carries data")
			}
		}
	})
}
