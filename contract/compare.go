package contract

import (
	"fmt"
	"strings"

	"github.com/bigband-dev/bigband/wit"
	"github.com/bigband-dev/bigband/wit/syntax"
)

// detail is one mismatch, worded for the guest's author, located in the
// guest's files.
type detail struct {
	msg  string
	span syntax.Span
}

// checkFunc compares one function's type with the contract's (see
// wit.Comparer for what counts as equal).
func checkFunc(g *wit.Resolve, gf *wit.Function, cr *wit.Resolve, cf *wit.Function) []detail {
	c := wit.NewComparer(g, cr)
	fd := c.Func(gf, cf)
	if fd.Shape {
		return []detail{{fmt.Sprintf("`%s` is `%s`, the contract needs `%s`",
			gf.Name, wit.FuncString(g, gf), wit.FuncString(cr, cf)), gf.Span}}
	}
	var ds []detail
	for _, i := range fd.Params {
		p := gf.Params[i]
		ds = append(ds, detail{fmt.Sprintf("`%s` parameter `%s` is `%s`, the contract needs `%s`",
			gf.Name, p.Name, wit.TypeString(g, p.Type), wit.TypeString(cr, cf.Params[i].Type)), p.Span})
	}
	switch {
	case !fd.Result:
	case gf.Result.IsNone():
		ds = append(ds, detail{fmt.Sprintf("`%s` returns nothing, the contract needs `%s`",
			gf.Name, wit.TypeString(cr, cf.Result)), gf.Span})
	case cf.Result.IsNone():
		ds = append(ds, detail{fmt.Sprintf("`%s` returns `%s`, the contract needs no result",
			gf.Name, wit.TypeString(g, gf.Result)), gf.Span})
	default:
		ds = append(ds, detail{fmt.Sprintf("`%s` returns `%s`, the contract needs `%s`",
			gf.Name, wit.TypeString(g, gf.Result), wit.TypeString(cr, cf.Result)), gf.Span})
	}
	for _, d := range c.Diffs {
		ds = append(ds, detail{fmt.Sprintf("`%s`: %s", gf.Name, diffString(g, cr, d)), d.Span})
	}
	return ds
}

// diffString words a difference inside a definition.
func diffString(g, cr *wit.Resolve, d wit.Diff) string {
	switch d.Kind {
	case wit.MissingField:
		return fmt.Sprintf("record `%s` has no field `%s`, the contract needs `%s: %s`",
			d.Def, d.Item, d.Item, wit.TypeString(cr, d.BType))
	case wit.ExtraField:
		return fmt.Sprintf("record `%s` field `%s` is not in the contract (an extra field changes the canonical ABI layout)", d.Def, d.Item)
	case wit.FieldOrder:
		return fmt.Sprintf("record `%s` fields are in the order `%s`, the contract needs `%s` (field order is part of the canonical ABI layout)",
			d.Def, strings.Join(d.ANames, ", "), strings.Join(d.BNames, ", "))
	case wit.FieldType:
		return fmt.Sprintf("record `%s` field `%s` is `%s`, the contract needs `%s`",
			d.Def, d.Item, wit.TypeString(g, d.AType), wit.TypeString(cr, d.BType))
	case wit.MissingCase:
		return fmt.Sprintf("variant `%s` has no case `%s`, the contract needs `%s`",
			d.Def, d.Item, caseString(cr, d.Item, d.BType))
	case wit.ExtraCase:
		return fmt.Sprintf("variant `%s` case `%s` is not in the contract (an extra case changes the canonical ABI layout)", d.Def, d.Item)
	case wit.CaseOrder:
		return fmt.Sprintf("variant `%s` cases are in the order `%s`, the contract needs `%s` (case order is part of the canonical ABI layout)",
			d.Def, strings.Join(d.ANames, ", "), strings.Join(d.BNames, ", "))
	case wit.CaseType:
		return fmt.Sprintf("variant `%s` case `%s` has %s, the contract needs %s",
			d.Def, d.Item, payload(g, d.AType), payload(cr, d.BType))
	case wit.EnumCases:
		return fmt.Sprintf("enum `%s` cases are `%s`, the contract needs `%s`",
			d.Def, strings.Join(d.ANames, ", "), strings.Join(d.BNames, ", "))
	case wit.FlagNames:
		return fmt.Sprintf("flags `%s` are `%s`, the contract needs `%s`",
			d.Def, strings.Join(d.ANames, ", "), strings.Join(d.BNames, ", "))
	}
	return fmt.Sprintf("`%s` differs from the contract", d.Def)
}

func caseString(r *wit.Resolve, name string, t wit.Type) string {
	if t.IsNone() {
		return name
	}
	return name + "(" + wit.TypeString(r, t) + ")"
}

func payload(r *wit.Resolve, t wit.Type) string {
	if t.IsNone() {
		return "no payload"
	}
	return "payload `" + wit.TypeString(r, t) + "`"
}
