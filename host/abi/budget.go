package abi

import (
	"errors"
	"fmt"
	"github.com/bigband-dev/bigband/bytesize"
	"strings"
)

// Budget bounds what one lift (the result of a call into a guest, or the
// arguments of a call a guest makes to the host) may take out of guest
// memory. Both counts are charged while lifting, before the Go memory for a
// value is allocated, and a value the guest points at twice is charged
// twice: a list of 1,000 strings aliasing one 255 MiB buffer costs
// 1,000 × 255 MiB and fails at the first string over the budget.
//
// A zero field means DefaultBudget's value for it, a negative one no limit
// (the canonical ABI's own limit of 2^28 bytes per list or string remains).
type Budget struct {
	// Bytes is the total length of the strings and lists lifted: a list's
	// bytes in guest memory (elements × element size) and a string's code
	// units (its bytes in UTF-8 and Latin-1, half its bytes in UTF-16).
	// Code units never exceed the text's UTF-8 length, so a limit stated in
	// UTF-8 bytes holds whatever the guest's encoding.
	Bytes int64
	// Elements is the number of values lifted: each scalar, string, list,
	// record, variant... counts one; a list<u8> counts one however long.
	// It bounds the Go values (and their boxes) a lift creates.
	Elements int64
	// Hint tells the user how to raise the budget; it ends the error
	// message ("raise it with ...").
	Hint string
}

// DefaultBudget is the budget of a lift whose Budget fields are zero: far
// above what a plugin returns (the JS frontend's manifest is ~1.1 MB in
// ~40 values) and low enough that one lift can't take more than a few
// hundred MiB of host memory (each element costs at most ~64 bytes of Go
// memory on top of the bytes it copies).
var DefaultBudget = Budget{Bytes: 64 << 20, Elements: 1 << 21}

// Or returns b with its zero fields taken from d.
func (b Budget) Or(d Budget) Budget {
	if b.Bytes == 0 {
		b.Bytes = d.Bytes
	}
	if b.Elements == 0 {
		b.Elements = d.Elements
	}
	if b.Hint == "" {
		b.Hint = d.Hint
	}
	return b
}

func (b Budget) String() string {
	return fmt.Sprintf("%s, %d elements", bytesize.Format(b.Bytes), b.Elements)
}

// ErrBudgetExceeded is wrapped by the *Trap of a lift over its Budget.
var ErrBudgetExceeded = errors.New("lift budget exceeded")

// Used reports what the lifts through cx have charged so far.
func (cx *Cx) Used() Budget {
	return Budget{Bytes: cx.usedBytes, Elements: cx.usedElems}
}

func (cx *Cx) limits() Budget { return cx.Budget.Or(DefaultBudget) }

// charge counts bytes and elements against the budget before the caller
// allocates anything for them.
func (cx *Cx) charge(bytes, elems uint64) error {
	if err := cx.fits(bytes, elems); err != nil {
		return err
	}
	cx.usedBytes += int64(bytes)
	cx.usedElems += int64(elems)
	return nil
}

// fits checks that bytes and elements more would stay within the budget,
// without charging them.
func (cx *Cx) fits(bytes, elems uint64) error {
	lim := cx.limits()
	// The limits are positive int64s and the amounts at most 2^32 × 2^28,
	// so these sums can't overflow.
	switch {
	case bytes > 0 && uint64(cx.usedBytes)+bytes > uint64(lim.Bytes):
		return cx.overBudget(lim, fmt.Sprintf("%s of bytes", bytesize.Format(lim.Bytes)), bytesize.Format(int64(bytes)), bytesize.Format(cx.usedBytes))
	case elems > 0 && uint64(cx.usedElems)+elems > uint64(lim.Elements):
		return cx.overBudget(lim, fmt.Sprintf("%d elements", lim.Elements), fmt.Sprint(elems), fmt.Sprint(cx.usedElems))
	}
	return nil
}

func (cx *Cx) overBudget(lim Budget, what, need, used string) error {
	hint := lim.Hint
	if hint == "" {
		hint = "raise it with host.Config.LiftBudget or host.CallOptions.Budget"
	}
	return &Trap{
		Msg:  fmt.Sprintf("guest value exceeds the lift budget of %s (%s more needed, %s lifted before)", what, need, used),
		Err:  ErrBudgetExceeded,
		Hint: hint,
	}
}

// IsTrap reports whether err is, or wraps, a violation of the canonical
// ABI by the guest (a *Trap: out-of-bounds pointer, invalid UTF-8, bad
// discriminant, lift budget exceeded, handle misuse, full handle table).
// The instance it happened in must be discarded.
func IsTrap(err error) bool {
	var t *Trap
	return errors.As(err, &t)
}

// at adds a path segment to a trap as it unwinds out of a value, so the
// message says where in the value the guest broke the rules. Other errors
// pass unchanged.
func at(err error, seg string) error {
	if t, ok := err.(*Trap); ok {
		t.path = append(t.path, seg)
	}
	return err
}

// Where returns the path of the value the trap happened in
// ("result[312].contents"), or "" when unknown.
func (t *Trap) Where() string {
	var b strings.Builder
	for i := len(t.path) - 1; i >= 0; i-- {
		b.WriteString(t.path[i])
	}
	return b.String()
}
