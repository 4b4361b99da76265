package wasi

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/bigband-dev/bigband/host/abi"
)

func TestEnvironment(t *testing.T) {
	st := NewState(Config{
		Env:  [][2]string{{"NODE_ENV", "development"}, {"EMPTY", ""}},
		Args: []string{"plugin", "--verbose"},
	})
	const env = "wasi:cli/environment"
	for _, tc := range []struct {
		fn   string
		want any
	}{
		{"get-environment", []any{abi.Tuple{"NODE_ENV", "development"}, abi.Tuple{"EMPTY", ""}}},
		{"get-arguments", []any{"plugin", "--verbose"}},
		{"initial-cwd", abi.None},
	} {
		if got := call(t, st, env, tc.fn); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s = %#v, want %#v", tc.fn, got, tc.want)
		}
	}
	empty := NewState(Config{})
	if got := call(t, empty, env, "get-environment"); !reflect.DeepEqual(got, []any{}) {
		t.Errorf("default environment = %#v, want empty", got)
	}
}

func TestExit(t *testing.T) {
	for _, tc := range []struct {
		fn   string
		arg  any
		code uint32
	}{
		{"exit", abi.Ok(nil), 0},
		{"exit", abi.Err(nil), 1},
		{"exit-with-code", uint8(42), 42},
	} {
		_, err := callErr(NewState(Config{}), "wasi:cli/exit", tc.fn, tc.arg)
		var exit *ExitError
		if !errors.As(err, &exit) || exit.Code != tc.code {
			t.Errorf("%s(%v) = %v, want exit code %d", tc.fn, tc.arg, err, tc.code)
		}
	}
}

func TestNoTerminals(t *testing.T) {
	st := NewState(Config{})
	for _, name := range []string{"stdin", "stdout", "stderr"} {
		if got := call(t, st, "wasi:cli/terminal-"+name, "get-terminal-"+name); got != abi.None {
			t.Errorf("get-terminal-%s = %#v, want none", name, got)
		}
	}
}

func TestMonotonicClock(t *testing.T) {
	const clock = "wasi:clocks/monotonic-clock"
	st := NewState(Config{})
	a := call(t, st, clock, "now").(uint64)
	time.Sleep(time.Millisecond)
	b := call(t, st, clock, "now").(uint64)
	if b <= a {
		t.Errorf("monotonic clock went from %d to %d", a, b)
	}
	if call(t, st, clock, "resolution") != uint64(1) {
		t.Error("resolution not 1ns")
	}

	fake := NewState(Config{Monotonic: func() time.Duration { return 5 * time.Second }})
	if got := call(t, fake, clock, "now"); got != uint64(5*time.Second) {
		t.Errorf("now with Config.Monotonic = %v", got)
	}
	past := call(t, fake, clock, "subscribe-instant", uint64(time.Second)).(*Pollable)
	if !past.Ready() {
		t.Error("pollable for a past instant not ready")
	}
	future := call(t, fake, clock, "subscribe-instant", uint64(5*time.Second+10*time.Millisecond)).(*Pollable)
	if future.Ready() {
		t.Error("pollable for a future instant ready at once")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := future.Block(ctx); err != nil {
		t.Errorf("future instant never came: %v", err)
	}
	zero := call(t, st, clock, "subscribe-duration", uint64(0)).(*Pollable)
	if !zero.Ready() {
		t.Error("zero duration not ready")
	}
	huge := call(t, st, clock, "subscribe-duration", ^uint64(0)).(*Pollable)
	if huge.Ready() {
		t.Error("max duration ready")
	}
	huge.Drop()
}

func TestWallClock(t *testing.T) {
	const clock = "wasi:clocks/wall-clock"
	at := time.Date(2025, 3, 1, 12, 0, 0, 123, time.UTC)
	st := NewState(Config{Now: func() time.Time { return at }})
	for _, tc := range []struct {
		fn   string
		want abi.Record
	}{
		{"now", abi.Record{uint64(at.Unix()), uint32(123)}},
		{"resolution", abi.Record{uint64(0), uint32(1)}},
	} {
		if got := call(t, st, clock, tc.fn); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s = %#v, want %#v", tc.fn, got, tc.want)
		}
	}
	real := call(t, NewState(Config{}), clock, "now").(abi.Record)
	if d := time.Since(time.Unix(int64(real[0].(uint64)), int64(real[1].(uint32)))); d < 0 || d > time.Minute {
		t.Errorf("real wall clock off by %v", d)
	}
	if got := Datetime(time.Unix(-5, 0)); !reflect.DeepEqual(got, abi.Record{uint64(0), uint32(0)}) {
		t.Errorf("pre-epoch datetime = %#v", got)
	}
}

func TestTimezone(t *testing.T) {
	st := NewState(Config{})
	when := abi.Record{uint64(0), uint32(0)}
	if got := call(t, st, "wasi:clocks/timezone", "display", when); !reflect.DeepEqual(got, abi.Record{int32(0), "UTC", false}) {
		t.Errorf("display = %#v", got)
	}
	if got := call(t, st, "wasi:clocks/timezone", "utc-offset", when); got != int32(0) {
		t.Errorf("utc-offset = %#v", got)
	}
}

func TestRandom(t *testing.T) {
	st := NewState(Config{})
	for _, tc := range []struct{ iface, fn string }{
		{"wasi:random/random", "get-random-bytes"},
		{"wasi:random/insecure", "get-insecure-random-bytes"},
	} {
		for _, n := range []uint64{0, 1, 7, 8, 33, 4096} {
			b := call(t, st, tc.iface, tc.fn, n).([]byte)
			if uint64(len(b)) != n {
				t.Errorf("%s(%d): %d bytes", tc.fn, n, len(b))
			}
		}
		a, b := call(t, st, tc.iface, tc.fn, uint64(32)), call(t, st, tc.iface, tc.fn, uint64(32))
		if reflect.DeepEqual(a, b) {
			t.Errorf("%s: two calls returned the same 32 bytes", tc.fn)
		}
		if _, err := callErr(st, tc.iface, tc.fn, uint64(1)<<40); err == nil {
			t.Errorf("%s(2^40): no error", tc.fn)
		}
	}
	for _, tc := range []struct{ iface, fn string }{
		{"wasi:random/random", "get-random-u64"},
		{"wasi:random/insecure", "get-insecure-random-u64"},
	} {
		if call(t, st, tc.iface, tc.fn) == call(t, st, tc.iface, tc.fn) {
			t.Errorf("%s: same value twice", tc.fn)
		}
	}
	seed := call(t, st, "wasi:random/insecure-seed", "insecure-seed")
	if tup, ok := seed.(abi.Tuple); !ok || len(tup) != 2 {
		t.Fatalf("insecure-seed = %#v", seed)
	}
	if again := call(t, st, "wasi:random/insecure-seed", "insecure-seed"); !reflect.DeepEqual(seed, again) {
		t.Errorf("insecure-seed changed within an instance: %v then %v", seed, again)
	}
}
