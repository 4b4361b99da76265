// Package editors_test checks the editor integrations in editors/: the VS Code
// extension's TextMate grammar under VS Code's own engine, and the Neovim
// setup against a real `bigband-dev lsp`.
package editors_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/bigband-dev/bigband/internal/tooltest"
)

const npmInstall = "npm ci --prefix editors/vscode"

// conformanceDir is wit-parser's UI test corpus beside the repository
// (../shared/wit-conformance), or $BIGBAND_WIT_CONFORMANCE.
func conformanceDir(t *testing.T) string {
	dir := os.Getenv("BIGBAND_WIT_CONFORMANCE")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "wit-conformance")
	}
	tooltest.File(t, filepath.Join(dir, "PROVENANCE.md"), "wit-conformance corpus", "set BIGBAND_WIT_CONFORMANCE")
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// TestTextMateGrammar runs editors/vscode/test/grammar.test.mjs (node's test
// runner, vscode-textmate + vscode-oniguruma) over the conformance corpus and
// the repository's own WIT: every file tokenizes; accepted WIT gets a scope
// on every character, no invalid.illegal token and no rule left open; spot
// checks pin the scopes of keywords, types, names, comments and versions.
func TestTextMateGrammar(t *testing.T) {
	node := tooltest.Look(t, "node", "apt-get install nodejs")
	for _, mod := range []string{"vscode-textmate", "vscode-oniguruma"} {
		tooltest.File(t, filepath.Join("vscode", "node_modules", mod, "package.json"), mod, npmInstall)
	}
	args := []string{filepath.Join("test", "grammar.test.mjs"), conformanceDir(t)}
	// The repository's own WIT: wasi:http and its deps, the host's WASI, the
	// formatter's and the resolver's WASI 0.3 test packages.
	for _, dir := range []string{"guest/wit", "host/wasi/wit", "wit/syntax/testdata/fmt", "wit/testdata/wasi03"} {
		abs, err := filepath.Abs(filepath.Join("..", filepath.FromSlash(dir)))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(abs); err == nil {
			args = append(args, abs)
		}
	}

	// A hang guard only: the run takes a few seconds.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Dir = "vscode"
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node test/grammar.test.mjs: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}

// TestVSCodeExtension runs editors/vscode/test/extension.test.mjs: the
// extension against stand-ins for the vscode API and the language client
// (what it starts, restarts, reports), and its manifest against its files.
func TestVSCodeExtension(t *testing.T) {
	node := tooltest.Look(t, "node", "apt-get install nodejs")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // hang guard
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join("test", "extension.test.mjs"))
	cmd.Dir = "vscode"
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node test/extension.test.mjs: %v\n%s", err, out)
	}
}
