package host_test

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bigband-dev/bigband/host"
	"github.com/bigband-dev/bigband/wit"
)

// sayModule is a core module whose `test:t/x#say` writes "hello\n" to
// stdout through WASI preview 1's fd_write.
func sayModule() []byte {
	sec := func(id byte, body ...byte) []byte { return append([]byte{id, byte(len(body))}, body...) }
	name := func(s string) []byte { return append([]byte{byte(len(s))}, s...) }
	b := []byte("\x00asm\x01\x00\x00\x00")
	b = append(b, sec(1, 2, 0x60, 4, 0x7f, 0x7f, 0x7f, 0x7f, 1, 0x7f, 0x60, 0, 0)...)
	imp := append([]byte{1}, name("wasi_snapshot_preview1")...)
	imp = append(append(imp, name("fd_write")...), 0, 0)
	b = append(b, sec(2, imp...)...)
	b = append(b, sec(3, 1, 1)...)
	b = append(b, sec(5, 1, 0, 1)...)
	exp := append([]byte{2}, name("memory")...)
	exp = append(exp, 2, 0)
	exp = append(append(exp, name("test:t/x#say")...), 0, 1)
	b = append(b, sec(7, exp...)...)
	// fd_write(1, iovs=0, 1 iovec, nwritten=8); drop the errno.
	b = append(b, sec(10, 1, 13, 0, 0x41, 1, 0x41, 0, 0x41, 1, 0x41, 8, 0x10, 0, 0x1a, 0x0b)...)
	data := []byte{1, 0, 0x41, 0, 0x0b, 22, 16, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	data = append(data, "hello\n"...)
	return append(b, sec(11, data...)...)
}

func TestGuestOutputGoesToTheLog(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	path := filepath.Join(t.TempDir(), "t.wit")
	r, pkg, err := wit.Load(path, wit.LoadOptions{Overlays: map[string][]byte{path: []byte("package test:t;\ninterface x { say: func(); }\nworld w { export x; }\n")}})
	if err != nil {
		t.Fatal(err)
	}
	w, _ := r.Packages[pkg].World("w")
	rt := newRuntime(t, host.Config{Logger: log})
	ctx := context.Background()
	p, err := rt.Load(ctx, sayModule(), host.LoadOptions{Name: "say.wasm", Fallback: r, FallbackWorld: w})
	if err != nil {
		t.Fatal(err)
	}
	inst, err := p.Instantiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := inst.Call(ctx, "x#say"); err != nil {
		t.Fatal(err)
	}
	inst.Close(ctx)
	if out := buf.String(); !strings.Contains(out, "msg=hello plugin=say.wasm stream=stdout") {
		t.Fatalf("log should carry the guest's line with its plugin name:\n%s", out)
	}
}
