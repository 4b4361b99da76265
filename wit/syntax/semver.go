package syntax

import (
	"fmt"
	"strconv"
	"strings"
)

// Semver is a parsed semantic version (semver.org 2.0.0).
type Semver struct {
	Major, Minor, Patch uint64
	Pre                 string // dot-separated pre-release identifiers, "" if none
	Build               string // build metadata, "" if none
}

// ParseSemver parses s strictly: no leading zeros in numeric parts, no
// empty identifiers, only [0-9A-Za-z-] in identifiers.
func ParseSemver(s string) (Semver, error) {
	var v Semver
	core, build, hasBuild := strings.Cut(s, "+")
	core, pre, hasPre := strings.Cut(core, "-")
	parts := strings.Split(core, ".")
	if len(parts) != 3 {
		return v, fmt.Errorf("invalid version %q: expected major.minor.patch", s)
	}
	nums := [3]*uint64{&v.Major, &v.Minor, &v.Patch}
	for i, p := range parts {
		n, err := parseNumeric(p)
		if err != nil {
			return v, fmt.Errorf("invalid version %q: %v", s, err)
		}
		*nums[i] = n
	}
	if hasPre {
		if err := checkIdents(pre, true); err != nil {
			return v, fmt.Errorf("invalid pre-release in version %q: %v", s, err)
		}
		v.Pre = pre
	}
	if hasBuild {
		if err := checkIdents(build, false); err != nil {
			return v, fmt.Errorf("invalid build metadata in version %q: %v", s, err)
		}
		v.Build = build
	}
	return v, nil
}

func parseNumeric(p string) (uint64, error) {
	if p == "" {
		return 0, fmt.Errorf("empty number")
	}
	for _, c := range p {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("unexpected character %q in number", c)
		}
	}
	if len(p) > 1 && p[0] == '0' {
		return 0, fmt.Errorf("invalid leading zero in %q", p)
	}
	return strconv.ParseUint(p, 10, 64)
}

func checkIdents(s string, pre bool) error {
	for _, id := range strings.Split(s, ".") {
		if id == "" {
			return fmt.Errorf("empty identifier")
		}
		numeric := true
		for _, c := range id {
			switch {
			case c >= '0' && c <= '9':
			case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '-':
				numeric = false
			default:
				return fmt.Errorf("unexpected character %q", c)
			}
		}
		if pre && numeric && len(id) > 1 && id[0] == '0' {
			return fmt.Errorf("invalid leading zero in %q", id)
		}
	}
	return nil
}

// String renders v canonically.
func (v Semver) String() string {
	s := fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
	if v.Pre != "" {
		s += "-" + v.Pre
	}
	if v.Build != "" {
		s += "+" + v.Build
	}
	return s
}

// Compare orders versions by semver precedence, then by build metadata so
// that the order is total (as Rust's semver crate does).
func (v Semver) Compare(w Semver) int {
	if c := cmpU(v.Major, w.Major); c != 0 {
		return c
	}
	if c := cmpU(v.Minor, w.Minor); c != 0 {
		return c
	}
	if c := cmpU(v.Patch, w.Patch); c != 0 {
		return c
	}
	switch {
	case v.Pre == "" && w.Pre != "":
		return 1
	case v.Pre != "" && w.Pre == "":
		return -1
	}
	if c := cmpIdents(v.Pre, w.Pre); c != 0 {
		return c
	}
	return cmpIdents(v.Build, w.Build)
}

func cmpU(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpIdents(a, b string) int {
	if a == b {
		return 0
	}
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	if a == "" {
		as = nil
	}
	if b == "" {
		bs = nil
	}
	for i := 0; i < len(as) && i < len(bs); i++ {
		x, y := as[i], bs[i]
		xn, xerr := strconv.ParseUint(x, 10, 64)
		yn, yerr := strconv.ParseUint(y, 10, 64)
		switch {
		case xerr == nil && yerr == nil:
			if c := cmpU(xn, yn); c != 0 {
				return c
			}
		case xerr == nil:
			return -1
		case yerr == nil:
			return 1
		default:
			if c := strings.Compare(x, y); c != 0 {
				return c
			}
		}
	}
	return cmpU(uint64(len(as)), uint64(len(bs)))
}
