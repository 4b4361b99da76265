package fswatch_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/bigband-dev/bigband/watch/fswatch"
	"github.com/bigband-dev/bigband/watch/toolchain"
)

// The dev loop's first half: watch a guest's sources and rebuild on each
// batch, cancelling a build that a newer batch makes stale.
func Example() {
	ctx := context.Background()
	spec, err := toolchain.Detect("fixtures/guests/go/frontend")
	if err != nil {
		log.Fatal(err)
	}
	w, err := fswatch.New(ctx, spec.Dir, fswatch.Options{
		Watch:       spec.Watch,
		Ignore:      spec.Ignore,
		IgnorePaths: spec.IgnorePaths(), // plus the generated plugin directory
	})
	if err != nil {
		log.Fatal(err) // e.g. out of inotify watches: the message says what to do
	}
	defer w.Close()

	cancel := func() {}
	for b := range w.Batches() {
		cancel() // a build still running is building stale sources
		var bctx context.Context
		bctx, cancel = context.WithCancel(ctx)
		fmt.Println("changed:", b.Paths())
		go func() {
			res, err := toolchain.Build(bctx, spec, os.Stdout)
			switch {
			case err == nil:
				fmt.Println("built", res.Artifact, "in", res.Duration)
			case bctx.Err() == nil:
				fmt.Println(err) // the compiler's file:line:col lines first
			}
		}()
	}
	cancel()
}
