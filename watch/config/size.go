package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

var sizeUnits = []struct {
	name string
	mult int64
}{
	{"B", 1},
	{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12},
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
}

// ParseSize reads a byte size: a whole or decimal number followed by an
// optional unit (B, KB, MB, GB, TB in powers of 1000; KiB, MiB, GiB, TiB in
// powers of 1024; case-insensitive), like "256MiB", "1.5 GB" or "4096".
// The result is above zero and fits an int64.
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.' || t[i] == '_') {
		i++
	}
	num, unit := strings.ReplaceAll(t[:i], "_", ""), strings.TrimSpace(t[i:])
	mult := int64(-1)
	if unit == "" {
		mult = 1
	}
	for _, u := range sizeUnits {
		if strings.EqualFold(unit, u.name) {
			mult = u.mult
		}
	}
	if mult < 0 || num == "" {
		var names []string
		for _, u := range sizeUnits {
			names = append(names, u.name)
		}
		return 0, fmt.Errorf("%q is not a size; write a number with a unit (%s), like \"256MiB\"", s, strings.Join(names, ", "))
	}
	tooLarge := fmt.Errorf("%q is too large (the most is %d bytes)", s, int64(math.MaxInt64))
	if n, err := strconv.ParseInt(num, 10, 64); err == nil {
		// Whole numbers stay exact.
		if n > math.MaxInt64/mult {
			return 0, tooLarge
		}
		if n == 0 {
			return 0, fmt.Errorf("%q: want a size of at least one byte", s)
		}
		return n * mult, nil
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a size: %q is not a number", s, num)
	}
	v := f * float64(mult)
	if v >= math.MaxInt64 {
		return 0, tooLarge
	}
	if v < 1 {
		return 0, fmt.Errorf("%q: want a size of at least one byte", s)
	}
	return int64(v), nil
}
