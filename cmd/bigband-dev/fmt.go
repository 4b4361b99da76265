package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/bigband-dev/bigband/wit/syntax"
)

func fmtCommand() *command {
	return &command{
		name:    "fmt",
		usage:   "wit fmt [-w] [-check] [PATH...]",
		summary: "format WIT files in the canonical style",
		desc: "Formats .wit files in the canonical style, keeping every comment. A directory PATH " +
			"formats every .wit file under it, deps/ included. Without -w the result goes to stdout; " +
			"without PATH, stdin is formatted to stdout. A file with syntax errors is reported and " +
			"left untouched. Writes are atomic and keep the file's mode.",
		example: "bigband-dev wit fmt -w guest/wit/backstage",
		flags: func(fs *flag.FlagSet) any {
			o := &fmtOptions{}
			fs.BoolVar(&o.write, "w", false, "write the result back to each file instead of stdout")
			fs.BoolVar(&o.check, "check", false, "list files whose formatting differs and exit 1 if any; write nothing")
			return o
		},
		run: runWitFmt,
	}
}

type fmtOptions struct {
	write, check bool
}

func runWitFmt(e *env, opts any, args []string) int {
	o := opts.(*fmtOptions)
	if o.write && o.check {
		fmt.Fprintln(e.stderr, "bigband-dev wit fmt: -w and -check cannot be used together")
		return exitUsage
	}
	if len(args) == 0 {
		if o.write {
			fmt.Fprintln(e.stderr, "bigband-dev wit fmt: -w needs a PATH")
			return exitUsage
		}
		return fmtStdin(e, o)
	}
	var files []string
	for _, arg := range args {
		found, err := witFiles(arg)
		if err != nil {
			fmt.Fprintf(e.stderr, "error: %v\n", err)
			return exitFail
		}
		files = append(files, found...)
	}
	status := exitOK
	for _, name := range files {
		if !fmtFile(e, o, name) {
			status = exitFail
		}
	}
	return status
}

func fmtStdin(e *env, o *fmtOptions) int {
	src, err := io.ReadAll(e.stdin)
	if err != nil {
		fmt.Fprintf(e.stderr, "error: reading stdin: %v\n", err)
		return exitFail
	}
	out, err := syntax.FormatSource("<stdin>", src)
	if err != nil {
		reportSyntax(e, err)
		return exitFail
	}
	if o.check {
		if !bytes.Equal(src, out) {
			fmt.Fprintln(e.stdout, "<stdin>")
			return exitFail
		}
		return exitOK
	}
	e.stdout.Write(out)
	return exitOK
}

// witFiles expands a PATH argument: a file stands for itself (whatever its
// extension, since the user named it), a directory for every .wit file under it.
func witFiles(path string) ([]string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fileError(path, err)
	}
	if !info.IsDir() {
		return []string{path}, nil
	}
	var files []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		// Hidden directories (.git, editor state) never hold package sources.
		if d.IsDir() && p != path && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() && strings.HasSuffix(d.Name(), ".wit") {
			files = append(files, p)
		}
		return nil
	})
	return files, err
}

// fmtFile formats one file and reports whether it went well (for -check:
// whether it was already formatted).
func fmtFile(e *env, o *fmtOptions, name string) bool {
	src, err := os.ReadFile(name)
	if err != nil {
		fmt.Fprintf(e.stderr, "error: %v\n", fileError(name, err))
		return false
	}
	out, err := syntax.FormatSource(name, src)
	if err != nil {
		reportSyntax(e, err)
		fmt.Fprintf(e.stderr, "%s: left as it is\n", name) // the errors above say why
		return false
	}
	switch {
	case o.check:
		if !bytes.Equal(src, out) {
			fmt.Fprintln(e.stdout, name)
			return false
		}
	case o.write:
		if bytes.Equal(src, out) {
			return true
		}
		if err := writeAtomic(name, out); err != nil {
			fmt.Fprintf(e.stderr, "error: %v\n", err)
			return false
		}
	default:
		e.stdout.Write(out)
	}
	return true
}

func reportSyntax(e *env, err error) {
	var fe *syntax.FormatError
	if !errors.As(err, &fe) {
		fmt.Fprintf(e.stderr, "error: %v\n", err)
		return
	}
	for _, d := range fe.Errors {
		fmt.Fprintf(e.stderr, "%s: %s\n", fe.Files.Position(d.Span.Start), d.Msg)
	}
}

// writeAtomic replaces name with data via a temporary file in the same
// directory, so a crash or a full disk never leaves a half-written source.
func writeAtomic(name string, data []byte) (err error) {
	info, err := os.Stat(name)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Chmod(info.Mode().Perm()); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}
