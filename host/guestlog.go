package host

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
)

// lineLogger turns a guest's stdout or stderr into log records, one per
// line, tagged with the plugin's name so interleaved guests stay readable.
type lineLogger struct {
	log    *slog.Logger
	plugin string
	stream string

	mu  sync.Mutex
	buf []byte
}

// maxLine bounds a buffered partial line so a guest that never writes a
// newline can't grow host memory without limit.
const maxLine = 64 << 10

func (w *lineLogger) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			if len(w.buf) > maxLine {
				w.emit(w.buf)
				w.buf = w.buf[:0]
			}
			return len(p), nil
		}
		w.emit(w.buf[:i])
		w.buf = w.buf[i+1:]
	}
}

func (w *lineLogger) emit(line []byte) {
	w.log.LogAttrs(context.Background(), slog.LevelInfo, string(bytes.TrimRight(line, "\r")),
		slog.String("plugin", w.plugin), slog.String("stream", w.stream))
}

// Flush logs any unterminated last line.
func (w *lineLogger) Flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) > 0 {
		w.emit(w.buf)
		w.buf = w.buf[:0]
	}
}
