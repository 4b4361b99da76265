package examples_test

// The examples harness: every examples/<lang>/<kind> is built with its real
// toolchain (the one `bigband-dev watch` detects), then run through the
// bigband-dev binary: check, call (the manifest), generate, and for
// backends serve with real HTTP requests checked against EXAMPLES-API
// (see wantResponses). TestNew does the same for a project `bigband-dev
// new` scaffolds, per language.
//
// Builds are cached for the run by the content of the project's files, so
// that a project identical to one already built (a JS `new` project with
// the example's id) is not componentized twice: componentize-js takes
// 10-30 s per build, Go about a second.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bigband-dev/bigband/internal/tooltest"
	"github.com/bigband-dev/bigband/watch/config"
	"github.com/bigband-dev/bigband/watch/toolchain"
)

var (
	repoRoot string // absolute path of the repository
	work     string // the run's scratch directory: binary, cache, builds
)

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	root, err := filepath.Abs("..")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	repoRoot = root
	work, err = os.MkdirTemp("", "bigband-examples-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(work)
	// Compiled guest code goes to the run's own cache, never the user's.
	os.Setenv("BIGBAND_CACHE_DIR", filepath.Join(work, "cache"))
	return m.Run()
}

// The bigband-dev binary, built once per run on first use.
var (
	binOnce sync.Once
	binPath string
	binErr  error
)

func bigbandDev(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		binPath = filepath.Join(work, "bigband-dev")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/bigband-dev")
		cmd.Dir = repoRoot
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build ./cmd/bigband-dev: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// cli runs bigband-dev with args and returns stdout; a non-zero exit fails
// the test with both streams.
func cli(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute) // a hang guard, not a timing check
	defer cancel()
	cmd := exec.CommandContext(ctx, bigbandDev(t), args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	begin := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("bigband-dev %s: %v\n--- stdout:\n%s--- stderr:\n%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	t.Logf("bigband-dev %s: %v", args[0], time.Since(begin).Round(time.Millisecond))
	return stdout.String()
}

// example is one examples/<lang>/<kind> directory.
type example struct {
	lang, kind string
	dir        string // absolute, in the repository
}

func (e example) name() string { return e.lang + "/" + e.kind }

// findExamples lists every examples/<lang>/<kind> present.
func findExamples(t *testing.T) []example {
	t.Helper()
	langs, err := os.ReadDir(filepath.Join(repoRoot, "examples"))
	if err != nil {
		t.Fatal(err)
	}
	var out []example
	for _, l := range langs {
		if !l.IsDir() {
			continue
		}
		for _, kind := range []string{"frontend", "backend"} {
			dir := filepath.Join(repoRoot, "examples", l.Name(), kind)
			if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
				out = append(out, example{lang: l.Name(), kind: kind, dir: dir})
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("no examples under examples/<lang>/<frontend|backend>")
	}
	return out
}

// requireTools skips (or, under BIGBAND_REQUIRE_TOOLS, fails) a test whose
// language's toolchain is missing.
func requireTools(t *testing.T, lang string) {
	t.Helper()
	if lang == "js" && testing.Short() {
		t.Skip("-short: componentize-js takes 10-30 s per build")
	}
	const (
		cInstall    = "apt install clang lld wasi-libc libclang-rt-14-dev-wasm32"
		rustInstall = "apt install --no-install-recommends rustc libstd-rust-dev-wasm32"
		nodeInstall = "apt install nodejs npm; then npm ci in tools/js"
	)
	switch lang {
	case "go":
		tooltest.Look(t, "go", "https://go.dev/dl")
	case "c":
		tooltest.Look(t, "clang", cInstall)
		tooltest.File(t, "/usr/lib/wasm32-wasi/libc.a", "wasi-libc", cInstall)
		tooltest.Look(t, "make", "apt install make")
	case "rust":
		tooltest.File(t, "/usr/bin/rustc", "Debian's rustc", rustInstall)
		tooltest.File(t, "/usr/lib/rustlib/wasm32-wasi/lib", "the wasm32-wasi standard library", rustInstall)
		tooltest.Look(t, "make", "apt install make")
	case "js":
		tooltest.Look(t, "node", nodeInstall)
		tooltest.Look(t, "npm", nodeInstall)
		tooltest.File(t, filepath.Join(repoRoot, "tools/js/node_modules/@bytecodealliance/componentize-js"), "componentize-js", "cd tools/js && npm ci")
	}
}

// mirror makes a scratch copy of the repository in which only the
// example's directory is real (copied) and every other top-level entry is
// a symlink to the repository's, so builds that refer to ../../../guest or
// the repository's go.mod work while nothing is written into the source
// tree. It returns the copy of the example's directory.
func mirror(t *testing.T, e example) string {
	t.Helper()
	root := filepath.Join(work, "mirror-"+e.lang+"-"+e.kind)
	entries, err := os.ReadDir(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, ent := range entries {
		if ent.Name() == "examples" || ent.Name() == ".git" {
			continue
		}
		// Relative links: WASI file systems (tools/js/wasm-tools.mjs
		// reading WIT through preview2-shim) refuse absolute targets.
		link := filepath.Join(root, ent.Name())
		target, err := filepath.Rel(root, filepath.Join(repoRoot, ent.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, link); err != nil {
			t.Fatal(err)
		}
	}
	dst := filepath.Join(root, "examples", e.lang, e.kind)
	copyTree(t, e.dir, dst)
	return dst
}

// skipInCopy: what a build or `npm install` may have left in an example.
func skipInCopy(name string, isDir bool) bool {
	return isDir && (name == "node_modules" || name == ".bigband" || name == "target") ||
		!isDir && strings.HasSuffix(name, ".wasm")
}

func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != src && skipInCopy(d.Name(), d.IsDir()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(to, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(to, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// prepare gives a JS project the pinned npm tools of tools/js as its
// node_modules (the example's package.json pins the same versions, which
// TestJSPinsMatchTools checks), instead of an `npm install` from the
// network.
func prepare(t *testing.T, lang, dir string) {
	t.Helper()
	if lang != "js" {
		return
	}
	nm := filepath.Join(dir, "node_modules")
	if _, err := os.Lstat(nm); err == nil {
		return
	}
	if err := os.Symlink(filepath.Join(repoRoot, "tools/js/node_modules"), nm); err != nil {
		t.Fatal(err)
	}
}

// builds caches artifacts for the run by the project's content.
var builds struct {
	mu sync.Mutex
	m  map[string]*buildEntry
}

type buildEntry struct {
	once     sync.Once
	artifact string
	err      error
	took     time.Duration
}

// contentKey hashes every file of a project a build reads (all but the
// README, build outputs and dependencies), with its relative path.
func contentKey(t *testing.T, lang, dir string) string {
	t.Helper()
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00", lang)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != dir && skipInCopy(d.Name(), d.IsDir()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() || d.Name() == "README.md" || d.Type()&fs.ModeSymlink != 0 {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		fmt.Fprintf(h, "%s\x00%d\x00", filepath.ToSlash(rel), len(data))
		h.Write(data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// build builds the project in dir the way `bigband-dev watch` does
// (toolchain detection, bigband.toml applied) and returns the artifact.
func build(t *testing.T, lang, dir string) string {
	t.Helper()
	prepare(t, lang, dir)
	key := contentKey(t, lang, dir)
	builds.mu.Lock()
	if builds.m == nil {
		builds.m = map[string]*buildEntry{}
	}
	b, ok := builds.m[key]
	if !ok {
		b = &buildEntry{}
		builds.m[key] = b
	}
	builds.mu.Unlock()
	b.once.Do(func() {
		cfg, err := config.Load(dir)
		if err != nil {
			b.err = err
			return
		}
		spec, err := toolchain.Detect(dir)
		if err != nil {
			b.err = err
			return
		}
		spec = spec.With(cfg)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute) // hang guard
		defer cancel()
		res, err := toolchain.Build(ctx, spec, nil)
		b.artifact, b.err, b.took = res.Artifact, err, res.Duration
	})
	if b.err != nil {
		t.Fatalf("building %s: %v", dir, b.err)
	}
	if ok {
		t.Logf("build: reused (same sources as a project built earlier in this run)")
	} else {
		t.Logf("build: %v", b.took.Round(time.Millisecond))
	}
	return b.artifact
}

func TestExamples(t *testing.T) {
	for _, e := range findExamples(t) {
		t.Run(e.name(), func(t *testing.T) {
			t.Parallel()
			requireTools(t, e.lang)
			checkREADME(t, e)
			wasm := build(t, e.lang, mirror(t, e))
			exercise(t, e.lang, e.kind, wasm)
		})
	}
}

// checkREADME: each example's README names its prerequisites, one build
// command and one watch command for the example's own directory.
func checkREADME(t *testing.T, e example) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(e.dir, "README.md"))
	if err != nil {
		t.Fatalf("every example needs a README.md: %v", err)
	}
	readme := string(data)
	if !strings.Contains(strings.ToLower(readme), "prerequisite") {
		t.Errorf("README.md: no prerequisites section")
	}
	if want := "bigband-dev watch examples/" + e.name(); !strings.Contains(readme, want) {
		t.Errorf("README.md: no %q command", want)
	}
	if e.kind == "backend" {
		// The responses the serve check expects are the ones the README
		// documents.
		for _, x := range wantResponses() {
			if x.wantBody != nil && !strings.Contains(readme, string(x.wantBody)) {
				t.Errorf("README.md does not document %s %s: %s", x.method, x.path, x.wantBody)
			}
		}
	}
}

// exercise runs a built guest through check, call, generate and, for a
// backend, serve.
func exercise(t *testing.T, lang, kind, wasm string) {
	t.Helper()
	id := "example-" + lang
	out := cli(t, "check", wasm)
	if first, _, _ := strings.Cut(out, "\n"); first != kind {
		t.Fatalf("check says %q, want %q:\n%s", first, kind, out)
	}
	gen, err := os.MkdirTemp(work, "generate-"+lang+"-"+kind+"-")
	if err != nil {
		t.Fatal(err)
	}
	cli(t, "generate", "--wasm", wasm, "--id", id, "--out", gen)
	switch kind {
	case "frontend":
		checkFrontend(t, lang, wasm, filepath.Join(gen, "plugins", id))
	case "backend":
		checkRoutes(t, wasm)
		if _, err := os.Stat(filepath.Join(gen, "plugins", id+"-backend", "package.json")); err != nil {
			t.Errorf("generate wrote no backend package: %v", err)
		}
		serveAndCheck(t, wasm)
	}
}
