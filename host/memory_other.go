//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package host

// reserve falls back to a Go slice grown by copying where the host has no
// mmap.
func reserve(max uint64) linearMemory { return &sliceMemory{max: max} }
