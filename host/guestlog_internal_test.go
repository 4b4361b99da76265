package host

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// fakeClock drives the output limiter without waiting.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func testLogger(limit OutputLimit) (*lineLogger, *bytes.Buffer, *fakeClock) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		}}))
	clock := &fakeClock{time.Unix(1e9, 0)}
	o := newOutputLimiter(log, "p.wasm", limit)
	o.now = clock.now
	o.last = clock.t
	max := limit.MaxLine
	if max == 0 {
		max = DefaultMaxLine
	}
	return &lineLogger{log: log, plugin: "p.wasm", stream: "stdout", limit: o, maxLine: max}, &buf, clock
}

func TestLineLoggerLines(t *testing.T) {
	cases := []struct {
		name   string
		writes []string
		want   []string // messages, in order
	}{
		{"split across writes", []string{"hel", "lo\nwor", "ld\n"}, []string{`msg=hello`, `msg=world`}},
		{"crlf", []string{"a\r\n"}, []string{`msg=a `}},
		{"unterminated flushed", []string{"tail"}, []string{`msg=tail`}},
		{"escapes", []string{"\x1b]0;title\x07 \x1b[2K\rok \u202e\n"}, []string{`msg="\\x1b]0;title\\x07 \\x1b[2K\\rok \\u202e"`}},
		{"invalid utf-8", []string{"a\xffb\n"}, []string{`msg=a\xffb`}},
		{"long line cut", []string{strings.Repeat("x", 10), strings.Repeat("y", 30) + "\nnext\n"},
			[]string{`msg="xxxxxxxxxxyyyyyy … [24 more bytes cut]"`, `msg=next`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			max := 16
			if c.name == "escapes" {
				max = 0
			}
			w, buf, _ := testLogger(OutputLimit{MaxLine: max})
			for _, s := range c.writes {
				if n, err := w.Write([]byte(s)); n != len(s) || err != nil {
					t.Fatalf("Write = %d, %v", n, err)
				}
			}
			w.Flush()
			lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
			if len(lines) != len(c.want) {
				t.Fatalf("got %d records, want %d:\n%s", len(lines), len(c.want), buf.String())
			}
			for i, l := range lines {
				if !strings.Contains(l, c.want[i]+" plugin=p.wasm stream=stdout") && !strings.Contains(l, c.want[i]+"plugin=p.wasm stream=stdout") {
					t.Errorf("record %d = %s\nwant %s", i, l, c.want[i])
				}
			}
		})
	}
}

// A line never holds more than MaxLine bytes of host memory, however much
// the guest writes without a newline.
func TestLineLoggerBoundsBuffer(t *testing.T) {
	w, buf, _ := testLogger(OutputLimit{MaxLine: 1024})
	chunk := bytes.Repeat([]byte("z"), 64<<10)
	for range 1024 { // 64 MiB, no newline
		w.Write(chunk)
		if cap(w.buf) > 4096 {
			t.Fatalf("line buffer grew to %d bytes", cap(w.buf))
		}
	}
	w.Write([]byte("\n"))
	if out := buf.String(); !strings.Contains(out, "[67107840 more bytes cut]") || len(out) > 2048 {
		t.Fatalf("a 64 MiB line must be logged cut to 1 KiB with a note; got %d bytes:\n%.300s", len(out), out)
	}
}

func TestOutputRateLimit(t *testing.T) {
	w, buf, clock := testLogger(OutputLimit{LinesPerSecond: 10, BytesPerSecond: 1000})
	count := func() int { return strings.Count(buf.String(), "stream=stdout") }
	for range 100 {
		w.Write([]byte("line\n"))
	}
	if n := count(); n != 20 {
		t.Fatalf("burst: %d lines logged, want 20 (two seconds' worth)", n)
	}
	if strings.Contains(buf.String(), "dropped") {
		t.Fatal("the drop report waits for the next line that gets through")
	}
	clock.t = clock.t.Add(time.Second)
	w.Write([]byte("after\n"))
	out := buf.String()
	if !strings.Contains(out, "guest output dropped: 80 lines, 320 bytes") || !strings.Contains(out, "msg=after") {
		t.Fatalf("after a second: want the drop report and the line:\n%s", out)
	}
	// The byte budget: 2000 bytes of burst, 1000 a second.
	w2, buf2, _ := testLogger(OutputLimit{LinesPerSecond: -1, BytesPerSecond: 1000})
	for range 10 {
		w2.Write(append(bytes.Repeat([]byte("b"), 299), '\n'))
	}
	w2.Flush()
	if n := strings.Count(buf2.String(), "stream=stdout"); n != 6 {
		t.Fatalf("%d lines of 299 bytes logged, want 6 within 2000 bytes", n)
	}
	if !strings.Contains(buf2.String(), "dropped: 4 lines, 1196 bytes") {
		t.Fatalf("Flush must report what was dropped:\n%s", buf2.String())
	}
	// Negative rates: no limit.
	w3, buf3, _ := testLogger(OutputLimit{LinesPerSecond: -1, BytesPerSecond: -1})
	for range 5000 {
		w3.Write([]byte("x\n"))
	}
	if n := strings.Count(buf3.String(), "stream=stdout"); n != 5000 {
		t.Fatalf("unlimited: %d of 5000 lines logged", n)
	}
}
