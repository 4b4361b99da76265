package host

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/bigband-dev/bigband/host/abi"
	"github.com/bigband-dev/bigband/wit"
)

// Export is a function a guest exports, typed.
type Export struct {
	// Name is the export's full name: `ns:pkg/iface@ver#func` for an
	// interface function, or the plain function name for a world-level one.
	Name string
	// Interface is the interface's full name ("" for world-level functions)
	// and Short its name alone (`backstage-frontend-plugin`).
	Interface, Short string
	Func             *wit.Function

	abi *abi.Func
}

// Program is a loaded guest: immutable, reusable, safe for concurrent use.
type Program struct {
	rt   *Runtime
	name string

	resolve *wit.Resolve
	world   wit.WorldID
	types   *abi.Types
	exports []*Export

	core *coreProgram
	comp *compProgram
	// fallback: typed by the caller's world, not by the binary.
	fallback bool

	output *outputLimiter // shared by every instance's stdout and stderr
	life   lifecycle

	// eng runs every module of the program; fast lets Load choose the
	// interpreter (Config.FastLoad).
	eng  *engine
	fast bool
	// upgrade delivers the compiled program of an interpreted one.
	upgrade       chan *Program
	upgradeCancel context.CancelFunc
}

// TypedByFallback reports whether the guest carried no types of its own and
// was typed by LoadOptions.Fallback: then World is the fallback world, and
// only Exports says what the guest really provides.
func (p *Program) TypedByFallback() bool { return p.fallback }

// Name is what the program was loaded as (typically its file name).
func (p *Program) Name() string { return p.name }

// World returns the guest's world: what it imports and exports, typed.
func (p *Program) World() (*wit.Resolve, wit.WorldID) { return p.resolve, p.world }

// Exports lists the functions the guest exports, sorted by name.
func (p *Program) Exports() []*Export { return p.exports }

// Lookup finds an export by `iface#func` (the interface may be given by its
// name alone, `backstage-frontend-plugin#get-node-deps`, or fully qualified,
// with or without version) or by a world-level function's name.
func (p *Program) Lookup(name string) (*Export, error) {
	iface, fn, qualified := strings.Cut(name, "#")
	var matches []*Export
	for _, e := range p.exports {
		switch {
		case !qualified:
			if e.Interface == "" && e.Func.Name == name {
				matches = append(matches, e)
			}
		case e.Func.Name != fn:
		case e.Interface == iface, e.Short == iface, strings.HasPrefix(e.Interface, iface+"@"):
			matches = append(matches, e)
		}
	}
	switch len(matches) {
	case 1:
		return matches[0], nil
	case 0:
		return nil, fmt.Errorf("%s: no export %q (exports: %s)", p.name, name, p.exportList())
	}
	var names []string
	for _, m := range matches {
		names = append(names, m.Name)
	}
	return nil, fmt.Errorf("%s: export %q is ambiguous: %s", p.name, name, strings.Join(names, ", "))
}

func (p *Program) exportList() string {
	var names []string
	for _, e := range p.exports {
		names = append(names, e.Name)
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// addExports computes the ABI of each export and sorts them.
func (p *Program) addExports(exports []*Export) error {
	for _, e := range exports {
		fa, err := p.types.Func(e.Func)
		if err != nil {
			return fmt.Errorf("%s: export %s: %w", p.name, e.Name, err)
		}
		e.abi = fa
	}
	sort.Slice(exports, func(i, j int) bool { return exports[i].Name < exports[j].Name })
	p.exports = exports
	return nil
}

// worldExports lists the functions a world exports: interface functions
// under their interface's full name, and world-level functions.
func worldExports(r *wit.Resolve, w wit.WorldID) []*Export {
	var out []*Export
	for _, it := range r.Worlds[w].Exports {
		switch it.Kind {
		case wit.WorldFunction:
			out = append(out, &Export{Name: it.Function.Name, Func: it.Function})
		case wit.WorldInterface:
			iface := r.Interfaces[it.Interface]
			full := r.KeyName(it.Key)
			short := it.Key.Name
			if iface.Name != nil {
				short = *iface.Name
			}
			for _, f := range iface.Functions {
				out = append(out, &Export{Name: full + "#" + f.Name, Interface: full, Short: short, Func: f})
			}
		}
	}
	return out
}

// ResultJSON renders an export's result as JSON (see abi.Types.ToJSON).
func (p *Program) ResultJSON(e *Export, v any) ([]byte, error) {
	if e.Func.Result.IsNone() {
		return []byte("null"), nil
	}
	j, err := p.types.ToJSON(e.Func.Result, v)
	if err != nil {
		return nil, err
	}
	return json.Marshal(j)
}

// CallJSON calls e on a fresh instance with args and renders the result
// as ResultJSON does: what `bigband-dev call` prints.
func (p *Program) CallJSON(ctx context.Context, e *Export, args ...any) ([]byte, error) {
	inst, err := p.Instantiate(ctx)
	if err != nil {
		return nil, err
	}
	defer inst.Close(ctx)
	v, err := inst.CallExport(ctx, e, args...)
	if err != nil {
		return nil, err
	}
	return p.ResultJSON(e, v)
}

// ArgsFromJSON parses a JSON array of arguments for an export.
func (p *Program) ArgsFromJSON(e *Export, data []byte) ([]any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var raw []any
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("arguments must be a JSON array: %w", err)
	}
	if len(raw) != len(e.Func.Params) {
		return nil, fmt.Errorf("%s takes %d arguments, got %d", e.Name, len(e.Func.Params), len(raw))
	}
	args := make([]any, len(raw))
	for i, j := range raw {
		v, err := p.types.FromJSON(e.Func.Params[i].Type, j)
		if err != nil {
			return nil, fmt.Errorf("argument %d (%s): %w", i+1, e.Func.Params[i].Name, err)
		}
		args[i] = v
	}
	return args, nil
}
