package wasi_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/bigband-dev/bigband/host/wasi"
)

// A body for another interface (wasi:http) is a stream over a reader or a
// writer; the guest sees an ordinary wasi:io input-stream or output-stream.
func ExampleNewInputStream() {
	body := wasi.NewInputStream(strings.NewReader("request body"))
	body.OnDrop(func() { fmt.Println("guest dropped the body stream") })
	data, err := body.BlockingRead(context.Background(), 7)
	fmt.Printf("%q %v\n", data, err)
	body.Drop()
	// Output:
	// "request" <nil>
	// guest dropped the body stream
}

func ExampleNewOutputStream() {
	out := wasi.NewOutputStream(os.Stdout)
	if err := out.Write([]byte("hello from the guest\n")); err != nil {
		fmt.Println(err)
	}
	out.Close() // the host ends the stream: the guest's next write gets stream-error closed
	fmt.Println(out.Write([]byte("late")))
	// Output:
	// hello from the guest
	// EOF
}

// Poll waits for the first of several pollables, however they were made.
func ExamplePoll() {
	done := make(chan struct{})
	ps := []*wasi.Pollable{
		wasi.TimerPollable(time.Hour),
		wasi.ChanPollable(done),
	}
	defer ps[0].Drop()
	close(done)
	ready, err := wasi.Poll(context.Background(), ps)
	fmt.Println(ready, err)
	// Output: [1] <nil>
}
