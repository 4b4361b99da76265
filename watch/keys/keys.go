// Package keys reads single key presses for `bigband-dev watch` (r to
// rebuild, c to clear, q to quit) without waiting for Enter.
//
// On a terminal it switches to cbreak mode: no line buffering and no echo,
// but output processing and signals stay as they are, so log lines still
// end properly and Ctrl-C still sends SIGINT. Input that is not a terminal
// (a pipe) is read as it comes, which is what tests use.
package keys

import (
	"context"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// Listen sends every byte read from f on the returned channel until ctx is
// done or f ends. Call restore before exiting: it puts the terminal back
// the way it was (it does nothing when f is not a terminal).
func Listen(ctx context.Context, f *os.File) (keys <-chan byte, restore func()) {
	restore = func() {}
	if old, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS); err == nil {
		cb := *old
		cb.Lflag &^= unix.ICANON | unix.ECHO
		cb.Cc[unix.VMIN], cb.Cc[unix.VTIME] = 1, 0
		if unix.IoctlSetTermios(int(f.Fd()), unix.TCSETS, &cb) == nil {
			restore = func() { unix.IoctlSetTermios(int(f.Fd()), unix.TCSETS, old) }
		}
	}
	ch := make(chan byte, 16)
	go read(ctx, f, ch)
	return ch, restore
}

// read forwards bytes; it may outlive ctx blocked in Read until the
// process exits, which is harmless for stdin.
func read(ctx context.Context, r io.Reader, ch chan<- byte) {
	defer close(ch)
	buf := make([]byte, 64)
	for {
		n, err := r.Read(buf)
		for _, b := range buf[:n] {
			select {
			case ch <- b:
			case <-ctx.Done():
				return
			}
		}
		if err != nil {
			return
		}
	}
}
