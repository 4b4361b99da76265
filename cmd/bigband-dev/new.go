package main

import (
	"flag"
	"fmt"

	"github.com/bigband-dev/bigband/scaffold"
)

type newOpts struct {
	id    string
	force bool
}

func newFlagSet(fs *flag.FlagSet) any {
	o := &newOpts{}
	fs.StringVar(&o.id, "id", "", "Backstage plugin `ID` (default: DIR's name; lowercase letters, digits and dashes)")
	fs.BoolVar(&o.force, "force", false, "write into DIR even when it is not empty, overwriting files of the same name")
	return o
}

func runNew(e *env, opts any, args []string) int {
	o := opts.(*newOpts)
	if len(args) != 3 {
		fmt.Fprintf(e.stderr, "bigband-dev new: want LANG KIND DIR, got %d argument(s)\n\n", len(args))
		printHelp(e.stderr, find(commands(), "new"))
		return exitUsage
	}
	res, err := scaffold.New(scaffold.Options{Lang: args[0], Kind: args[1], Dir: args[2], ID: o.id, Force: o.force})
	if err != nil {
		fmt.Fprintln(e.stderr, "bigband-dev new: "+err.Error())
		return exitFail
	}
	fmt.Fprintf(e.stdout, "created %s %s plugin %q in %s:\n", args[0], args[1], res.ID, res.Dir)
	for _, f := range res.Files {
		fmt.Fprintln(e.stdout, "  "+f)
	}
	fmt.Fprintln(e.stdout, "\nNext (the README says more):")
	for _, c := range res.Next {
		fmt.Fprintln(e.stdout, "  "+c)
	}
	return exitOK
}
