package host

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/bigband-dev/bigband/host/guesttext"
)

// OutputLimit bounds what a guest's stdout and stderr put into the log. A
// guest's output is shared by all instances of its program: a pool of
// instances gets one budget, not one each.
type OutputLimit struct {
	// MaxLine cuts a longer line, with a note of how much was cut. 0 means
	// DefaultMaxLine.
	MaxLine int
	// LinesPerSecond and BytesPerSecond are the sustained rate; twice as
	// much may come in a burst. Output over the rate is dropped and counted,
	// and a later record says how much. 0 means the default; negative, no
	// limit.
	LinesPerSecond int
	BytesPerSecond int
}

// Defaults of OutputLimit: enough for any log a person reads as it scrolls
// by, and a guest printing in a loop writes 256 KiB a second, not the
// 17 MB a second it could.
const (
	DefaultMaxLine        = 16 << 10
	DefaultLinesPerSecond = 500
	DefaultBytesPerSecond = 256 << 10
)

// dropReportEvery spaces out the records that report dropped output.
const dropReportEvery = time.Second

// outputLimiter is the token bucket a program's instances draw from.
type outputLimiter struct {
	log            *slog.Logger
	plugin         string
	lineRate       float64 // per second; 0: unlimited
	byteRate       float64
	now            func() time.Time
	mu             sync.Mutex
	lines, bytes   float64 // tokens available
	last           time.Time
	droppedLines   int
	droppedBytes   int
	lastDropReport time.Time
}

func newOutputLimiter(log *slog.Logger, plugin string, l OutputLimit) *outputLimiter {
	rate := func(v, def int) float64 {
		switch {
		case v == 0:
			return float64(def)
		case v < 0:
			return 0
		}
		return float64(v)
	}
	o := &outputLimiter{log: log, plugin: plugin, now: time.Now,
		lineRate: rate(l.LinesPerSecond, DefaultLinesPerSecond),
		byteRate: rate(l.BytesPerSecond, DefaultBytesPerSecond)}
	o.lines, o.bytes = 2*o.lineRate, 2*o.byteRate
	o.last = o.now()
	return o
}

// allow takes one line of n bytes from the bucket, or counts it and the
// size bytes the guest wrote for it as dropped. It reports a pending count
// of dropped output when it's time to.
func (o *outputLimiter) allow(n, size int) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	now := o.now()
	if dt := now.Sub(o.last).Seconds(); dt > 0 {
		o.lines = min(o.lines+dt*o.lineRate, 2*o.lineRate)
		o.bytes = min(o.bytes+dt*o.byteRate, 2*o.byteRate)
		o.last = now
	}
	if (o.lineRate > 0 && o.lines < 1) || (o.byteRate > 0 && o.bytes < float64(n)) {
		o.droppedLines++
		o.droppedBytes += size
		return false
	}
	o.lines--
	o.bytes -= float64(n)
	if o.droppedLines > 0 && now.Sub(o.lastDropReport) >= dropReportEvery {
		o.reportLocked(now)
	}
	return true
}

// report logs how much output was dropped since the last report, if any.
func (o *outputLimiter) report() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.droppedLines > 0 {
		o.reportLocked(o.now())
	}
}

func (o *outputLimiter) reportLocked(now time.Time) {
	o.log.LogAttrs(context.Background(), slog.LevelWarn,
		fmt.Sprintf("guest output dropped: %d lines, %d bytes over the limit of %.0f lines and %.0f bytes a second (Config.Output)",
			o.droppedLines, o.droppedBytes, o.lineRate, o.byteRate),
		slog.String("plugin", o.plugin), slog.Int("dropped_lines", o.droppedLines), slog.Int("dropped_bytes", o.droppedBytes))
	o.droppedLines, o.droppedBytes = 0, 0
	o.lastDropReport = now
}

// lineLogger turns a guest's stdout or stderr into log records, one per
// line, tagged with the plugin's name so interleaved guests stay readable.
// Lines are sanitised (a guest can't drive the terminal showing the log),
// cut at the limit's MaxLine, and rate limited.
type lineLogger struct {
	log     *slog.Logger
	plugin  string
	stream  string
	limit   *outputLimiter
	maxLine int

	mu  sync.Mutex
	buf []byte
	cut int // bytes of the current line beyond maxLine, discarded
}

func (p *Program) newLineLogger(stream string) *lineLogger {
	max := p.rt.cfg.Output.MaxLine
	if max <= 0 {
		max = DefaultMaxLine
	}
	return &lineLogger{log: p.rt.log, plugin: p.name, stream: stream, limit: p.output, maxLine: max}
}

func (w *lineLogger) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		chunk := p
		if i >= 0 {
			chunk = p[:i]
		}
		// Keep at most maxLine bytes of a line; count the rest.
		room := max(w.maxLine-len(w.buf), 0)
		if len(chunk) > room {
			w.cut += len(chunk) - room
			chunk = chunk[:room]
		}
		w.buf = append(w.buf, chunk...)
		if i < 0 {
			break
		}
		w.emit()
		p = p[i+1:]
	}
	return n, nil
}

// emit logs the buffered line and empties the buffer.
func (w *lineLogger) emit() {
	line := bytes.TrimRight(w.buf, "\r")
	if w.limit == nil || w.limit.allow(len(line), len(line)+w.cut) {
		msg := guesttext.Line(string(line), 0)
		if w.cut > 0 {
			msg += fmt.Sprintf(" … [%d more bytes cut]", w.cut)
		}
		w.log.LogAttrs(context.Background(), slog.LevelInfo, msg,
			slog.String("plugin", w.plugin), slog.String("stream", w.stream))
	}
	w.buf, w.cut = w.buf[:0], 0
}

// Flush logs any unterminated last line, and what was dropped.
func (w *lineLogger) Flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) > 0 || w.cut > 0 {
		w.emit()
	}
	if w.limit != nil {
		w.limit.report()
	}
}
