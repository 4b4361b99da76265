package host_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bigband-dev/bigband/internal/wasmasm"

	"github.com/bigband-dev/bigband/host"
	"github.com/bigband-dev/bigband/wit"
)

// The value types the test modules use.
const (
	i32 = wasmasm.I32
	i64 = wasmasm.I64
)

// hostileWorld types the hand-assembled hostile modules below.
func hostileWorld(t testing.TB) (*wit.Resolve, wit.WorldID) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "h.wit")
	src := `package test:h;
interface h {
  grow-loop: func(touch: bool) -> u32;
  sleep: func(ns: u64) -> u32;
  exit: func();
  spam: func(n: u32);
  nop: func();
}
world w { export h; }
`
	r, pkg, err := wit.Load(path, wit.LoadOptions{Overlays: map[string][]byte{path: []byte(src)}})
	if err != nil {
		t.Fatal(err)
	}
	w, _ := r.Packages[pkg].World("w")
	return r, w
}

func loadHostile(t testing.TB, rt *host.Runtime, m wasmasm.Module) (*host.Program, error) {
	t.Helper()
	r, w := hostileWorld(t)
	return rt.Load(context.Background(), m.Bytes(), host.LoadOptions{Name: "hostile.wasm", Fallback: r, FallbackWorld: w})
}

// within fails the test if f doesn't return in a minute: a guard against
// hangs, not a timing assertion.
func within(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatalf("%s: still running after a minute; the deadline did not stop it", what)
	}
}

var (
	spinBody = []byte{0x03, 0x40, 0x0c, 0x00, 0x0b} // loop br 0 end
	// grow-loop(touch): grow by a page until memory.grow fails, writing the
	// last byte of each new page when touch is set; return the page count.
	growLoopBody = []byte{
		0x02, 0x40, 0x03, 0x40, // block loop
		0x41, 0x01, 0x40, 0x00, 0x41, 0x7f, 0x46, 0x0d, 0x01, // grow(1) == -1 → exit
		0x20, 0x00, 0x04, 0x40, // if touch
		0x3f, 0x00, 0x41, 0x10, 0x74, 0x41, 0x01, 0x6b, // size<<16 - 1
		0x41, 0x01, 0x3a, 0x00, 0x00, // store8 1
		0x0b, 0x0c, 0x00, 0x0b, 0x0b, // end br 0 end end
		0x3f, 0x00, // memory.size
	}
	pollImport = wasmasm.Import{Module: "wasi_snapshot_preview1", Name: "poll_oneoff", Params: []byte{i32, i32, i32, i32}, Results: []byte{i32}}
	// A relative monotonic-clock subscription at 0 (its timeout at 24),
	// the event at 64, the count at 128.
	pollData = func() []byte {
		d := make([]byte, 48)
		d[16] = 1 // clock id: monotonic
		return d
	}()
	// sleep(ns): poll_oneoff for ns, returning its errno.
	sleepBody = []byte{
		0x41, 24, 0x20, 0x00, 0x37, 0x03, 0x00, // store64 ns at 24
		0x41, 0, 0x41, 0xc0, 0x00, 0x41, 1, 0x41, 0x80, 0x01, 0x10, 0x00, // poll_oneoff(0, 64, 1, 128)
	}
)

// sleepFor is sleepBody's store of a constant instead of the parameter.
func sleepFor(d time.Duration) []byte {
	b := []byte{0x41, 24, 0x42}
	b = append(b, sleb64(int64(d))...)
	b = append(b, 0x37, 0x03, 0x00)
	return append(b, sleepBody[7:]...)
}

func sleb64(v int64) []byte {
	var out []byte
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(out, c)
		}
		out = append(out, c|0x80)
	}
}

// rssBytes is the process's resident set (Linux), or 0.
func rssBytes() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseUint(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

func TestMemoryLimitValues(t *testing.T) {
	for _, c := range []struct {
		pages uint32
		want  uint64
	}{
		{0, host.DefaultMemoryLimit},
		{4, 4 << 16},
		{host.NoMemoryLimit, 4 << 30},
		{1 << 20, 4 << 30},
	} {
		if got := newRuntime(t, host.Config{MemoryLimitPages: c.pages}).MemoryLimit(); got != c.want {
			t.Errorf("MemoryLimitPages %d: MemoryLimit() = %d, want %d", c.pages, got, c.want)
		}
	}
}

// A guest growing memory in a loop stops at the default limit, and the host
// holds only what the guest wrote: growing reserves address space, it
// doesn't copy or zero the memory.
func TestGrowLoopStopsAtDefaultLimit(t *testing.T) {
	rt := newRuntime(t, host.Config{})
	p, err := loadHostile(t, rt, wasmasm.Module{MinPages: 1, Funcs: []wasmasm.Func{
		{Export: "test:h/h#grow-loop", Params: []byte{i32}, Results: []byte{i32}, Body: growLoopBody}}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	inst, err := p.Instantiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close(ctx)
	runtime.GC()
	before := rssBytes()
	v, err := inst.Call(ctx, "h#grow-loop", true)
	if err != nil {
		t.Fatal(err)
	}
	after := rssBytes()
	if want := uint32(host.DefaultMemoryLimit >> 16); v != want {
		t.Fatalf("grow loop ended at %v pages, want the limit, %d", v, want)
	}
	if got := inst.MemoryBytes(); got != host.DefaultMemoryLimit {
		t.Errorf("instance memory %d bytes, want %d", got, host.DefaultMemoryLimit)
	}
	// One 4 KiB OS page touched per 64 KiB wasm page: 32 MiB. Growing by
	// copying would have touched all 512 MiB, several times over.
	t.Logf("grow loop to %d MiB: host RSS %d -> %d MiB", host.DefaultMemoryLimit>>20, before>>20, after>>20)
	if before > 0 && after > before+128<<20 {
		t.Errorf("host RSS grew by %d MiB for a guest that wrote 32 MiB", (after-before)>>20)
	}
}

func TestMemoryMinimumOverLimit(t *testing.T) {
	rt := newRuntime(t, host.Config{MemoryLimitPages: 16})
	_, err := loadHostile(t, rt, wasmasm.Module{MinPages: 20, Funcs: []wasmasm.Func{{Export: "test:h/h#nop"}}})
	if err == nil || !strings.Contains(err.Error(), "memory limit is 1 MiB per memory") || !strings.Contains(err.Error(), "--memory") {
		t.Fatalf("a memory whose minimum is over the limit must fail to load naming the limit, got %v", err)
	}
}

// Instantiation runs guest code (a start function, _initialize) and the
// deadline covers it.
func TestDeadlineCoversInstantiation(t *testing.T) {
	spin := []wasmasm.Func{{Body: spinBody}, {Export: "test:h/h#nop"}}
	cases := []struct {
		name string
		m    wasmasm.Module
	}{
		{"start function loops", wasmasm.Module{MinPages: 1, Funcs: spin, Start: wasmasm.Index(0)}},
		{"_initialize loops", wasmasm.Module{MinPages: 1, Funcs: []wasmasm.Func{{Export: "_initialize", Body: spinBody}, {Export: "test:h/h#nop"}}}},
		{"start function sleeps an hour", wasmasm.Module{MinPages: 1, Imports: []wasmasm.Import{pollImport}, Data: pollData,
			Funcs: []wasmasm.Func{{Body: append(sleepFor(time.Hour), 0x1a)}, {Export: "test:h/h#nop"}}, Start: wasmasm.Index(1)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rt := newRuntime(t, host.Config{CallTimeout: 300 * time.Millisecond})
			var err error
			within(t, "Load", func() { _, err = loadHostile(t, rt, c.m) })
			if err == nil || !strings.Contains(err.Error(), "hostile.wasm: instantiate: stopped: the 300ms deadline passed") || !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Load must stop at the deadline and say so, got %v", err)
			}
		})
	}
	// Without CallTimeout, the caller's context bounds it.
	rt := newRuntime(t, host.Config{})
	r, w := hostileWorld(t)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	var err error
	within(t, "Load", func() {
		_, err = rt.Load(ctx, cases[0].m.Bytes(), host.LoadOptions{Name: "x.wasm", Fallback: r, FallbackWorld: w})
	})
	if err == nil || !strings.Contains(err.Error(), "x.wasm: instantiate: stopped: context deadline exceeded") {
		t.Fatalf("the caller's context must stop instantiation, got %v", err)
	}
}

// poll_oneoff's sleep ends when the call's deadline passes; a short sleep
// still sleeps and succeeds.
func TestSleepEndsWithDeadline(t *testing.T) {
	rt := newRuntime(t, host.Config{CallTimeout: 300 * time.Millisecond})
	p, err := loadHostile(t, rt, wasmasm.Module{MinPages: 1, Imports: []wasmasm.Import{pollImport}, Data: pollData, Funcs: []wasmasm.Func{
		{Export: "test:h/h#sleep", Params: []byte{i64}, Results: []byte{i32}, Body: sleepBody}}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	inst, err := p.Instantiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close(ctx)
	if v, err := inst.Call(ctx, "h#sleep", uint64(time.Millisecond)); err != nil || v != uint32(0) {
		t.Fatalf("sleep(1ms) = %v, %v; want errno 0", v, err)
	}
	within(t, "sleep(1h)", func() { _, err = inst.Call(ctx, "h#sleep", uint64(time.Hour)) })
	if err == nil || !strings.Contains(err.Error(), "stopped: the 300ms deadline passed") {
		t.Fatalf("an hour's sleep must end at the deadline, got %v", err)
	}
	if _, err := inst.Call(ctx, "h#sleep", uint64(0)); !errors.Is(err, host.ErrBroken) {
		t.Fatalf("an instance stopped by the deadline must be discarded, got %v", err)
	}
}

func TestProcExitDiscardsInstance(t *testing.T) {
	rt := newRuntime(t, host.Config{})
	p, err := loadHostile(t, rt, wasmasm.Module{MinPages: 1,
		Imports: []wasmasm.Import{{Module: "wasi_snapshot_preview1", Name: "proc_exit", Params: []byte{i32}, Results: nil}},
		Funcs:   []wasmasm.Func{{Export: "test:h/h#exit", Body: []byte{0x41, 3, 0x10, 0}}, {Export: "test:h/h#nop"}}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	inst, err := p.Instantiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := inst.Call(ctx, "h#exit"); err == nil || !strings.Contains(err.Error(), "exit_code(3)") {
		t.Fatalf("proc_exit(3) must fail the call, got %v", err)
	}
	if _, err := inst.Call(ctx, "h#nop"); !errors.Is(err, host.ErrBroken) {
		t.Fatalf("an instance that exited must be discarded, got %v", err)
	}
}

func TestMissingCoreImportsListed(t *testing.T) {
	rt := newRuntime(t, host.Config{})
	_, err := loadHostile(t, rt, wasmasm.Module{MinPages: 1, Imports: []wasmasm.Import{
		{Module: "env", Name: "foo"},
		{Module: "wasi_snapshot_preview1", Name: "no_such_call"},
		{Module: "wasi:cli/stdout@0.2.0", Name: "get-stdout", Results: []byte{i32}},
		{Module: "wasi_snapshot_preview1", Name: "fd_write", Params: []byte{i32, i32, i32, i32}, Results: []byte{i32}},
	}, Funcs: []wasmasm.Func{{Export: "test:h/h#nop"}}})
	if err == nil {
		t.Fatal("a module with imports the host lacks must fail to load")
	}
	msg := err.Error()
	want := []string{
		"hostile.wasm: 3 import(s) the host can't provide:\n",
		"\n  env.foo: a function the guest expects its embedder to supply; a core-module guest may import only wasi_snapshot_preview1: build with wasi-libc",
		"\n  wasi_snapshot_preview1.no_such_call: not a wasi_snapshot_preview1 function the host provides",
		"\n  wasi:cli/stdout@0.2.0.get-stdout: a component-model import: a core module can't use it; turn the guest into a component",
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("error lacks %q:\n%s", w, msg)
		}
	}
	if strings.Contains(msg, "fd_write") {
		t.Errorf("fd_write is provided and must not be listed:\n%s", msg)
	}
}

// changedBuild makes a distinct module out of a guest, as a rebuild would:
// a custom section with n changes its hash and so its compiled identity.
func changedBuild(wasm []byte, n int) []byte {
	payload := append(wasmasm.Name("build"), strconv.Itoa(n)...)
	out := append([]byte{}, wasm...)
	out = append(out, 0)
	out = append(out, wasmasm.U(uint64(len(payload)))...)
	return append(out, payload...)
}

// Loading and closing changed builds hundreds of times keeps the number of
// compiled modules and the heap flat: Close releases the code.
func TestProgramCloseReleasesCode(t *testing.T) {
	rt := newRuntime(t, host.Config{})
	wasm := repoFile(t, "fixtures/guests/c/frontend/frontend.wasm")
	ctx := context.Background()
	base := host.LiveCompiled()
	var heap [2]uint64
	const cycles = 300
	for i := range cycles {
		p, err := rt.Load(ctx, changedBuild(wasm, i), host.LoadOptions{Name: "frontend.wasm"})
		if err != nil {
			t.Fatal(err)
		}
		inst, err := p.Instantiate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := inst.Call(ctx, "backstage-frontend-plugin#get-node-deps"); err != nil {
			t.Fatal(err)
		}
		inst.Close(ctx)
		if err := p.Close(ctx); err != nil {
			t.Fatal(err)
		}
		if n := host.LiveCompiled(); n != base {
			t.Fatalf("cycle %d: %d compiled modules still held after Close", i, n-base)
		}
		if i == 50 || i == cycles-1 {
			runtime.GC()
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			heap[min(i/100, 1)] = ms.HeapInuse
			t.Logf("after %d load+close cycles: heap in use %.1f MiB, RSS %d MiB", i+1, float64(ms.HeapInuse)/(1<<20), rssBytes()>>20)
		}
	}
	// Without Close each build kept ~110 KB (12 -> 45 MiB over 300).
	if heap[1] > heap[0]+8<<20 {
		t.Errorf("heap grew from %d to %d MiB over %d load+close cycles", heap[0]>>20, heap[1]>>20, cycles-51)
	}
}

// A component program owns its core modules, re-export modules and host
// module; all go with Close.
func TestProgramCloseComponent(t *testing.T) {
	rt := newRuntime(t, host.Config{CacheDir: testCache})
	wasm := repoFile(t, "fixtures/guests/go/frontend/frontend.component.wasm")
	ctx := context.Background()
	base := host.LiveCompiled()
	for i := range 3 {
		p, err := rt.Load(ctx, wasm, host.LoadOptions{Name: "frontend.component.wasm"})
		if err != nil {
			t.Fatal(err)
		}
		if n := host.LiveCompiled() - base; n < 3 {
			t.Fatalf("a component program holds %d compiled modules; expected its core modules, re-exports and host module", n)
		}
		p.Close(ctx)
		if n := host.LiveCompiled(); n != base {
			t.Fatalf("cycle %d: %d compiled modules still held after Close", i, n-base)
		}
	}
}

func TestProgramCloseWhileInstancesLive(t *testing.T) {
	rt := newRuntime(t, host.Config{})
	ctx := context.Background()
	base := host.LiveCompiled()
	p, err := rt.Load(ctx, repoFile(t, "fixtures/guests/c/frontend/frontend.wasm"), host.LoadOptions{Name: "frontend.wasm"})
	if err != nil {
		t.Fatal(err)
	}
	a, err := p.Instantiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, err := p.Instantiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Instantiate(ctx); !errors.Is(err, host.ErrProgramClosed) {
		t.Fatalf("Instantiate after Close = %v, want ErrProgramClosed", err)
	}
	if _, err := a.Call(ctx, "backstage-frontend-plugin#get-node-deps"); err != nil {
		t.Fatalf("an instance made before Close must keep working: %v", err)
	}
	a.Close(ctx)
	if host.LiveCompiled() == base {
		t.Fatal("the code was released while an instance still used it")
	}
	if _, err := b.Call(ctx, "backstage-frontend-plugin#get-component-files"); err != nil {
		t.Fatalf("the last instance must keep working: %v", err)
	}
	b.Close(ctx)
	if n := host.LiveCompiled(); n != base {
		t.Fatalf("%d compiled modules still held after the last instance closed", n-base)
	}
	if err := p.Close(ctx); err != nil {
		t.Fatalf("a second Close: %v", err)
	}
}

// syncBuffer collects log output written from guest calls.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A guest printing in a loop gets a bounded amount into the log, sanitised,
// and a record of what was dropped.
func TestGuestOutputFloodIsBounded(t *testing.T) {
	line := "\x1b]0;pwned\x07\x1b]52;c;ZXZpbA==\x07 " + strings.Repeat("spam ", 16) + "\n"
	data := make([]byte, 16)
	le := func(off int, v uint32) {
		data[off], data[off+1], data[off+2], data[off+3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
	}
	le(0, 16)
	le(4, uint32(len(line)))
	data = append(data, line...)
	var buf syncBuffer
	rt := newRuntime(t, host.Config{Logger: slog.New(slog.NewTextHandler(&buf, nil))})
	p, err := loadHostile(t, rt, wasmasm.Module{MinPages: 1, Data: data,
		Imports: []wasmasm.Import{{Module: "wasi_snapshot_preview1", Name: "fd_write", Params: []byte{i32, i32, i32, i32}, Results: []byte{i32}}},
		Funcs: []wasmasm.Func{{Export: "test:h/h#spam", Params: []byte{i32}, Body: []byte{
			0x02, 0x40, 0x03, 0x40,
			0x20, 0x00, 0x45, 0x0d, 0x01, // n == 0 → exit
			0x41, 1, 0x41, 0, 0x41, 1, 0x41, 8, 0x10, 0, 0x1a, // fd_write(1, iov 0, 1, 8)
			0x20, 0x00, 0x41, 0x01, 0x6b, 0x21, 0x00, // n--
			0x0c, 0x00, 0x0b, 0x0b,
		}}}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	inst, err := p.Instantiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	const n = 200_000
	start := time.Now()
	if _, err := inst.Call(ctx, "h#spam", uint32(n)); err != nil {
		t.Fatal(err)
	}
	inst.Close(ctx)
	elapsed := time.Since(start).Seconds()
	out := buf.String()
	logged := strings.Count(out, "stream=stdout")
	// The bucket: a burst of two seconds' worth plus the rate over the time
	// the guest ran.
	bound := int(2*host.DefaultLinesPerSecond + elapsed*host.DefaultLinesPerSecond + 1)
	t.Logf("guest wrote %d lines (%d MB) in %.1fs; %d reached the log (%d bytes)", n, n*len(line)>>20, elapsed, logged, len(out))
	if logged == 0 || logged > bound {
		t.Errorf("%d of %d lines logged; want between 1 and %d", logged, n, bound)
	}
	if strings.ContainsAny(out, "\x1b\x07") {
		t.Error("escape sequences reached the log")
	}
	if !strings.Contains(out, `\\x1b]0;pwned\\x07`) { // escaped by guesttext, then quoted by slog
		t.Error("the guest's line should be in the log, its escapes shown")
	}
	if !strings.Contains(out, "guest output dropped: ") || !strings.Contains(out, "dropped_lines=") {
		t.Errorf("no record of the dropped output:\n%s", tail(out, 2000))
	}
	var dropped int
	for _, l := range strings.Split(out, "\n") {
		if _, rest, ok := strings.Cut(l, "dropped_lines="); ok {
			k, _ := strconv.Atoi(strings.Fields(rest)[0])
			dropped += k
		}
	}
	if dropped+logged != n {
		t.Errorf("%d logged + %d reported dropped != %d written", logged, dropped, n)
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

func TestDefaultCacheDirFromEnv(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("BIGBAND_CACHE_DIR", dir)
	if got := host.DefaultCacheDir(); got != dir {
		t.Fatalf("DefaultCacheDir() = %q, want $BIGBAND_CACHE_DIR %q", got, dir)
	}
}

// A cache directory that can't be made is skipped with one warning; the
// runtime works without it.
func TestUnusableCacheDirFallsBack(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var buf syncBuffer
	rt := newRuntime(t, host.Config{CacheDir: filepath.Join(file, "cache"), Logger: slog.New(slog.NewTextHandler(&buf, nil))})
	if got := strings.Count(buf.String(), "level=WARN"); got != 1 || !strings.Contains(buf.String(), "compilation cache disabled") {
		t.Fatalf("want one warning, got:\n%s", buf.String())
	}
	if _, err := rt.Load(context.Background(), repoFile(t, "fixtures/guests/c/frontend/frontend.wasm"), host.LoadOptions{}); err != nil {
		t.Fatal(err)
	}
}

// The cache is kept under its cap by evicting the least recently used
// entries, and abandoned temporary files go.
func TestCacheEviction(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "wazero-v0-amd64-linux")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	write := func(name string, size int, age time.Duration) {
		path := filepath.Join(sub, name)
		if err := os.WriteFile(path, make([]byte, size), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, now.Add(-age), now.Add(-age)); err != nil {
			t.Fatal(err)
		}
	}
	key := func(c string) string { return strings.Repeat(c, 64) }
	write(key("a"), 400, 3*time.Hour)
	write(key("b"), 400, 4*time.Hour)
	write(key("c"), 400, time.Hour)
	write(key("d"), 400, time.Minute)
	write(key("e")+".123.tmp", 10, 2*time.Hour)
	write(key("f")+".456.tmp", 10, time.Minute) // maybe still being written
	write("notes.txt", 4000, 5*time.Hour)       // not wazero's: never touched
	newRuntime(t, host.Config{CacheDir: dir, CacheMaxBytes: 1000})
	for name, want := range map[string]bool{key("a"): false, key("b"): false, key("c"): true, key("d"): true,
		key("e") + ".123.tmp": false, key("f") + ".456.tmp": true, "notes.txt": true} {
		_, err := os.Stat(filepath.Join(sub, name))
		if got := err == nil; got != want {
			t.Errorf("%s: kept = %v, want %v", name, got, want)
		}
	}
	// Loading a guest evicts too: with a 1-byte cap nothing compiled stays.
	rt := newRuntime(t, host.Config{CacheDir: dir, CacheMaxBytes: 1})
	if _, err := rt.Load(context.Background(), repoFile(t, "fixtures/guests/c/frontend/frontend.wasm"), host.LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	var files []string
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		// Empty markers of code compiled once (for Config.FastLoad) are
		// not compiled code.
		if err == nil && d.Type().IsRegular() && filepath.Base(filepath.Dir(path)) != "bigband-code" {
			files = append(files, path)
		}
		return nil
	})
	if len(files) > 2 { // the young temporary file and notes.txt stay
		t.Errorf("cache over its cap after a load: %v", files)
	}
}

func ExampleRuntime_MemoryLimit() {
	ctx := context.Background()
	rt, err := host.NewRuntime(ctx, host.Config{})
	if err != nil {
		panic(err)
	}
	defer rt.Close(ctx)
	fmt.Println(rt.MemoryLimit() >> 20)
	// Output: 512
}
