package watch

import (
	"sync"

	"github.com/bigband-dev/bigband/backstage"
	"github.com/bigband-dev/bigband/contract"
	"github.com/bigband-dev/bigband/hmr"
	"github.com/bigband-dev/bigband/host/guesttext"
	"github.com/bigband-dev/bigband/watch/toolchain"
)

// maxBrowserOutput caps the build output a cycle sends to browsers.
const maxBrowserOutput = 64 << 10

// hmrUpdate is a good cycle of plugin id as the HMR protocol tells it.
func hmrUpdate(c *Cycle, id, output string) hmr.Update {
	u := hmr.Update{
		Plugin: c.Plugin, Kind: c.Kind.String(), Trigger: c.Trigger,
		Timings: hmrTimings(c), Version: c.Version, Previous: c.Previous,
		Dir: c.Dir, Notes: c.Notes, Output: browserText(output),
		// The compiled version of the same guest changes nothing a page shows.
		Unchanged: c.Trigger == triggerCompiled,
	}
	if c.Write != nil {
		u.Files = append(u.Files, c.Write.Written...)
		u.Files = append(u.Files, c.Write.Removed...)
		u.Kept = append(append(u.Kept, c.Write.Conflicts...), c.Write.Kept...)
	}
	if c.Package != nil {
		for _, f := range c.Package.Files {
			u.Generated = append(u.Generated, f.Path)
		}
	}
	if c.Kind == contract.Backend {
		u.API = backstage.APIPrefix(id) + "/"
		for _, r := range c.Routes {
			u.Routes = append(u.Routes, hmr.Route{Method: r.Method, Path: r.Path})
		}
	}
	return u
}

// hmrError is a failed cycle as the HMR protocol tells it.
func hmrError(c *Cycle) hmr.Error {
	e := hmr.Error{
		Plugin: c.Plugin, Phase: string(c.Err.Phase), Trigger: c.Trigger,
		Message: browserText(c.Err.Err.Error()), Output: browserText(c.Err.Output),
		Timings: hmrTimings(c),
	}
	for _, s := range c.Err.Locations {
		if l, ok := hmr.ParseLoc(s); ok {
			e.Locs = append(e.Locs, l)
		}
	}
	return e
}

func hmrTimings(c *Cycle) []hmr.Timing {
	out := make([]hmr.Timing, 0, len(c.Timings))
	for _, t := range c.Timings {
		out = append(out, hmr.Timing{Phase: string(t.Phase), MS: float64(t.Took.Microseconds()) / 1000})
	}
	return out
}

// browserText is toolchain or guest text made safe to show: terminal
// escape sequences dropped, other control characters escaped, the length
// capped. The
// client sets it as text, never as HTML.
func browserText(s string) string {
	return guesttext.Sanitize(toolchain.StripANSI(s), maxBrowserOutput)
}

// tailBuffer keeps the last max bytes written to it: a build's output for
// the dashboard, however long the build talks.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if over := len(t.b) - t.max; over > 0 {
		t.b = append(t.b[:0], t.b[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}
