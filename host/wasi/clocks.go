package wasi

import (
	"context"
	"time"

	"github.com/bigband-dev/bigband/host/abi"
)

// MonotonicNow returns the monotonic clock in nanoseconds since the
// instance's state was made (or Config.Monotonic).
func (st *State) MonotonicNow() uint64 {
	var d time.Duration
	if st.Config.Monotonic != nil {
		d = st.Config.Monotonic()
	} else {
		d = time.Since(st.start)
	}
	if d < 0 {
		return 0
	}
	return uint64(d)
}

// WallNow returns the wall clock (Config.Now when set).
func (st *State) WallNow() time.Time {
	if st.Config.Now != nil {
		return st.Config.Now()
	}
	return time.Now()
}

// Datetime is t as a wasi:clocks/wall-clock datetime record; times before
// the epoch, which the record cannot express, become the epoch.
func Datetime(t time.Time) abi.Record {
	if t.Unix() < 0 {
		return abi.Record{uint64(0), uint32(0)}
	}
	return abi.Record{uint64(t.Unix()), uint32(t.Nanosecond())}
}

func clocksMonotonic() *Interface {
	return &Interface{
		Name: "wasi:clocks/monotonic-clock",
		Funcs: map[string]Func{
			"now": func(_ context.Context, st *State, _ []any) (any, error) {
				return st.MonotonicNow(), nil
			},
			// Go's monotonic clock reads in nanoseconds.
			"resolution": func(context.Context, *State, []any) (any, error) {
				return uint64(1), nil
			},
			"subscribe-instant": func(_ context.Context, st *State, args []any) (any, error) {
				when, err := arg[uint64](args, 0)
				if err != nil {
					return nil, err
				}
				now := st.MonotonicNow()
				if when <= now {
					return ReadyPollable(), nil
				}
				return TimerPollable(saturating(when - now)), nil
			},
			"subscribe-duration": func(_ context.Context, _ *State, args []any) (any, error) {
				d, err := arg[uint64](args, 0)
				if err != nil {
					return nil, err
				}
				return TimerPollable(saturating(d)), nil
			},
		},
	}
}

// saturating converts guest nanoseconds, which may exceed an int64.
func saturating(ns uint64) time.Duration {
	if ns > 1<<63-1 {
		return 1<<63 - 1
	}
	return time.Duration(ns)
}

func clocksWall() *Interface {
	return &Interface{
		Name: "wasi:clocks/wall-clock",
		Funcs: map[string]Func{
			"now": func(_ context.Context, st *State, _ []any) (any, error) {
				return Datetime(st.WallNow()), nil
			},
			"resolution": func(context.Context, *State, []any) (any, error) {
				return abi.Record{uint64(0), uint32(1)}, nil
			},
		},
	}
}

// clocksTimezone is the @unstable(clocks-timezone) interface of 0.2.x. A dev
// host answers UTC so output does not depend on the machine it runs on.
func clocksTimezone() *Interface {
	return &Interface{
		Name: "wasi:clocks/timezone",
		Funcs: map[string]Func{
			// display: func(when: datetime) -> timezone-display
			"display": func(_ context.Context, _ *State, args []any) (any, error) {
				if _, err := arg[abi.Record](args, 0); err != nil {
					return nil, err
				}
				return abi.Record{int32(0), "UTC", false}, nil
			},
			"utc-offset": func(_ context.Context, _ *State, args []any) (any, error) {
				if _, err := arg[abi.Record](args, 0); err != nil {
					return nil, err
				}
				return int32(0), nil
			},
		},
	}
}
