package wasi

import (
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"fmt"
	mrand "math/rand/v2"

	"github.com/bigband-dev/bigband/host/abi"
)

// maxRandomBytes bounds one get-random-bytes call: the answer is held in
// host memory before it is copied into the guest, so a guest must not be
// able to make the host allocate without limit.
const maxRandomBytes = 64 << 20

func randomLen(args []any, fn string) (uint64, error) {
	n, err := arg[uint64](args, 0)
	if err != nil {
		return 0, err
	}
	if n > maxRandomBytes {
		return 0, fmt.Errorf("wasi:random: %s: %d bytes requested, at most %d per call", fn, n, maxRandomBytes)
	}
	return n, nil
}

func randomRandom() *Interface {
	return &Interface{
		Name: "wasi:random/random",
		Funcs: map[string]Func{
			"get-random-bytes": func(_ context.Context, _ *State, args []any) (any, error) {
				n, err := randomLen(args, "get-random-bytes")
				if err != nil {
					return nil, err
				}
				b := make([]byte, n)
				_, _ = crand.Read(b) // never fails (crypto/rand docs)
				return b, nil
			},
			"get-random-u64": func(context.Context, *State, []any) (any, error) {
				var b [8]byte
				_, _ = crand.Read(b[:])
				return binary.LittleEndian.Uint64(b[:]), nil
			},
		},
	}
}

func randomInsecure() *Interface {
	return &Interface{
		Name: "wasi:random/insecure",
		Funcs: map[string]Func{
			"get-insecure-random-bytes": func(_ context.Context, _ *State, args []any) (any, error) {
				n, err := randomLen(args, "get-insecure-random-bytes")
				if err != nil {
					return nil, err
				}
				b := make([]byte, n)
				for i := 0; i < len(b); i += 8 {
					v := mrand.Uint64()
					for j := i; j < len(b) && j < i+8; j++ {
						b[j] = byte(v)
						v >>= 8
					}
				}
				return b, nil
			},
			"get-insecure-random-u64": func(context.Context, *State, []any) (any, error) {
				return mrand.Uint64(), nil
			},
		},
	}
}

// InsecureSeed returns the instance's insecure-seed: chosen once, then the
// same on every call, as the interface intends (a seed for hash maps).
func (st *State) InsecureSeed() [2]uint64 {
	st.mu.Lock()
	defer st.mu.Unlock()
	if !st.seeded {
		st.seed = [2]uint64{mrand.Uint64(), mrand.Uint64()}
		st.seeded = true
	}
	return st.seed
}

func randomInsecureSeed() *Interface {
	return &Interface{
		Name: "wasi:random/insecure-seed",
		Funcs: map[string]Func{
			"insecure-seed": func(_ context.Context, st *State, _ []any) (any, error) {
				s := st.InsecureSeed()
				return abi.Tuple{s[0], s[1]}, nil
			},
		},
	}
}
