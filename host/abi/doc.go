// Package abi implements the component model's canonical ABI between Go
// values and a guest's core WebAssembly values and linear memory, driven by
// types from the wit model (no generated code).
//
// Go representation of component values, by WIT type:
//
//	bool                  bool
//	u8 u16 u32 u64        uint8 uint16 uint32 uint64
//	s8 s16 s32 s64        int8 int16 int32 int64
//	f32 f64               float32 float64 (NaNs canonicalised when lifted)
//	char                  rune
//	string                string
//	list<u8>              []byte (lowering also accepts []any)
//	list<T>, list<T, N>   []any
//	map<K, V>             []any of Tuple{k, v}
//	record                Record (field values in declaration order)
//	tuple                 Tuple
//	variant               Variant{Case, Value} (Value nil without payload)
//	enum                  Enum (case index)
//	option<T>             Option{Some, Value}
//	result<T, E>          Result{Err, Value} (Value nil when that side has no type)
//	flags                 Flags (bit i = label i)
//	own<R>, borrow<R>     for a resource the host implements: the Go object
//	                      the host registered; for a guest's resource:
//	                      Resource{Type, Rep}
//
// Anything the guest supplies that breaks the ABI's rules (out-of-bounds
// pointers, bad UTF-8, unknown discriminants, stale handles, a full handle
// table) is a *Trap, located in the value ("at result.ok[3].contents");
// IsTrap recognises one through wrapping, and the instance must then be
// discarded.
//
// Lifting is bounded by the Cx's Budget: every string, list and value taken
// out of guest memory is charged before Go memory is allocated for it, and
// a value the guest points at several times is charged each time, so a
// small guest result can't make the host copy gigabytes. Type layouts are
// computed in 64 bits and types of 2^28 bytes or more are rejected, so a
// fixed-length list's length costs nothing until its elements are lifted.
package abi

import "fmt"

// Record is a record value: field values in declaration order.
type Record []any

// Tuple is a tuple value.
type Tuple []any

// Variant is a variant value: the case index and its payload (nil when the
// case has none).
type Variant struct {
	Case  uint32
	Value any
}

// Enum is an enum value: the case index.
type Enum uint32

// Option is an option value.
type Option struct {
	Some  bool
	Value any
}

// Some returns option.some(v).
func Some(v any) Option { return Option{Some: true, Value: v} }

// None is option.none.
var None = Option{}

// Result is a result value: ok (Err false) or error (Err true), with the
// payload of that side, or nil when that side has no type.
type Result struct {
	Err   bool
	Value any
}

// Ok returns result.ok(v).
func Ok(v any) Result { return Result{Value: v} }

// Err returns result.error(v).
func Err(v any) Result { return Result{Err: true, Value: v} }

// Flags is a flags value: bit i set means label i is present.
type Flags uint32

// Trap is a violation of the canonical ABI by the guest or a guest trap. The
// instance it happened in must not be used again (see IsTrap).
type Trap struct {
	Msg string
	// Err is the cause, when there is one to test for (ErrBudgetExceeded).
	Err error
	// Hint, when set, says what to do; it ends the message.
	Hint string
	// path locates the value the trap happened in, innermost segment first.
	path []string
}

func (t *Trap) Error() string {
	s := t.Msg
	if w := t.Where(); w != "" {
		s += " at " + w
	}
	if t.Hint != "" {
		s += "; " + t.Hint
	}
	return s
}

func (t *Trap) Unwrap() error { return t.Err }

func trapf(format string, args ...any) *Trap {
	return &Trap{Msg: fmt.Sprintf(format, args...)}
}
