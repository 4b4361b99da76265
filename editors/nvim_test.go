//go:build unix

package editors_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bigband-dev/bigband/internal/tooltest"
)

// The package the Neovim test opens: one file per kind of error, so each
// diagnostic must land in its own file on its own line.
var nvimPackage = map[string]string{
	// The Backstage frontend contract wants result<_, string> errors; this
	// world's get-component-files returns a u32 error (line 7).
	"world.wit": `package demo:plugin;

interface backstage-frontend-plugin {
  record node-dependency { name: string, version: option<string>, dev: bool }
  get-node-deps: func() -> result<list<node-dependency>, string>;
  record component-file { path: string, is-root: bool, component-class-name: option<string>, contents: string }
  get-component-files: func() -> result<list<component-file>, u32>;
}

world frontend { export backstage-frontend-plugin; }
`,
	// A resolver error: missing-type is defined nowhere (line 4).
	"types.wit": `interface helpers {
  /// A key.
  type label = string;
  lookup: func(key: label) -> option<missing-type>;
}
`,
	// A syntax error: the parameter list is never closed (line 3).
	"broken.wit": `interface broken {
  ok: func();
  bad: func(x: u32 -> u32;
}
`,
}

// nvimEdit replaces lines [Start, End) (0-based) of a buffer, unsaved.
type nvimEdit struct {
	Path  string   `json:"path"`
	Start int      `json:"start"`
	End   int      `json:"end"`
	Lines []string `json:"lines"`
}

type nvimPhase struct {
	Edits  []nvimEdit       `json:"edits,omitempty"`
	Expect map[string][]int `json:"expect"` // file -> 0-based lines with diagnostics
}

type nvimDiag struct {
	Lnum     int    `json:"lnum"`
	Col      int    `json:"col"`
	Severity int    `json:"severity"`
	Message  string `json:"message"`
	Code     string `json:"code"`
	Source   string `json:"source"`
}

type nvimResult struct {
	Version   string            `json:"version"`
	Error     string            `json:"error"`
	Publishes int               `json:"publishes"`
	Filetypes map[string]string `json:"filetypes"`
	Phases    []struct {
		Matched     bool                  `json:"matched"`
		Diagnostics map[string][]nvimDiag `json:"diagnostics"`
		Modified    map[string]bool       `json:"modified"`
		Clients     map[string]int        `json:"clients"`
		Servers     int                   `json:"servers"`
	} `json:"phases"`
}

// TestNeovimDiagnostics starts Debian's Neovim headless with the repo's
// editors/nvim setup against a freshly built `bigband-dev lsp`, opens a
// package with a syntax error, a resolver error and a contract violation in
// three files and checks each diagnostic's line; then edits the buffers
// without saving and checks the diagnostics follow the unsaved text; then
// fixes the last error outside world.wit and checks the contract's remains.
func TestNeovimDiagnostics(t *testing.T) {
	nvim := tooltest.Look(t, "nvim", "apt-get install neovim")
	goBin := tooltest.Look(t, "go", "the Go toolchain, to build bigband-dev")
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "bigband-dev")
	build := exec.Command(goBin, "build", "-o", bin, "../cmd/bigband-dev")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ../cmd/bigband-dev: %v\n%s", err, out)
	}

	pkg := filepath.Join(tmp, "plugin", "wit")
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for name, src := range nvimPackage {
		p := filepath.Join(pkg, name)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		files[name] = p
	}
	world, types, broken := files["world.wit"], files["types.wit"], files["broken.wit"]

	phases := []nvimPhase{
		{Expect: map[string][]int{world: {6}, types: {3}, broken: {2}}},
		{
			Edits: []nvimEdit{
				// Two lines above everything in world.wit: its diagnostic moves down.
				{Path: world, Start: 0, End: 0, Lines: []string{"// A frontend plugin.", ""}},
				// Fix lookup's type and add a new unknown name one line lower.
				{Path: types, Start: 3, End: 4, Lines: []string{
					"  lookup: func(key: label) -> option<label>;",
					"  other: func() -> nope;",
				}},
				// Close the parameter list.
				{Path: broken, Start: 2, End: 3, Lines: []string{"  bad: func(x: u32) -> u32;"}},
			},
			Expect: map[string][]int{world: {8}, types: {4}, broken: {}},
		},
		{
			// The last error outside world.wit goes: only the contract's remains.
			Edits:  []nvimEdit{{Path: types, Start: 4, End: 5, Lines: []string{"  other: func() -> label;"}}},
			Expect: map[string][]int{world: {8}, types: {}, broken: {}},
		},
	}
	const timeout = 20 * time.Second
	out := filepath.Join(tmp, "result.json")
	lspLog := filepath.Join(tmp, "lsp.log")
	spec := map[string]any{
		"cmd":        []string{bin, "lsp", "--log", lspLog},
		"files":      []string{world, types, broken},
		"phases":     phases,
		"timeout_ms": timeout.Milliseconds(),
		"out":        out,
	}
	specPath := filepath.Join(tmp, "spec.json")
	writeJSON(t, specPath, spec)

	nvimDir, err := filepath.Abs("nvim")
	if err != nil {
		t.Fatal(err)
	}
	driver, err := filepath.Abs(filepath.Join("testdata", "nvim-driver.lua"))
	if err != nil {
		t.Fatal(err)
	}
	// A hang guard, well above the driver's own waits.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, nvim, "--headless", "--clean", "-u", "NONE", "-i", "NONE",
		"--cmd", "set runtimepath^="+nvimDir,
		"-c", "luafile "+driver)
	cmd.Dir = tmp
	// Neovim's LSP log and state go to the temp dir, not the user's.
	cmd.Env = append(os.Environ(), "BIGBAND_NVIM_SPEC="+specPath,
		"XDG_CONFIG_HOME="+tmp, "XDG_DATA_HOME="+tmp, "XDG_STATE_HOME="+tmp, "XDG_CACHE_HOME="+tmp)
	// Its own process group, so a hang kills the server nvim started too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	combined, runErr := cmd.CombinedOutput()

	var res nvimResult
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("nvim wrote no result (%v): %v\n%s%s", runErr, err, combined, tail(lspLog))
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		t.Fatalf("result.json: %v\n%s", err, raw)
	}
	t.Logf("nvim %s, %d publishDiagnostics", res.Version, res.Publishes)
	if res.Error != "" || runErr != nil {
		t.Fatalf("nvim driver: %s (exit: %v)\n%s%s", res.Error, runErr, combined, tail(lspLog))
	}
	for _, f := range []string{world, types, broken} {
		if ft := res.Filetypes[f]; ft != "wit" {
			t.Errorf("%s: filetype %q, want wit (editors/nvim/ftdetect)", filepath.Base(f), ft)
		}
	}
	if len(res.Phases) != len(phases) {
		t.Fatalf("driver recorded %d phases, want %d", len(res.Phases), len(phases))
	}
	names := []string{"open", "unsaved edits", "other errors fixed"}
	for i, want := range phases {
		got := res.Phases[i]
		for f, lines := range want.Expect {
			var have []int
			for _, d := range got.Diagnostics[f] {
				if !slices.Contains(have, d.Lnum) {
					have = append(have, d.Lnum)
				}
			}
			slices.Sort(have)
			if !reflect.DeepEqual(have, lines) && (len(have) != 0 || len(lines) != 0) {
				t.Errorf("%s: %s: diagnostics on lines %v, want %v (1-based)\n%s",
					names[i], filepath.Base(f), plus1(have), plus1(lines), describe(got.Diagnostics[f]))
			}
			if got.Clients[f] != 1 {
				t.Errorf("%s: %s: %d language clients attached, want 1", names[i], filepath.Base(f), got.Clients[f])
			}
		}
		if got.Servers != 1 {
			t.Errorf("%s: %d language servers running, want 1 for the package", names[i], got.Servers)
		}
		if i > 0 {
			for f, m := range got.Modified {
				if !m {
					t.Errorf("%s: %s is not modified: the edit did not reach the buffer", names[i], filepath.Base(f))
				}
			}
		}
	}
	// The edits stayed in the buffers: what the server saw was unsaved text.
	for name, src := range nvimPackage {
		if b, err := os.ReadFile(files[name]); err != nil || string(b) != src {
			t.Errorf("%s changed on disk (%v): the test must not save", name, err)
		}
	}
	if t.Failed() {
		t.Logf("server log:%s", tail(lspLog))
	}
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func plus1(lines []int) []int {
	out := make([]int, len(lines))
	for i, l := range lines {
		out[i] = l + 1
	}
	return out
}

func describe(ds []nvimDiag) string {
	var b strings.Builder
	for _, d := range ds {
		fmt.Fprintf(&b, "    %d:%d [%s] %s\n", d.Lnum+1, d.Col+1, d.Code, d.Message)
	}
	return b.String()
}

// tail returns the end of a log file for a failure message.
func tail(path string) string {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return ""
	}
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return "\n--- " + filepath.Base(path) + " ---\n" + string(b)
}

// TestNeovimSetupPaths runs editors/nvim's setup for Neovim 0.11+ and 0.8-0.10
// on whatever nvim is installed (Debian's is 0.7), with the newer APIs stood
// in for, and checks what setup hands them: the server command, the wit
// filetype, the root found from the markers, the buffer.
func TestNeovimSetupPaths(t *testing.T) {
	nvim := tooltest.Look(t, "nvim", "apt-get install neovim")
	tmp := t.TempDir()
	root := filepath.Join(tmp, "plugin")
	witDir := filepath.Join(root, "wit")
	if err := os.MkdirAll(witDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "bigband.toml"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	witFile := filepath.Join(witDir, "a.wit")
	if err := os.WriteFile(witFile, []byte("package a:b;\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	nvimDir, err := filepath.Abs("nvim")
	if err != nil {
		t.Fatal(err)
	}
	script, err := filepath.Abs(filepath.Join("testdata", "nvim-setup-paths.lua"))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(tmp, "out.json")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // hang guard
	defer cancel()
	cmd := exec.CommandContext(ctx, nvim, "--headless", "--clean", "-u", "NONE", "-i", "NONE",
		"--cmd", "set runtimepath^="+nvimDir, "-c", "luafile "+script)
	cmd.Dir = tmp
	cmd.Env = append(os.Environ(), "BIGBAND_OUT="+out, "BIGBAND_NVIM_DIR="+nvimDir, "BIGBAND_WIT_FILE="+witFile,
		"XDG_CONFIG_HOME="+tmp, "XDG_DATA_HOME="+tmp, "XDG_STATE_HOME="+tmp, "XDG_CACHE_HOME="+tmp)
	combined, runErr := cmd.CombinedOutput()
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("nvim wrote nothing (%v): %v\n%s", runErr, err, combined)
	}
	var res struct {
		Error string `json:"error"`
		V011  struct {
			Name         string   `json:"name"`
			Enabled      string   `json:"enabled"`
			Cmd          []string `json:"cmd"`
			Filetypes    []string `json:"filetypes"`
			RootMarkers  []string `json:"root_markers"`
			RtpCmd       []string `json:"rtp_cmd"`
			RtpFiletypes []string `json:"rtp_filetypes"`
		} `json:"v011"`
		V08 struct {
			Calls []struct {
				Name    string   `json:"name"`
				Cmd     []string `json:"cmd"`
				RootDir string   `json:"root_dir"`
				Bufnr   int      `json:"bufnr"`
			} `json:"calls"`
			Buf      int    `json:"buf"`
			Filetype string `json:"filetype"`
		} `json:"v08"`
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		t.Fatalf("%v\n%s", err, raw)
	}
	if res.Error != "" {
		t.Fatalf("setup: %s\n%s", res.Error, combined)
	}
	v11 := res.V011
	if v11.Name != "bigband" || v11.Enabled != "bigband" {
		t.Errorf("0.11: vim.lsp.config(%q), vim.lsp.enable(%q), want bigband for both", v11.Name, v11.Enabled)
	}
	if !reflect.DeepEqual(v11.Cmd, []string{"/opt/bigband-dev", "lsp"}) || !reflect.DeepEqual(v11.Filetypes, []string{"wit"}) {
		t.Errorf("0.11: cmd %q filetypes %q, want the cmd given to setup and [wit]", v11.Cmd, v11.Filetypes)
	}
	if !slices.Contains(v11.RootMarkers, "bigband.toml") {
		t.Errorf("0.11: root_markers %q lack bigband.toml", v11.RootMarkers)
	}
	if !reflect.DeepEqual(v11.RtpCmd, []string{"bigband-dev", "lsp"}) || !reflect.DeepEqual(v11.RtpFiletypes, []string{"wit"}) {
		t.Errorf("0.11: lsp/bigband.lua gives cmd %q filetypes %q, want [bigband-dev lsp] and [wit]", v11.RtpCmd, v11.RtpFiletypes)
	}
	v08 := res.V08
	if v08.Filetype != "wit" {
		t.Errorf("0.8: a.wit has filetype %q, want wit", v08.Filetype)
	}
	if len(v08.Calls) != 1 {
		t.Fatalf("0.8: vim.lsp.start called %d times for one buffer, want 1: %+v", len(v08.Calls), v08.Calls)
	}
	c := v08.Calls[0]
	if c.Name != "bigband" || !reflect.DeepEqual(c.Cmd, []string{"bigband-dev", "lsp"}) || c.RootDir != root || c.Bufnr != v08.Buf {
		t.Errorf("0.8: vim.lsp.start(%+v), want name bigband, cmd [bigband-dev lsp], root_dir %s (bigband.toml), bufnr %d", c, root, v08.Buf)
	}
}
