// Package watch runs the dev loop: it turns a guest's wasm into a served
// backend or a generated Backstage plugin package, once (`generate`) or on
// every change (`watch`).
//
// One Cycle is one run of the pipeline
//
//	build -> load -> check -> manifest -> render -> write -> wire | swap
//
// and is a value: the phases it went through with their timings, what it
// changed, and, when it failed, the phase and the error. The terminal line,
// the dashboard and the HMR message all render that same value.
package watch

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bigband-dev/bigband/backstage"
	"github.com/bigband-dev/bigband/backstage/wire"
	"github.com/bigband-dev/bigband/contract"
)

// Phase is one step of the pipeline.
type Phase string

const (
	PhaseBuild    Phase = "build"
	PhaseLoad     Phase = "load"
	PhaseCheck    Phase = "check"
	PhaseManifest Phase = "manifest"
	PhaseRender   Phase = "render"
	PhaseWrite    Phase = "write"
	PhaseWire     Phase = "wire"
	PhaseSwap     Phase = "swap"
)

// Timing is how long a phase took.
type Timing struct {
	Phase Phase
	Took  time.Duration
}

// Cycle is one run of the pipeline for one plugin.
type Cycle struct {
	Plugin  string // plugin id
	Trigger string // what started it: a changed file, "start", "r" ...
	Started time.Time
	Timings []Timing

	Kind   contract.Kind
	Routes []contract.Route // backend
	// Package is the rendered plugin package, Dir where it was written, and
	// Write what writing it did.
	Package *backstage.Package
	Dir     string
	Write   *backstage.WriteReport
	// Wire is what wiring into the app changed (nil when not wired).
	Wire *wire.Result
	// Notes are things the user should know that are not errors, e.g.
	// rewrites applied to the guest's files.
	Notes []string
	// Version is the backend generation serving after the cycle, and
	// Previous the one before it (0 when nothing was swapped).
	Version, Previous int64

	// Err is why the cycle failed; nil when it succeeded.
	Err *PhaseError
}

// PhaseError is a failed phase. Output is what the toolchain printed, for
// build failures; Locations are the file:line:col positions found in the
// error, first what the compiler reported.
type PhaseError struct {
	Phase     Phase
	Err       error
	Output    string
	Locations []string
}

func (e *PhaseError) Error() string { return fmt.Sprintf("%s: %v", e.Phase, e.Err) }
func (e *PhaseError) Unwrap() error { return e.Err }

// Step runs one phase, recording its time, and records its error as the
// cycle's. It returns false when the phase failed, so callers can stop.
func (c *Cycle) Step(p Phase, f func() error) bool {
	start := time.Now()
	err := f()
	c.Timings = append(c.Timings, Timing{p, time.Since(start)})
	if err != nil {
		c.Fail(p, err)
		return false
	}
	return true
}

// Fail records err as the cycle's error in phase p.
func (c *Cycle) Fail(p Phase, err error) {
	pe := &PhaseError{Phase: p, Err: err}
	var src backstage.SourceErrors
	if errors.As(err, &src) {
		for _, e := range src {
			pe.Locations = append(pe.Locations, fmt.Sprintf("%s:%d:%d", e.Path, e.Line, e.Column))
		}
	}
	c.Err = pe
}

// Took is the time spent in phase p (0 when it did not run).
func (c *Cycle) Took(p Phase) time.Duration {
	var d time.Duration
	for _, t := range c.Timings {
		if t.Phase == p {
			d += t.Took
		}
	}
	return d
}

// Total is the time of every phase together.
func (c *Cycle) Total() time.Duration {
	var d time.Duration
	for _, t := range c.Timings {
		d += t.Took
	}
	return d
}

// Summary is the cycle on one line: plugin, trigger, phase timings, what
// changed or what failed.
func (c *Cycle) Summary() string {
	var b strings.Builder
	b.WriteString(c.Plugin)
	if c.Trigger != "" {
		fmt.Fprintf(&b, " (%s)", c.Trigger)
	}
	b.WriteString(":")
	for _, t := range c.Timings {
		fmt.Fprintf(&b, " %s %s", t.Phase, roundDuration(t.Took))
	}
	b.WriteString(" —")
	if c.Err != nil {
		fmt.Fprintf(&b, " FAILED in %s", c.Err.Phase)
		return b.String()
	}
	var parts []string
	if w := c.Write; w != nil {
		parts = append(parts, fmt.Sprintf("%d files written", len(w.Written)))
		if n := len(w.Conflicts) + len(w.Kept); n > 0 {
			parts = append(parts, fmt.Sprintf("%d kept (edited)", n))
		}
		if n := len(w.Removed); n > 0 {
			parts = append(parts, fmt.Sprintf("%d removed", n))
		}
	}
	if c.Wire != nil && len(c.Wire.Changed) > 0 {
		parts = append(parts, fmt.Sprintf("wired into %d app files", len(c.Wire.Changed)))
	}
	if c.Kind == contract.Backend {
		parts = append(parts, fmt.Sprintf("%d routes", len(c.Routes)))
	}
	if c.Version != 0 {
		if c.Previous != 0 {
			parts = append(parts, fmt.Sprintf("swapped v%d -> v%d", c.Previous, c.Version))
		} else {
			parts = append(parts, fmt.Sprintf("serving v%d", c.Version))
		}
	}
	if len(parts) == 0 {
		parts = append(parts, "nothing changed")
	}
	b.WriteString(" " + strings.Join(parts, ", "))
	return b.String()
}

// roundDuration keeps timings short on a terminal line: 3ms, 1.2s.
func roundDuration(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(100 * time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(time.Millisecond)
	}
	return d.Round(10 * time.Microsecond)
}
