package wasmbudget

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

// allFeatures are the proposals wazero v1.12 implements.
const allFeatures = api.CoreFeaturesV2 | experimental.CoreFeaturesThreads | experimental.CoreFeaturesTailCall |
	experimental.CoreFeaturesExtendedConst | experimental.CoreFeaturesExceptionHandling |
	experimental.CoreFeaturesTypedFunctionReferences

// compiles reports wazero's verdict on m with every feature it has.
func compiles(m []byte) error {
	ctx := context.Background()
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigCompiler().WithCoreFeatures(allFeatures))
	defer rt.Close(ctx)
	_, err := rt.CompileModule(ctx, m)
	return err
}

var (
	i32c0 = []byte{0x41, 0x00}
	i32c1 = []byte{0x41, 0x01}
	v128c = cat([]byte{0xfd, 0x0c}, make([]byte, 16))
	drop  = []byte{0x1a}
)

// kitchenSink is a valid module using an instruction of every immediate
// shape of every proposal wazero v1.12 implements, in live code.
func kitchenSink() []byte {
	types := vec(
		funcType(nil, nil),                   // 0
		funcType([]byte{0x7f}, []byte{0x7f}), // 1
		funcType([]byte{0x7f}, nil),          // 2: the tag's
		[]byte{0x60, 0x01, 0x64, 0x01, 0x00}, // 3: (ref $1) -> ()
	)
	funcs := vec(uleb(0), uleb(1), uleb(1), uleb(1), uleb(3))
	tables := vec([]byte{0x70, 0x00, 0x02})              // funcref, min 2
	memories := vec([]byte{0x03, 0x01, 0x01})            // shared, 1..1 page
	tags := vec([]byte{0x00, 0x02})                      // tag 0: (i32)
	globals := vec([]byte{0x7f, 0x01, 0x41, 0x00, 0x0b}) // mut i32 = 0
	elems := vec(cat([]byte{0x00, 0x41, 0x00, 0x0b}, vec(uleb(1))), cat([]byte{0x03, 0x00}, vec(uleb(1), uleb(0))))
	datas := vec(cat([]byte{0x01}, vec([]byte{'x'})))

	code := cat(
		[]byte{0x01},                                      // nop
		[]byte{0x02, 0x40, 0x0b},                          // block end
		[]byte{0x03, 0x40, 0x0b},                          // loop end
		i32c0, []byte{0x04, 0x40, 0x01, 0x05, 0x01, 0x0b}, // if nop else nop end
		[]byte{0x02, 0x40}, i32c0, []byte{0x0d, 0x00, 0x0b}, // block br_if 0 end
		[]byte{0x02, 0x40, 0x02, 0x40}, i32c1, []byte{0x0e, 0x02, 0x00, 0x01, 0x00, 0x0b, 0x0b}, // br_table
		[]byte{0x02, 0x40, 0x0c, 0x00, 0x0b}, // block br 0 end
		i32c1, []byte{0x10, 0x01}, drop,      // call
		i32c1, i32c0, []byte{0x11, 0x01, 0x00}, drop, // call_indirect
		i32c0, []byte{0x21, 0x00, 0x20, 0x00, 0x22, 0x00}, drop, // local.set/get/tee
		[]byte{0x23, 0x00, 0x24, 0x00},  // global.get/set
		i32c0, []byte{0x25, 0x00}, drop, // table.get
		i32c0, []byte{0xd0, 0x70, 0x26, 0x00}, // ref.null func; table.set
		i32c0, []byte{0x28, 0x02, 0x00}, drop, // i32.load
		i32c0, []byte{0x42, 0x00, 0x37, 0x03, 0x08}, // i64.const; i64.store
		[]byte{0x3f, 0x00}, drop, i32c0, []byte{0x40, 0x00}, drop, // memory.size/grow
		[]byte{0x43, 0, 0, 0x80, 0x3f}, drop, []byte{0x44, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f}, drop,
		i32c1, i32c1, []byte{0x6a}, drop, // i32.add
		i32c1, i32c1, i32c0, []byte{0x1b}, drop, // select
		i32c1, i32c1, i32c0, []byte{0x1c, 0x01, 0x7f}, drop, // select (result i32)
		[]byte{0xd0, 0x70, 0xd1}, drop, []byte{0xd2, 0x01}, drop, // ref.is_null, ref.func
		i32c0, []byte{0xc0}, drop, // i32.extend8_s
		[]byte{0x43, 0, 0, 0, 0, 0xfc, 0x00}, drop, // i32.trunc_sat_f32_s
		i32c0, i32c0, i32c0, []byte{0xfc, 0x08, 0x00, 0x00}, // memory.init
		[]byte{0xfc, 0x09, 0x00},                            // data.drop
		i32c0, i32c0, i32c0, []byte{0xfc, 0x0a, 0x00, 0x00}, // memory.copy
		i32c0, i32c0, i32c0, []byte{0xfc, 0x0b, 0x00}, // memory.fill
		i32c0, i32c0, i32c0, []byte{0xfc, 0x0c, 0x00, 0x00}, // table.init
		[]byte{0xfc, 0x0d, 0x00},                            // elem.drop
		i32c0, i32c0, i32c0, []byte{0xfc, 0x0e, 0x00, 0x00}, // table.copy
		[]byte{0xd0, 0x70}, i32c1, []byte{0xfc, 0x0f, 0x00}, drop, // table.grow
		[]byte{0xfc, 0x10, 0x00}, drop, // table.size
		i32c0, []byte{0xd0, 0x70}, i32c0, []byte{0xfc, 0x11, 0x00}, // table.fill
		i32c0, []byte{0xfd, 0x00, 0x04, 0x00}, drop, // v128.load
		v128c, drop, // v128.const
		v128c, v128c, []byte{0xfd, 0x0d}, make([]byte, 16), drop, // i8x16.shuffle
		v128c, []byte{0xfd, 0x15, 0x00}, drop, // i8x16.extract_lane_s
		v128c, i32c0, []byte{0xfd, 0x17, 0x00}, drop, // i8x16.replace_lane
		i32c0, v128c, []byte{0xfd, 0x54, 0x00, 0x00, 0x00}, drop, // v128.load8_lane
		i32c0, []byte{0xfd, 0x5c, 0x02, 0x00}, drop, // v128.load32_zero
		v128c, v128c, []byte{0xfd, 0x6e}, drop, // i8x16.add
		i32c0, i32c0, []byte{0xfe, 0x00, 0x02, 0x00}, drop, // memory.atomic.notify
		[]byte{0xfe, 0x03, 0x00},                    // atomic.fence
		i32c0, []byte{0xfe, 0x10, 0x02, 0x00}, drop, // i32.atomic.load
		i32c0, i32c1, []byte{0xfe, 0x1e, 0x02, 0x00}, drop, // i32.atomic.rmw.add
		// try_table (catch 0 0) (catch_all 0): throw 0
		[]byte{0x02, 0x40, 0x02, 0x7f, 0x1f, 0x40, 0x02, 0x00, 0x00, 0x00, 0x02, 0x01}, i32c1, []byte{0x08, 0x00, 0x0b, 0x00, 0x0b}, drop, []byte{0x0b},
		// block (result exnref) try_table (catch_all_ref 0) end unreachable end throw_ref
		[]byte{0x02, 0x69, 0x1f, 0x40, 0x01, 0x03, 0x00, 0x0b, 0x00, 0x0b, 0x0a},
		[]byte{0x0b},
	)
	bodies := vec(
		body([][2]uint64{{1, 0x7f}}, code),
		body(nil, []byte{0x20, 0x00, 0x0b}),
		body(nil, []byte{0x20, 0x00, 0x12, 0x01, 0x0b}),                   // return_call
		body(nil, []byte{0x20, 0x00, 0x41, 0x00, 0x13, 0x01, 0x00, 0x0b}), // return_call_indirect
		// ref: call_ref, ref.as_non_null, br_on_null, br_on_non_null, return_call_ref
		body(nil, cat(
			i32c1, []byte{0x20, 0x00, 0x14, 0x01}, drop,
			[]byte{0x20, 0x00, 0xd4}, drop,
			[]byte{0x02, 0x40, 0x20, 0x00, 0xd5, 0x00}, drop, []byte{0x0b},
			[]byte{0x02, 0x64, 0x01, 0x20, 0x00, 0xd6, 0x00, 0x00, 0x0b}, drop,
			[]byte{0xd2, 0x00, 0x15, 0x00, 0x0b},
		)),
	)
	return cat(coreMagic[:],
		section(1, types), section(3, funcs), section(4, tables), section(5, memories),
		section(13, tags), section(6, globals), section(9, elems), section(12, uleb(1)),
		section(10, bodies), section(11, datas))
}

func TestKitchenSink(t *testing.T) {
	m := kitchenSink()
	if err := compiles(m); err != nil {
		t.Fatalf("the test module is not valid: %v", err)
	}
	st := Measure(m)
	if st.Unscanned != 0 {
		t.Fatalf("%d functions not fully scanned", st.Unscanned)
	}
	if st.Functions != 5 || st.Nesting != 3 || st.BrTableTargets != 3+2+1 || st.Locals != 1 {
		t.Errorf("Measure = %+v", st)
	}
	if err := Check(m, DefaultLimits()); err != nil {
		t.Error(err)
	}
}

// seqLoops is a body of n sequential `loop; i32.const 0; br_if 0; end`.
func seqLoops(n int) []byte {
	return body(nil, cat(repeat([]byte{0x03, 0x40, 0x41, 0x00, 0x0d, 0x00, 0x0b}, n), []byte{0x0b}))
}

func bodies(n int, b []byte) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = b
	}
	return out
}

func TestCheck(t *testing.T) {
	def := DefaultLimits()
	small := func(f func(*Limits)) Limits { l := def; f(&l); return l }
	tests := []struct {
		name  string
		m     []byte
		lim   Limits
		limit string // "" for no error
		value int64  // checked when not zero
		fn    int    // function index in the error (-1 outside code)
	}{
		{"empty module", coreMagic[:], def, "", 0, 0},
		{"kitchen sink", kitchenSink(), def, "", 0, 0},
		{"nesting 3,000", module([][]byte{voidType}, nested(3000)), def, "", 0, 0},
		{"nesting 40,000", module([][]byte{voidType}, nested(40000)), def, "Nesting", 3001, 0},
		{"br_table 1M targets", module([][]byte{voidType}, brTable(1_000_000)), def, "BrTableTargetsPerInstr", 1_000_000, 0},
		{"br_table 10,000 targets", module([][]byte{voidType}, brTable(10_000)), def, "Predecessors", 10_000, 0},
		{"br_tables over the module", module([][]byte{voidType}, bodies(30, brTable(9000))...),
			small(func(l *Limits) { l.Predecessors = 0 }), "BrTableTargets", 252_000, 27},
		{"5,000 sequential loops", module([][]byte{voidType}, seqLoops(5000)), def, "FunctionControlFlow", 0, 0},
		{"1,000 sequential loops", module([][]byte{voidType}, seqLoops(1000)), def, "", 0, 0},
		{"20 functions of 1,000 loops", module([][]byte{voidType}, bodies(20, seqLoops(1000))...), def, "ControlFlow", 0, 11},
		{"10,000 br_if to one block (a chain too)", module([][]byte{voidType},
			body(nil, cat([]byte{0x02, 0x40}, repeat([]byte{0x41, 0x00, 0x0d, 0x00}, 10000), []byte{0x0b, 0x0b}))),
			def, "FunctionControlFlow", 0, 0},
		{"blocks", module([][]byte{voidType}, nested(2000)), small(func(l *Limits) { l.Blocks = 1000 }), "Blocks", 1001, 0},
		{"total blocks", module([][]byte{voidType}, bodies(3, nested(1000))...),
			small(func(l *Limits) { l.TotalBlocks = 2500 }), "TotalBlocks", 2501, 2},
		{"10M declared locals", module([][]byte{voidType}, body([][2]uint64{{10_000_000, 0x7e}}, []byte{0x0b})),
			def, "Locals", 10_000_000, 0},
		{"locals over u32 in groups", module([][]byte{voidType}, body([][2]uint64{{1<<32 - 1, 0x7e}, {1<<32 - 1, 0x7f}}, []byte{0x0b})),
			small(func(l *Limits) { l.Locals = 0; l.TotalLocals = 0 }), "", 0, 0},
		{"locals over the module", module([][]byte{voidType}, bodies(200, body([][2]uint64{{2000, 0x7e}}, []byte{0x0b}))...),
			def, "TotalLocals", 250_000 + 2000, 125},
		{"wide type", module([][]byte{funcType(repeat([]byte{0x7f}, 200), repeat([]byte{0x7f}, 100))}),
			def, "FuncTypeValues", 300, -1},
		{"100,001 functions", cat(coreMagic[:], section(3, cat(uleb(100_001), make([]byte, 100_001)))), def, "Functions", 100_001, -1},
		{"big table", cat(coreMagic[:], section(4, vec([]byte{0x70, 0x00, 0x80, 0x80, 0x80, 0x01}))), def, "TableElements", 1 << 21, -1},
		{"big body", module([][]byte{voidType}, body(nil, cat(repeat([]byte{0x41, 0x01, 0x1a}, 400_000), []byte{0x0b}))),
			def, "FunctionBytes", 1_200_002, 0},
		{"module size", kitchenSink(), small(func(l *Limits) { l.ModuleBytes = 100 }), "ModuleBytes", int64(len(kitchenSink())), -1},
		{"no limits", module([][]byte{voidType}, nested(40000)), Limits{}, "", 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Check(tc.m, tc.lim)
			if tc.limit == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var le *LimitError
			if !errors.As(err, &le) {
				t.Fatalf("Check = %v, want a %s LimitError", err, tc.limit)
			}
			if le.Limit != tc.limit || (tc.value != 0 && le.Value != tc.value) || le.Func != tc.fn {
				t.Errorf("got %s %d in function %d, want %s %d in function %d (%v)", le.Limit, le.Value, le.Func, tc.limit, tc.value, tc.fn, err)
			}
			if le.Offset < 0 || le.Offset >= int64(len(tc.m)) {
				t.Errorf("offset %d outside the module", le.Offset)
			}
			if !strings.Contains(err.Error(), "raise the compile budget ("+tc.limit+")") {
				t.Errorf("message does not say how to raise it: %v", err)
			}
		})
	}
}

func TestErrorMessage(t *testing.T) {
	names := section(0, cat(uleb(4), []byte("name"), []byte{1}, uleb(8), vec(cat(uleb(0), uleb(5), []byte("deep\x1b")))))
	m := cat(module([][]byte{voidType}, nested(5000)), names)
	err := Check(m, DefaultLimits())
	want := `compile budget: control nesting 3001 deep exceeds the limit of 3000 (function 0 "deep\x1b", byte 0x1789); if the module is trusted, raise the compile budget (Nesting)`
	if err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
	// The error points at the block that crossed the limit.
	if le := err.(*LimitError); m[le.Offset] != 0x02 || le.Offset != 25+2*3000 {
		t.Errorf("offset 0x%x holds 0x%02x, want the 3001st block", le.Offset, m[le.Offset])
	}
}

// TestMalformed: lengths past the end are refused (wazero would allocate
// for them); anything else malformed is left to wazero.
func TestMalformed(t *testing.T) {
	huge := uleb(1<<32 - 1)
	tests := []struct {
		name string
		m    []byte
		want string // substring of the FormatError, "" for nil
	}{
		{"not wasm", []byte("hello"), ""},
		{"component", []byte("\x00asm\x0d\x00\x01\x00"), ""},
		{"truncated section", cat(coreMagic[:], []byte{0x01, 0x10, 0x01}), "type section: 16 bytes, but the module ends 1 bytes into it"},
		{"imports 2^32-1", cat(coreMagic[:], section(2, huge)), "import section: import count 4294967295 exceeds the 0 bytes left"},
		{"exports 2^32-1", cat(coreMagic[:], section(7, huge)), "export section: export count"},
		{"function names 2^32-1", cat(coreMagic[:], section(0, cat(uleb(4), []byte("name"), []byte{1}, uleb(5), huge))), "custom section: names count"},
		{"local names", cat(coreMagic[:], section(0, cat(uleb(4), []byte("name"), []byte{2}, uleb(7), uleb(1), uleb(0), huge))), "local names count"},
		{"data length", cat(coreMagic[:], section(11, cat(uleb(1), []byte{0x01}, huge))), "data section: data length count"},
		{"element vector", cat(coreMagic[:], section(9, cat(uleb(1), []byte{0x01, 0x00}, huge))), "function index count"},
		{"body size", cat(coreMagic[:], section(10, cat(uleb(1), huge))), "function body size count"},
		{"value types", cat(coreMagic[:], section(1, cat(uleb(1), []byte{0x60}, huge))), "value type count"},
		{"import name", cat(coreMagic[:], section(2, cat(uleb(1), huge))), "module name length"},
		{"unknown opcode", module([][]byte{voidType}, body(nil, []byte{0x06, 0x40, 0x0b, 0x0b})), ""},
		{"branch to no label", module([][]byte{voidType}, body(nil, []byte{0x0c, 0x05, 0x0b})), ""},
		{"truncated body", cat(coreMagic[:], section(10, cat(uleb(1), uleb(3), []byte{0x00, 0x02, 0x40}))), ""},
		{"bad LEB", cat(coreMagic[:], []byte{0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Check(tc.m, DefaultLimits())
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var fe *FormatError
			if !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Check = %v, want a FormatError with %q", err, tc.want)
			}
		})
	}
}

// TestStopsEarly: a limit crossed before malformed code is still reported,
// and a function Check cannot read is counted as unscanned.
func TestStopsEarly(t *testing.T) {
	m := module([][]byte{voidType}, body(nil, cat(repeat([]byte{0x02, 0x40}, 4000), []byte{0x06})))
	var le *LimitError
	if err := Check(m, DefaultLimits()); !errors.As(err, &le) || le.Limit != "Nesting" {
		t.Errorf("Check = %v, want Nesting", err)
	}
	if st := Measure(m); st.Unscanned != 1 || st.Nesting != 4000 {
		t.Errorf("Measure = %+v, want 1 unscanned, nesting 4000", st)
	}
}
