package main

import (
	"flag"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/bigband-dev/bigband/host"
)

// budgetFlag is --compile-budget: comma-separated limit=N pairs over the
// host's default compile budget, the limits named as the compile-budget
// errors name them (Nesting or nesting, BrTableTargets or
// br-table-targets); N may be -1 for no limit.
type budgetFlag struct{ b **host.CompileBudget }

func compileBudgetVar(fs *flag.FlagSet, b **host.CompileBudget) {
	fs.Var(budgetFlag{b}, "compile-budget", "raise compile limits, `LIMIT=N,...` (e.g. nesting=6000,blocks=100000; -1: no limit); see a compile-budget error for the limit's name")
}

func (f budgetFlag) String() string { return "" }

func (f budgetFlag) Set(v string) error {
	b := host.DefaultCompileBudget()
	if *f.b != nil {
		b = **f.b
	}
	rv := reflect.ValueOf(&b).Elem()
	for _, kv := range strings.Split(v, ",") {
		k, n, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if !ok {
			return fmt.Errorf("%q: want LIMIT=N", kv)
		}
		field := budgetField(rv.Type(), k)
		if field == "" {
			return fmt.Errorf("unknown limit %q (limits: %s)", k, strings.Join(budgetNames(rv.Type()), ", "))
		}
		num, err := strconv.ParseFloat(n, 64) // 1e6 reads well for big counts
		if err != nil || num != float64(int64(num)) || (num < 1 && num != -1) {
			return fmt.Errorf("%s=%s: want a whole number of at least 1, or -1 for no limit", k, n)
		}
		rv.FieldByName(field).SetInt(int64(num))
	}
	*f.b = &b
	return nil
}

// budgetField finds the field a limit names: its Go name or kebab-case.
func budgetField(t reflect.Type, name string) string {
	for i := range t.NumField() {
		f := t.Field(i).Name
		if strings.EqualFold(f, name) || host.BudgetKey(f) == strings.ToLower(name) {
			return f
		}
	}
	return ""
}

func budgetNames(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		out = append(out, host.BudgetKey(t.Field(i).Name))
	}
	sort.Strings(out)
	return out
}
