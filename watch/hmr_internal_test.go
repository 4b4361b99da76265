package watch

import (
	"testing"
)

func TestTailBuffer(t *testing.T) {
	tb := &tailBuffer{max: 5}
	for _, s := range []string{"ab", "cdef", "gh"} {
		tb.Write([]byte(s))
	}
	if got := tb.String(); got != "defgh" {
		t.Errorf("tail %q, want defgh", got)
	}
}
