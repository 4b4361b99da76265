package wasmbudget

import (
	"context"
	"os"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"
)

// TestMeasureCompileCost shows how wazero's compile time and memory grow
// with the shapes this package budgets, to justify DefaultLimits; the
// limit-* shapes sit just under the defaults, the worst they let through.
// It takes several minutes, so it runs only with BIGBAND_MEASURE=1
// (or BIGBAND_MEASURE=<shape> for one shape):
//
//	BIGBAND_MEASURE=1 go test ./host/internal/wasmbudget -run TestMeasureCompileCost -v -timeout 1h
//
// It asserts nothing about time; it logs one line per module.
func TestMeasureCompileCost(t *testing.T) {
	only := os.Getenv("BIGBAND_MEASURE")
	if only == "" {
		t.Skip("set BIGBAND_MEASURE=1 (or a shape name) to measure wazero's compile cost")
	}
	for _, sh := range shapes {
		if only != "1" && only != sh.name {
			continue
		}
		for _, n := range sh.sizes {
			m := sh.build(n)
			st := Measure(m)
			d, alloc, peak := compileCost(t, m)
			t.Logf("%-15s n=%-8d %8d B  blocks %7d  preds %6d  control-flow %11d  %8.2f s  alloc %5d MiB  peak heap %5d MiB  %s",
				sh.name, n, len(m), st.Blocks, st.Predecessors, st.ControlFlow, d.Seconds(), alloc>>20, peak>>20, verdict(m))
		}
	}
}

type shape struct {
	name  string
	sizes []int
	build func(n int) []byte
}

var shapes = []shape{
	{"nest", []int{1000, 5000, 10000, 20000, 40000}, func(n int) []byte {
		return module([][]byte{voidType}, nested(n))
	}},
	// block; i32.const 0; br_if 0; end, n times in sequence
	{"seq-br_if", []int{1000, 2000, 5000, 10000}, func(n int) []byte {
		return module([][]byte{voidType}, body(nil, cat(repeat([]byte{0x02, 0x40, 0x41, 0x00, 0x0d, 0x00, 0x0b}, n), []byte{0x0b})))
	}},
	// loop; i32.const 0; br_if 0; end, n times in sequence
	{"seq-loop", []int{1000, 2000, 5000, 10000}, func(n int) []byte {
		return module([][]byte{voidType}, body(nil, cat(repeat([]byte{0x03, 0x40, 0x41, 0x00, 0x0d, 0x00, 0x0b}, n), []byte{0x0b})))
	}},
	// i32.const 0; if; end, n times in sequence
	{"seq-if", []int{1000, 2000, 5000, 10000}, func(n int) []byte {
		return module([][]byte{voidType}, body(nil, cat(repeat([]byte{0x41, 0x00, 0x04, 0x40, 0x0b}, n), []byte{0x0b})))
	}},
	// the same loops spread over functions of 1,000 each: linear
	{"loop-funcs", []int{10, 50, 100}, func(n int) []byte {
		b := body(nil, cat(repeat([]byte{0x03, 0x40, 0x41, 0x00, 0x0d, 0x00, 0x0b}, 1000), []byte{0x0b}))
		bodies := make([][]byte, n)
		for i := range bodies {
			bodies[i] = b
		}
		return module([][]byte{voidType}, bodies...)
	}},
	{"br_table", []int{10000, 100000, 300000}, func(n int) []byte {
		return module([][]byte{voidType}, brTable(n))
	}},
	// a br_table whose n targets cycle over 1,000 nested blocks
	{"br_table-spread", []int{10000, 100000, 300000}, func(n int) []byte {
		code := cat(repeat([]byte{0x02, 0x40}, 1000), []byte{0x41, 0x00, 0x0e}, uleb(uint64(n-1)))
		for i := range n {
			code = append(code, uleb(uint64(i%1000))...)
		}
		return module([][]byte{voidType}, body(nil, cat(code, repeat([]byte{0x0b}, 1001))))
	}},
	// n br_if to one label: the block after it has n predecessors
	{"br_if-one", []int{10000, 30000}, func(n int) []byte {
		return module([][]byte{voidType}, body(nil, cat([]byte{0x02, 0x40}, repeat([]byte{0x41, 0x00, 0x0d, 0x00}, n), []byte{0x0b, 0x0b})))
	}},
	// 10 functions with one br_table each: is memory per function or per module?
	{"br_table10", []int{10000, 100000}, func(n int) []byte {
		bodies := make([][]byte, 10)
		for i := range bodies {
			bodies[i] = brTable(n)
		}
		return module([][]byte{voidType}, bodies...)
	}},
	// straight-line code: i32.const 1; drop, n times
	{"flat", []int{100000, 500000, 1000000}, func(n int) []byte {
		return module([][]byte{voidType}, body(nil, cat(repeat([]byte{0x41, 0x01, 0x1a}, n), []byte{0x0b})))
	}},
	// n i64 locals, each set once and read in a loop: liveness across blocks
	{"locals", []int{1000, 10000, 50000}, func(n int) []byte {
		code := []byte{0x03, 0x40}
		for i := range n {
			code = cat(code, []byte{0x20}, uleb(uint64(i)), []byte{0x42, 0x01, 0x7c, 0x21}, uleb(uint64(i)))
		}
		code = cat(code, []byte{0x41, 0x00, 0x0d, 0x00, 0x0b, 0x0b})
		return module([][]byte{voidType}, body([][2]uint64{{uint64(n), 0x7e}}, code))
	}},
	// declared but unused locals: wazero allocates them all
	{"locals-decl", []int{100000, 1000000, 10000000}, func(n int) []byte {
		return module([][]byte{voidType}, body([][2]uint64{{uint64(n), 0x7e}}, []byte{0x0b}))
	}},
	// a type of n i32 params called 1,000 times from dead code
	{"wide-type", []int{1000, 10000, 50000}, func(n int) []byte {
		wide := funcType(repeat([]byte{0x7f}, n), nil)
		code := cat([]byte{0x00}, repeat([]byte{0x10, 0x00}, 1000), []byte{0x0b})
		types := [][]byte{wide}
		m := cat(coreMagic[:], section(1, vec(types...)), section(3, vec(uleb(0))), section(10, vec(body(nil, code))))
		return m
	}},
	// a type of 256 i32 params called n times from dead code
	{"wide-calls", []int{10000, 100000, 400000}, func(n int) []byte {
		wide := funcType(repeat([]byte{0x7f}, 256), nil)
		code := cat([]byte{0x00}, repeat([]byte{0x10, 0x00}, n), []byte{0x0b})
		return cat(coreMagic[:], section(1, vec(wide)), section(3, vec(uleb(0))), section(10, vec(body(nil, code))))
	}},
	// Just under the defaults: the worst each limit lets through.
	// n functions of 2,200 sequential br_if blocks: control-flow 4.8M each
	{"limit-flow", []int{1, 10}, func(n int) []byte {
		b := body(nil, cat(repeat([]byte{0x02, 0x40, 0x41, 0x00, 0x0d, 0x00, 0x0b}, 2200), []byte{0x0b}))
		return module([][]byte{voidType}, bodies(n, b)...)
	}},
	// n functions with a br_table of 5,000 targets to one label
	{"limit-preds", []int{1, 49}, func(n int) []byte {
		return module([][]byte{voidType}, bodies(n, brTable(5000))...)
	}},
	// n functions of 2,000 i64 locals used in a loop
	{"limit-locals", []int{1, 125}, func(n int) []byte {
		code := []byte{0x03, 0x40}
		for i := range 2000 {
			code = cat(code, []byte{0x20}, uleb(uint64(i)), []byte{0x42, 0x01, 0x7c, 0x21}, uleb(uint64(i)))
		}
		code = cat(code, []byte{0x41, 0x00, 0x0d, 0x00, 0x0b, 0x0b})
		return module([][]byte{voidType}, bodies(n, body([][2]uint64{{2000, 0x7e}}, code))...)
	}},
	// n functions of one br_table with 10,000 targets over 100 nested blocks
	{"limit-blocks", []int{1, 24}, func(n int) []byte {
		code := cat(repeat([]byte{0x02, 0x40}, 100), []byte{0x41, 0x00, 0x0e}, uleb(10000-1))
		for i := range 10000 {
			code = append(code, uleb(uint64(i%100))...)
		}
		return module([][]byte{voidType}, bodies(n, body(nil, cat(code, repeat([]byte{0x0b}, 101))))...)
	}},
	// one function of n such br_tables in sequence: compile memory per function
	{"limit-memory", []int{1, 4}, func(n int) []byte {
		code := cat(repeat([]byte{0x02, 0x40}, 100), []byte{0x41, 0x00, 0x0e}, uleb(10000-1))
		for i := range 10000 {
			code = append(code, uleb(uint64(i%100))...)
		}
		code = cat(code, repeat([]byte{0x0b}, 100))
		return module([][]byte{voidType}, body(nil, cat(repeat(code, n), []byte{0x0b})))
	}},
	// n small functions
	{"funcs", []int{10000, 50000, 100000}, func(n int) []byte {
		bodies := make([][]byte, n)
		for i := range bodies {
			bodies[i] = body(nil, []byte{0x41, 0x01, 0x1a, 0x0b})
		}
		return module([][]byte{voidType}, bodies...)
	}},
}

// compileCost compiles m in a fresh runtime (no cache) and returns the time,
// the bytes allocated and the peak live heap seen every 2 ms.
func compileCost(t *testing.T, m []byte) (time.Duration, uint64, uint64) {
	ctx := context.Background()
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigCompiler())
	defer rt.Close(ctx)
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	})
	start := time.Now()
	_, err := rt.CompileModule(ctx, m)
	d := time.Since(start)
	close(done)
	wg.Wait()
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	return d, after.TotalAlloc - before.TotalAlloc, peak - min(peak, before.HeapAlloc)
}

func verdict(m []byte) string {
	if err := Check(m, DefaultLimits()); err != nil {
		return "refused: " + err.(*LimitError).Limit
	}
	return "passes"
}
