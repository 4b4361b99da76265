package config

import (
	"fmt"

	"github.com/bigband-dev/bigband/bytesize"
)

// ParseSize reads a byte size (see bytesize.Parse) of at least one byte.
func ParseSize(s string) (int64, error) {
	n, err := bytesize.Parse(s)
	if err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, fmt.Errorf("%q: want a size of at least one byte", s)
	}
	return n, nil
}
