package abi

import (
	"context"
	"runtime"
	"testing"

	"github.com/bigband-dev/bigband/wit"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// fuzzInput reads what the fuzzer gives, yielding zeros once it runs out.
type fuzzInput struct{ b []byte }

func (in *fuzzInput) byte() byte {
	if len(in.b) == 0 {
		return 0
	}
	c := in.b[0]
	in.b = in.b[1:]
	return c
}

func (in *fuzzInput) u32() uint32 {
	var v uint32
	for i := range 4 {
		v |= uint32(in.byte()) << (8 * i)
	}
	return v
}

// fixedSizes are the fixed-list lengths the fuzzer picks from: small ones,
// the flat limit's edges and lengths whose sizes overflow 32 bits.
var fixedSizes = [...]uint32{1, 2, 3, 16, 17, 1 << 16, MaxTypeSize, 1<<32 - 1}

// buildTypes makes a Resolve of up to 16 types from the input. Each type
// refers to primitives and to other types by index (forward references
// and cycles included: the layout code must reject them, not recurse
// forever), and the last one is the type to lift.
func buildTypes(in *fuzzInput) (*wit.Resolve, wit.Type) {
	r := &wit.Resolve{}
	n := int(in.byte()%16) + 1
	ty := func() wit.Type {
		c := in.byte()
		if c < 0x60 {
			// A primitive, None and error-context included.
			return wit.Type{Prim: wit.Prim(c % uint8(wit.ErrorContext+1))}
		}
		return wit.TypeRef(wit.TypeID(int(c) % n))
	}
	count := func() int { return int(in.byte() % 5) }
	for range n {
		td := &wit.TypeDef{}
		switch in.byte() % 15 {
		case 0:
			td.Kind = wit.KindRecord
			for i := range count() + 1 {
				td.Fields = append(td.Fields, wit.Field{Name: string(rune('a' + i)), Type: ty()})
			}
		case 1:
			td.Kind = wit.KindTuple
			for range count() + 1 {
				td.Types = append(td.Types, ty())
			}
		case 2:
			td.Kind = wit.KindVariant
			for i := range count() + 1 {
				c := wit.Case{Name: string(rune('a' + i))}
				if in.byte()%2 == 0 {
					c.Type = ty()
				}
				td.Cases = append(td.Cases, c)
			}
		case 3:
			td.Kind = wit.KindEnum
			for i := range int(in.byte()) + 1 {
				td.Enum = append(td.Enum, wit.EnumCase{Name: string(rune('a' + i%26))})
			}
		case 4:
			td.Kind, td.Elem = wit.KindOption, ty()
		case 5:
			td.Kind = wit.KindResult
			if in.byte()%2 == 0 {
				td.Ok = ty()
			}
			if in.byte()%2 == 0 {
				td.Err = ty()
			}
		case 6:
			td.Kind = wit.KindFlags
			for i := range int(in.byte()%40) + 1 {
				td.Flags = append(td.Flags, wit.Flag{Name: string(rune('a' + i%26))})
			}
		case 7, 8:
			td.Kind, td.Elem = wit.KindList, ty()
		case 9:
			td.Kind, td.Elem = wit.KindFixedList, ty()
			td.Size = fixedSizes[in.byte()%uint8(len(fixedSizes))]
		case 10:
			td.Kind, td.Elem = wit.KindAlias, ty()
		case 11:
			td.Kind, td.Key, td.Elem = wit.KindMap, ty(), ty()
		case 12:
			td.Kind = wit.KindResource
		case 13:
			td.Kind, td.Resource = wit.KindOwn, wit.TypeID(int(in.byte())%n)
		case 14:
			td.Kind, td.Resource = wit.KindBorrow, wit.TypeID(int(in.byte())%n)
		}
		r.Types = append(r.Types, td)
	}
	return r, wit.TypeRef(wit.TypeID(n - 1))
}

const fuzzPages = 2

func FuzzLift(f *testing.F) {
	ctx := context.Background()
	rtm := wazero.NewRuntime(ctx)
	f.Cleanup(func() { rtm.Close(ctx) })
	m, err := rtm.Instantiate(ctx, memoryModule(fuzzPages))
	if err != nil {
		f.Fatal(err)
	}
	mem := m.ExportedMemory("memory")
	zero := make([]byte, fuzzPages<<16)

	// Seeds: a list of records of strings, a fixed list, a variant.
	f.Add([]byte{3, 0, 2, 0x10, 0x10, 7, 1, 9, 0x00, 0, 0, 0, 8, 0, 0, 0, 2, 0, 0, 0})
	f.Add([]byte{1, 9, 0x02, 6, 1, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{2, 2, 3, 0, 0x0d, 1, 0, 0x61, 0, 0, 0, 0, 1, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		in := &fuzzInput{b: data}
		r, target := buildTypes(in)
		types := NewTypes(r)
		enc := StringEncoding(in.byte() % 3)
		var flat []uint64
		for range int(in.byte() % 20) {
			v := uint64(in.u32())
			if v&1 != 0 {
				v %= fuzzPages << 16 // mostly pointers into memory
			}
			flat = append(flat, v)
		}
		mem.Write(0, zero)
		mem.Write(0, in.b) // the rest of the input is guest memory

		rt := &ResourceType{Name: "res"}
		handles := &Handles{}
		for i := range 4 {
			handles.New(rt, uint32(i))
		}
		budget := Budget{Bytes: 1 << 20, Elements: 1 << 12}
		newCx := func() *Cx {
			return &Cx{Ctx: ctx, Types: types, Memory: api.Memory(mem), Encoding: enc, Handles: handles, Scope: &CallScope{},
				Resource: func(wit.TypeID) *ResourceType { return rt }, Budget: budget}
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, _ = newCx().liftFlat(&flatIter{vals: flat}, target)
		if len(flat) > 0 {
			_, _ = newCx().load(uint32(flat[0]), target)
		}
		if fn, err := types.FuncOf([]wit.Type{target, {Prim: wit.String}}, target); err == nil {
			_, _ = fn.LiftResult(newCx(), flat)
			_, _ = fn.LiftArgs(newCx(), flat)
		}
		runtime.ReadMemStats(&after)
		// Four lifts, each within the budget: Go memory stays a small
		// multiple of it (strings triple at most, each element costs its
		// slot, box and container).
		if got, limit := after.TotalAlloc-before.TotalAlloc, uint64(4*(3*budget.Bytes+128*budget.Elements)+1<<20); got > limit {
			t.Fatalf("lifting allocated %d bytes, more than the budget allows (%d)", got, limit)
		}
		// Sizes stay clamped and flattenings cut, whatever the types.
		for i := range r.Types {
			ty := wit.TypeRef(wit.TypeID(i))
			if size, _ := types.SizeAlign(ty); size > MaxTypeSize+1 {
				t.Fatalf("type %d: size %d", i, size)
			}
			if n := len(types.Flatten(ty)); n > flatCap {
				t.Fatalf("type %d: %d flat values", i, n)
			}
		}
	})
}
