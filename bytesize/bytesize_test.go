package bytesize

import (
	"testing"
)

func TestParse(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int64
		bad  bool
	}{
		{"4096", 4096, false},
		{"12 bytes", 12, false},
		{"0", 0, false},
		{"256MiB", 256 << 20, false},
		{"256 mib", 256 << 20, false},
		{"1.5 GB", 1_500_000_000, false},
		{"1.5GiB", 3 << 29, false},
		{"64KB", 64_000, false},
		{"1_000", 1000, false},
		{"1.5", 0, true},
		{"12 parsecs", 0, true},
		{"MiB", 0, true},
		{"-1", 0, true},
		{"9999999TiB", 0, true},
		{"", 0, true},
	} {
		got, err := Parse(tt.in)
		if (err != nil) != tt.bad || got != tt.want {
			t.Errorf("Parse(%q) = %d, %v; want %d (error: %v)", tt.in, got, err, tt.want, tt.bad)
		}
	}
}

func TestFormat(t *testing.T) {
	for _, tt := range []struct {
		in   int64
		want string
	}{
		{0, "0 bytes"}, {1, "1 byte"}, {12, "12 bytes"}, {1023, "1023 bytes"},
		{64 << 10, "64 KiB"}, {512 << 20, "512 MiB"}, {1 << 30, "1 GiB"},
		{1100000, "1.05 MiB"}, {1025, "1.00 KiB"}, {-2 << 20, "-2 MiB"},
	} {
		if got := Format(tt.in); got != tt.want {
			t.Errorf("Format(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add("256MiB")
	f.Add("1.5 GB")
	f.Fuzz(func(t *testing.T, s string) {
		n, err := Parse(s)
		if err == nil && n < 0 {
			t.Fatalf("Parse(%q) = %d", s, n)
		}
		if err == nil && n%1024 == 0 {
			// Exact sizes print as something Parse reads back.
			if m, err := Parse(Format(n)); err != nil || m != n {
				t.Fatalf("Format(%d) = %q parses back as %d, %v", n, Format(n), m, err)
			}
		}
	})
}
