package keys

import (
	"context"
	"os"
	"testing"
	"time"
)

// A pipe is not a terminal: bytes arrive as written, and restore is safe.
func TestListenPipe(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, restore := Listen(ctx, r)
	defer restore()
	if _, err := w.Write([]byte("rq")); err != nil {
		t.Fatal(err)
	}
	var got []byte
	for len(got) < 2 {
		select {
		case b := <-ch:
			got = append(got, b)
		case <-time.After(time.Minute):
			t.Fatalf("keys so far %q", got)
		}
	}
	if string(got) != "rq" {
		t.Errorf("keys %q, want rq", got)
	}
	w.Close()
	select {
	case _, ok := <-ch:
		if ok {
			t.Error("a key after the writer closed")
		}
	case <-time.After(time.Minute):
		t.Error("channel not closed at end of input")
	}
}
