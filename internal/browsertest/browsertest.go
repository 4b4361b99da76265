// Package browsertest runs Debian's chromium headless for tests, once per
// test binary, and gives each test a fresh tab that records the page's
// uncaught exceptions and console output. Without chromium the tests skip,
// or fail under BIGBAND_REQUIRE_TOOLS (see internal/tooltest).
package browsertest

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/bigband-dev/bigband/internal/tooltest"
)

// Install says how to get the browser.
const Install = "apt-get install chromium"

// Browser is one chromium process shared by a package's tests: declare it
// as a package variable and Close it in TestMain after m.Run.
type Browser struct {
	once   sync.Once
	ctx    context.Context
	cancel []context.CancelFunc
	dir    string
	err    error
}

// Close stops the browser, if it started, and removes its profile.
func (b *Browser) Close() {
	for i := len(b.cancel) - 1; i >= 0; i-- {
		b.cancel[i]()
	}
	if b.dir != "" {
		os.RemoveAll(b.dir)
	}
}

func (b *Browser) start(path string) {
	b.dir, b.err = os.MkdirTemp("", "bigband-chromium-")
	if b.err != nil {
		return
	}
	alloc, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(b.dir),
	)
	b.cancel = append(b.cancel, cancel)
	ctx, cancel := chromedp.NewContext(alloc)
	b.cancel = append(b.cancel, cancel)
	if b.err = chromedp.Do(ctx); b.err == nil {
		b.ctx = ctx
	}
}

// Tab is a fresh page; Ctx ends with the test (or after a generous hang
// guard).
type Tab struct {
	Ctx context.Context

	mu         sync.Mutex
	exceptions []string
	console    []string
}

// Tab starts chromium if needed (skipping or failing the test without it)
// and opens a new tab.
func (b *Browser) Tab(t testing.TB) *Tab {
	t.Helper()
	path := tooltest.Look(t, "chromium", Install)
	b.once.Do(func() { b.start(path) })
	if b.err != nil {
		t.Fatalf("starting %s: %v", path, b.err)
	}
	tab := &Tab{}
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithListener(tab.listen))
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	ctx, cancelT := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(cancelT)
	tab.Ctx = ctx
	return tab
}

func (tab *Tab) listen(ev any) {
	switch ev := ev.(type) {
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			msg += " " + d.Exception.Description
		}
		tab.mu.Lock()
		tab.exceptions = append(tab.exceptions, fmt.Sprintf("%s:%d: %s", d.URL, d.LineNumber+1, msg))
		tab.mu.Unlock()
	case *runtime.EventConsoleAPICalled:
		var parts []string
		for _, a := range ev.Args {
			if a.Value != nil {
				parts = append(parts, strings.Trim(string(a.Value), `"`))
			} else {
				parts = append(parts, a.Description)
			}
		}
		tab.mu.Lock()
		tab.console = append(tab.console, string(ev.Type)+": "+strings.Join(parts, " "))
		tab.mu.Unlock()
	}
}

// Exceptions are the uncaught exceptions the tab's pages threw.
func (tab *Tab) Exceptions() []string {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	return append([]string(nil), tab.exceptions...)
}

// Console is what the tab's pages logged, "type: text" each.
func (tab *Tab) Console() []string {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	return append([]string(nil), tab.console...)
}

// Eval evaluates a JavaScript expression in the page.
func Eval[T any](t testing.TB, tab *Tab, expr string) T {
	t.Helper()
	v, err := chromedp.Run(tab.Ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluating %s: %v\nconsole:\n%s", expr, err, strings.Join(tab.Console(), "\n"))
	}
	return v
}

// Wait polls a JavaScript expression until it is truthy: a hang guard of
// a minute, not a timing assertion.
// A page that reloads meanwhile is waited for too.
func Wait(t testing.TB, tab *Tab, what, expr string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	var err error
	for time.Now().Before(deadline) {
		_, err = chromedp.Run(tab.Ctx, chromedp.Poll[chromedp.Void](expr,
			chromedp.WithPollingTimeout(time.Until(deadline)), chromedp.WithPollingInterval(10*time.Millisecond)))
		if err == nil || !navigated(err) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("waiting for %s (%s): %v\nconsole:\n%s\nexceptions:\n%s", what, expr, err,
			strings.Join(tab.Console(), "\n"), strings.Join(tab.Exceptions(), "\n"))
	}
}

// Navigate loads url in the tab.
func Navigate(t testing.TB, tab *Tab, url string) {
	t.Helper()
	if err := chromedp.Do(tab.Ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("opening %s: %v", url, err)
	}
}

// navigated reports errors that only say the page changed under a call.
func navigated(err error) bool {
	m := err.Error()
	return strings.Contains(m, "navigated or closed") || strings.Contains(m, "context was destroyed") ||
		strings.Contains(m, "Cannot find context")
}
