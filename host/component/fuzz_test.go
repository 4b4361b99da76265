package component

import (
	"os"
	"testing"
)

func FuzzDecode(f *testing.F) {
	f.Add(sample())
	f.Add(sampleNested())
	f.Add(sampleModule())
	f.Add(component(vsec(7, worldType()), vsec(11, cat(name("w"), sType, leb(0), b(0x00)))))
	for _, p := range fixtures(f) {
		if bin, err := os.ReadFile(p); err == nil && len(bin) < 4<<20 {
			f.Add(bin)
		}
	}
	f.Fuzz(func(t *testing.T, bin []byte) {
		if c, err := Decode(bin); err == nil {
			_, _, _ = c.World()
			_, _, _ = DecodeWITPackage(bin)
		}
		if m, err := DecodeCore(bin); err == nil {
			_, _, _ = m.World()
			_, _ = RewriteEmptyImportModules(bin)
		}
	})
}

func BenchmarkDecode(b *testing.B) {
	var largest []byte
	for _, p := range fixtures(b) {
		if bin, err := os.ReadFile(p); err == nil && IsComponent(bin) && len(bin) > len(largest) {
			largest = bin
		}
	}
	if largest == nil {
		largest = sample()
	}
	b.SetBytes(int64(len(largest)))
	b.ReportAllocs()
	for b.Loop() {
		c, err := Decode(largest)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := c.World(); err != nil {
			b.Fatal(err)
		}
	}
}
