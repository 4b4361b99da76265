package host_test

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/bigband-dev/bigband/host"
	"github.com/bigband-dev/bigband/host/abi"
)

type tortureCase struct {
	Export string            `json:"export"`
	Args   []json.RawMessage `json:"args"`
	Result json.RawMessage   `json:"result"`
	Trap   bool              `json:"trap"`
	Hangs  bool              `json:"hangs"`
}

func decodeJSON(t *testing.T, b []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return v
}

// sameJSON compares decoded JSON; numbers compare exactly as integers when
// both are integers, else as floats (formatting of f32 values differs
// between encoders).
func sameJSON(a, b any) bool {
	switch x := a.(type) {
	case json.Number:
		y, ok := b.(json.Number)
		if !ok {
			return false
		}
		if x.String() == y.String() {
			return true
		}
		if strings.ContainsAny(x.String()+y.String(), ".eE") {
			fx, err1 := strconv.ParseFloat(x.String(), 64)
			fy, err2 := strconv.ParseFloat(y.String(), 64)
			return err1 == nil && err2 == nil && (fx == fy || float32(fx) == float32(fy)) && math.Signbit(fx) == math.Signbit(fy)
		}
		return false
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameJSON(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			if !sameJSON(v, y[k]) {
				return false
			}
		}
		return true
	}
	return a == b
}

// runCases calls every case of a fixture's cases.json and compares the
// result value for value.
func runCases(t *testing.T, guest, cases string) {
	p := loadGuest(t, guest)
	var cs []tortureCase
	if err := json.Unmarshal(repoFile(t, cases), &cs); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	inst, err := p.Instantiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close(ctx)
	ran := 0
	for i, c := range cs {
		if c.Hangs || c.Trap {
			continue // TestTortureTrapAndSpin
		}
		e, err := p.Lookup(c.Export)
		if err != nil {
			t.Errorf("case %d: %v", i, err)
			continue
		}
		argsJSON, _ := json.Marshal(c.Args)
		args, err := p.ArgsFromJSON(e, argsJSON)
		if err != nil {
			t.Errorf("case %d %s: args: %v", i, c.Export, err)
			continue
		}
		v, err := inst.CallExport(ctx, e, args...)
		if err != nil {
			t.Fatalf("case %d %s%s: %v", i, c.Export, argsJSON, err)
		}
		out, err := p.ResultJSON(e, v)
		if err != nil {
			t.Errorf("case %d %s: %v", i, c.Export, err)
			continue
		}
		if !sameJSON(decodeJSON(t, out), decodeJSON(t, c.Result)) {
			t.Errorf("case %d %s%s:\n got %s\nwant %s", i, c.Export, argsJSON, out, c.Result)
		}
		ran++
	}
	if ran < len(cs)/2 {
		t.Fatalf("only %d of %d cases ran", ran, len(cs))
	}
	t.Logf("%s: %d cases value-for-value", guest, ran)
}

func TestTortureJS(t *testing.T) {
	runCases(t, "fixtures/guests/abi-torture/torture.wasm", "fixtures/guests/abi-torture/cases.json")
}

func TestTortureStringEncodings(t *testing.T) {
	for _, g := range []string{"utf16.core.wasm", "utf16.component.wasm", "compact.core.wasm", "compact.component.wasm"} {
		t.Run(g, func(t *testing.T) {
			runCases(t, "fixtures/guests/abi-torture/c/"+g, "fixtures/guests/abi-torture/c/cases.json")
		})
	}
}

func TestTortureResources(t *testing.T) {
	p := loadGuest(t, "fixtures/guests/abi-torture/torture.wasm")
	ctx := context.Background()
	inst, err := p.Instantiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close(ctx)
	call := func(name string, args ...any) any {
		t.Helper()
		v, err := inst.Call(ctx, name, args...)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return v
	}
	c := call("types#[constructor]counter", uint32(5)).(abi.Resource)
	if got := call("types#[method]counter.inc", c, uint32(2)); got != uint32(7) {
		t.Fatalf("inc = %v, want 7", got)
	}
	if got := call("types#peek", c); got != uint32(7) {
		t.Fatalf("peek(borrow) = %v, want 7", got)
	}
	z := call("types#[static]counter.zero").(abi.Resource)
	if got := call("types#[method]counter.get", z); got != uint32(0) {
		t.Fatalf("zero().get() = %v", got)
	}
	if err := inst.DropResource(ctx, z); err != nil {
		t.Fatal(err)
	}
	if got := call("types#consume", c); got != uint32(7) {
		t.Fatalf("consume(own) = %v, want 7", got)
	}
	// The handle moved into the guest with consume: using it again fails.
	if _, err := inst.Call(ctx, "types#[method]counter.get", c); err == nil {
		t.Fatal("a consumed counter must be gone")
	}
}

func TestTortureTrapAndSpin(t *testing.T) {
	rt := newRuntime(t, host.Config{CacheDir: testCache, CallTimeout: 2e9})
	p, err := rt.Load(context.Background(), repoFile(t, "fixtures/guests/abi-torture/torture.wasm"), host.LoadOptions{Name: "torture.wasm"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, name := range []string{"types#trap", "types#spin"} {
		inst, err := p.Instantiate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := inst.Call(ctx, name); err == nil || !strings.Contains(err.Error(), "torture.wasm: bigband:torture/types@0.1.0#"+name[6:]) {
			t.Errorf("%s: got %v, want an error naming the export", name, err)
		}
		if _, err := inst.Call(ctx, "hello", "x"); err == nil {
			t.Errorf("%s: the instance must be discarded", name)
		}
	}
}
