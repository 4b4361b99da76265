package component

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTruncatedGuests cuts real guests inside their preamble, inside
// section headers and inside section bodies: each cut must say it is
// truncated, where the file ends and what was being read.
func TestTruncatedGuests(t *testing.T) {
	guests := []string{"c/backend/backend.wasm", "c/backend/backend.core.wasm", "go/frontend/frontend.core.wasm"}
	for _, g := range guests {
		bin, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "guests", filepath.FromSlash(g)))
		if err != nil {
			t.Skip(err)
		}
		decode := func(b []byte) error { _, err := DecodeCore(b); return err }
		name := coreSectionName
		if IsComponent(bin) {
			decode = func(b []byte) error { _, err := Decode(b); return err }
			name = componentSectionName
		}
		type cut struct {
			at   int
			want string
		}
		cuts := []cut{{5, "reading the 8-byte preamble)"}}
		for pos := 8; pos < len(bin); {
			r := newReader(bin[pos:], pos)
			id := r.byte()
			size := int(r.u32())
			body := r.offset()
			cuts = append(cuts,
				cut{pos + 1, fmt.Sprintf("reading the size of the %s section (id %d) at byte %d)", name(id), id, pos)},
				cut{body + size/2, fmt.Sprintf("reading the %s section (id %d) of %s at byte %d, the file ends %s into it)",
					name(id), id, bytesN(int64(size)), pos, bytesN(int64(size/2)))})
			pos = body + size
		}
		for _, c := range cuts {
			if c.at >= len(bin) || strings.Contains(c.want, "the file ends 0 bytes") {
				continue // a cut at a section's start is a shorter, valid file
			}
			err := decode(bin[:c.at])
			want := fmt.Sprintf("truncated at byte %d (%s", c.at, c.want)
			if err == nil || err.Error() != want {
				t.Errorf("%s cut at %d:\n got  %v\n want %s", g, c.at, err, want)
			}
		}
		t.Logf("%s: %d cuts", g, len(cuts))
	}
}
