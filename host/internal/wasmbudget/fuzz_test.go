package wasmbudget

import (
	"errors"
	"testing"
)

// FuzzCheck: Check never panics, returns only its two error types, and a
// module always passes the limits Measure says it needs.
//
//	go test ./host/internal/wasmbudget -run '^$' -fuzz FuzzCheck -fuzztime 60s -fuzzminimizetime 2s
//
// (-fuzzminimizetime: minimizing a new input otherwise stalls the run for
// up to a minute each time.)
func FuzzCheck(f *testing.F) {
	// Small guests only: the fuzzer minimizes every new interesting input,
	// which takes it minutes on the 2-14 MB guests (and seconds on 30 KB).
	for _, g := range guestModules(f, 16_000) {
		f.Add(g.bytes)
	}
	f.Add(kitchenSink())
	f.Add(module([][]byte{voidType}, nested(50)))
	f.Add(module([][]byte{voidType}, brTable(20)))
	f.Add(module([][]byte{voidType}, seqLoops(20)))
	f.Add(coreMagic[:])
	f.Fuzz(func(t *testing.T, m []byte) {
		err := Check(m, DefaultLimits())
		var le *LimitError
		var fe *FormatError
		if err != nil && !errors.As(err, &le) && !errors.As(err, &fe) {
			t.Fatalf("Check returned %T: %v", err, err)
		}
		if le != nil && (le.Offset < 0 || le.Offset > int64(len(m))) {
			t.Fatalf("offset %d outside the %d bytes: %v", le.Offset, len(m), err)
		}
		if err := Check(m, Limits{}); err != nil && !errors.As(err, &fe) {
			t.Fatalf("no limits, yet %v", err)
		} else if err != nil {
			return
		}
		st := Measure(m)
		if err := Check(m, st.Limits); err != nil {
			t.Fatalf("the module fails the limits it needs (%+v): %v", st, err)
		}
	})
}
