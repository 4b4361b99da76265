package main

import (
	"errors"
	"flag"
	"fmt"
	"github.com/bigband-dev/bigband/bytesize"
	"io/fs"
	"strconv"
	"strings"
	"time"
)

// Flag values that refuse nonsense when parsed, so a bad value is a usage
// error (exit 2, with the command's help) before anything runs.

// durationFlag is a duration that must be positive, or at least 0 with
// allowZero.
type durationFlag struct {
	d         *time.Duration
	allowZero bool
}

func (f durationFlag) String() string {
	if f.d == nil {
		return ""
	}
	return f.d.String()
}

func (f durationFlag) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return errors.New("not a duration (examples: 500ms, 30s, 2m)")
	}
	switch {
	case d < 0:
		return errors.New("must not be negative")
	case d == 0 && !f.allowZero:
		return errors.New("must be more than 0 (there is no \"no limit\": give a long one, e.g. 1h)")
	}
	*f.d = d
	return nil
}

// durationVar defines a positive duration flag.
func durationVar(fs *flag.FlagSet, d *time.Duration, name string, def time.Duration, usage string) {
	*d = def
	fs.Var(durationFlag{d: d}, name, usage)
}

// memoryVar defines --memory.
func memoryVar(fs *flag.FlagSet, n *int64) {
	fs.Var(sizeFlag{n: n, max: maxMemory, zeroDefault: true}, "memory",
		"memory limit per instance, `SIZE` like 256MiB or 1GiB (0: the host's default)")
}

// countFlag is an integer of at least 1, or -1 (no limit) with noLimit.
type countFlag struct {
	n       *int
	noLimit bool
}

func (f countFlag) String() string {
	if f.n == nil || *f.n == 0 {
		return ""
	}
	return strconv.Itoa(*f.n)
}

func (f countFlag) Set(s string) error {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	switch {
	case err != nil:
		return errors.New("not a whole number")
	case n == -1 && f.noLimit:
	case n < 1 && f.noLimit:
		return errors.New("must be 1 or more (-1 means no limit)")
	case n < 1:
		return errors.New("must be 1 or more")
	}
	*f.n = n
	return nil
}

// sizeFlag is a size in bytes, written with an optional unit: 65536,
// 64KiB, 256MiB, 1.5GiB. K, KB and KiB all mean 1024 (likewise M, G, T):
// these are memory sizes. With noLimit, -1 means no limit; 0 is accepted
// only with zeroDefault (the host's default).
type sizeFlag struct {
	n           *int64
	max         int64 // 0: none
	noLimit     bool
	zeroDefault bool
}

func (f sizeFlag) String() string {
	if f.n == nil {
		return ""
	}
	switch {
	case *f.n < 0:
		return "-1"
	case *f.n == 0:
		return "0"
	}
	return strings.ReplaceAll(bytesize.Format(*f.n), " ", "")
}

func (f sizeFlag) Set(s string) error {
	n, err := parseSize(s)
	if err != nil {
		return err
	}
	switch {
	case n == -1 && f.noLimit:
	case n < 0:
		if f.noLimit {
			return errors.New("must not be negative (-1 means no limit)")
		}
		return errors.New("must not be negative")
	case n == 0 && !f.zeroDefault:
		if f.noLimit {
			return errors.New("must be more than 0 (-1 means no limit)")
		}
		return errors.New("must be more than 0")
	case f.max > 0 && n > f.max:
		return fmt.Errorf("at most %s", bytesize.Format(f.max))
	}
	*f.n = n
	return nil
}

// parseSize reads "256MiB", "1.5 GiB", "65536" or "-1" (no limit).
func parseSize(s string) (int64, error) {
	if strings.TrimSpace(s) == "-1" {
		return -1, nil
	}
	return bytesize.Parse(s)
}

// maxMemory is what a 32-bit linear memory can address.
const maxMemory = 4 << 30

// memoryPages turns --memory into host.Config.MemoryLimitPages: 64 KiB
// pages, rounded up; 0 stays 0, the host's default.
func memoryPages(bytes int64) uint32 {
	const page = 64 << 10
	return uint32((bytes + page - 1) / page)
}

// fileError turns an I/O error about path into "path: what happened",
// naming the path once, as the user wrote it.
func fileError(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", path, pe.Err)
	}
	return err
}
