// Package bytesize reads and writes byte sizes the one way every command,
// bigband.toml and error message uses: "256MiB" in, "256 MiB" out.
package bytesize

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

var units = []struct {
	name string
	mult int64
}{
	{"B", 1}, {"byte", 1}, {"bytes", 1},
	{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12},
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
}

// Parse reads a byte size: a whole or decimal number with an optional unit
// (B or bytes; KB, MB, GB, TB in powers of 1000; KiB, MiB, GiB, TiB in powers of
// 1024; any case; "_" between digits), like "256MiB", "1.5 GB" or "4096".
// The result is a whole number of bytes, zero or more, that fits an int64.
func Parse(s string) (int64, error) {
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
	for _, u := range units {
		if strings.EqualFold(unit, u.name) {
			mult = u.mult
		}
	}
	if mult < 0 || num == "" {
		names := make([]string, len(units))
		for i, u := range units {
			names[i] = u.name
		}
		return 0, fmt.Errorf("%q is not a size: write a number with a unit (%s), like 256MiB", s, strings.Join(names, ", "))
	}
	tooLarge := fmt.Errorf("%q is too large (the most is %d bytes)", s, int64(math.MaxInt64))
	if n, err := strconv.ParseInt(num, 10, 64); err == nil {
		if n > math.MaxInt64/mult {
			return 0, tooLarge
		}
		return n * mult, nil // whole numbers stay exact
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a size: %q is not a number", s, num)
	}
	v := f * float64(mult)
	if v >= math.MaxInt64 {
		return 0, tooLarge
	}
	if v != math.Trunc(v) {
		return 0, fmt.Errorf("%q is not a whole number of bytes", s)
	}
	return int64(v), nil
}

// Format writes n in the largest binary unit that divides it ("64 MiB",
// "1 byte", "12 bytes"), or with two decimals when none does past bytes
// ("1.05 MiB").
func Format(n int64) string {
	abs := n
	if abs < 0 {
		abs = -abs
	}
	bin := []string{"bytes", "KiB", "MiB", "GiB", "TiB"}
	i, m := 0, abs
	for i < len(bin)-1 && m >= 1024 && m%1024 == 0 {
		m /= 1024
		i++
	}
	switch {
	case i > 0 || abs < 1024:
		if i == 0 && abs == 1 {
			return fmt.Sprintf("%d byte", n)
		}
		if n < 0 {
			m = -m
		}
		return fmt.Sprintf("%d %s", m, bin[i])
	}
	j, f := 0, float64(n)
	for j < len(bin)-1 && (f >= 1024 || f <= -1024) {
		f /= 1024
		j++
	}
	return fmt.Sprintf("%.2f %s", f, bin[j])
}
