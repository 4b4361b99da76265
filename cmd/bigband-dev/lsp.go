package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/bigband-dev/bigband/lsp"
)

type lspOptions struct {
	log   string
	stdio bool
}

func lspFlagSet(fs *flag.FlagSet) any {
	o := &lspOptions{}
	fs.StringVar(&o.log, "log", "", "write a debug log to `FILE`")
	// Editors' LSP configurations often pass --stdio; it is the only
	// transport, so it is accepted and changes nothing.
	fs.BoolVar(&o.stdio, "stdio", true, "speak LSP on stdin and stdout (the only transport)")
	return o
}

// stdio joins the process's streams into the one connection LSP runs on.
type stdio struct {
	io.Reader
	io.Writer
}

func (stdio) Close() error { return nil }

func runLSP(e *env, opts any, args []string) int {
	o := opts.(*lspOptions)
	if len(args) > 0 {
		fmt.Fprintf(e.stderr, "bigband-dev lsp: unexpected arguments %q (the server talks on stdin and stdout)\n", args)
		return exitUsage
	}
	logger := slog.New(slog.DiscardHandler)
	if o.log != "" {
		f, err := os.OpenFile(o.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			fmt.Fprintf(e.stderr, "bigband-dev lsp: --log: %v\n", err)
			return exitUsage
		}
		defer f.Close()
		logger = slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := lsp.Serve(ctx, stdio{e.stdin, e.stdout}, lsp.Options{Logger: logger}); err != nil {
		fmt.Fprintf(e.stderr, "bigband-dev lsp: %v\n", err)
		return exitFail
	}
	return exitOK
}
