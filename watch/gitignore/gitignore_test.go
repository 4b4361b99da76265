package gitignore

import (
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"
)

// cases: one .gitignore (at the root unless base is set), then paths and
// whether each is ignored. A trailing "/" on a path marks a directory.
var cases = []struct {
	name    string
	base    string
	lines   string
	ignored []string
	kept    []string
}{
	{"name at any depth", "", "*.o\nbuild\n",
		[]string{"a.o", "x/y/b.o", "build", "build/", "src/build/", "src/build/x.c"},
		[]string{"a.c", "a.o.c", "builder/"}},
	{"comments and blanks", "", "# build\n\n\\#hash\n",
		[]string{"#hash"}, []string{"build", "# build"}},
	{"directory only", "", "out/\n",
		[]string{"out/", "out/a.txt", "x/out/", "x/out/y"}, []string{"out", "x/out"}},
	{"anchored", "", "/root.txt\nsub/file\n",
		[]string{"root.txt", "sub/file"}, []string{"x/root.txt", "x/sub/file"}},
	{"negation", "", "*.log\n!keep.log\n",
		[]string{"a.log", "d/b.log"}, []string{"keep.log", "d/keep.log"}},
	{"negation cannot reach into an ignored dir", "", "logs/\n!logs/keep.log\n",
		[]string{"logs/keep.log", "logs/a"}, nil},
	{"re-include after dir contents", "", "logs/*\n!logs/keep.log\n",
		[]string{"logs/a"}, []string{"logs/keep.log", "logs/"}},
	{"leading double star", "", "**/foo\n**/bar/baz\n",
		[]string{"foo", "a/foo", "a/b/foo", "bar/baz", "a/bar/baz"}, []string{"foox", "bar/x"}},
	{"trailing double star", "", "abc/**\n",
		[]string{"abc/x", "abc/x/y", "abc/x/"}, []string{"abc", "abc/", "xabc/y"}},
	{"middle double star", "", "a/**/b\n",
		[]string{"a/b", "a/x/b", "a/x/y/b"}, []string{"a/bb", "x/a/b"}},
	{"star does not cross slash", "", "a/*.c\n",
		[]string{"a/x.c"}, []string{"a/b/x.c", "b/a/x.c"}},
	{"question and classes", "", "?.txt\n[abc]x\n[!0-9]y\n[a-c-]z\n",
		[]string{"a.txt", "ax", "cx", "zy", "-z", "bz"},
		[]string{"ab.txt", "dx", "5y", "dz"}},
	{"escapes", "", `\*star` + "\n" + `\!bang` + "\n" + `sp\ ` + "\n",
		[]string{"*star", "!bang", "sp "}, []string{"xstar", "bang", "sp"}},
	{"trailing spaces trimmed", "", "name   \n",
		[]string{"name"}, []string{"name   "}},
	{"nested file applies below its dir", "sub", "*.tmp\n/only-here\n",
		[]string{"sub/a.tmp", "sub/x/b.tmp", "sub/only-here"},
		[]string{"a.tmp", "sub/x/only-here", "only-here"}},
	{"star star alone", "", "**\n", []string{"a", "a/b"}, nil},
	{"classes work on bytes, as in git", "", "[é]t\n", nil, []string{"ét", "et"}},
	{"unclosed class matches nothing", "", "a[b\nc[\n", nil, []string{"a[b", "ab", "c[", "c"}},
}

func check(m *Matcher, p string) bool {
	isDir := strings.HasSuffix(p, "/")
	return m.Ignored(strings.TrimSuffix(p, "/"), isDir)
}

func TestCases(t *testing.T) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var m Matcher
			m.Set(Parse(tc.base, []byte(tc.lines)))
			for _, p := range tc.ignored {
				if !check(&m, p) {
					t.Errorf("%q: kept, want ignored", p)
				}
			}
			for _, p := range tc.kept {
				if check(&m, p) {
					t.Errorf("%q: ignored, want kept", p)
				}
			}
		})
	}
}

// TestAgainstGit asks git itself about every case, so the table above
// cannot drift from git's behaviour.
func TestAgainstGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not on PATH")
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, group := range []struct {
				paths []string
				want  bool
			}{{tc.ignored, true}, {tc.kept, false}} {
				for _, p := range group.paths {
					if got := gitIgnores(t, tc.base, tc.lines, p); got != group.want {
						t.Errorf("git says %q ignored=%v; the table says %v", p, got, group.want)
					}
				}
			}
		})
	}
}

// gitIgnores asks git about p in a fresh repository holding one .gitignore
// and p itself (a directory when p ends in "/"), since git needs to see
// whether a path is a directory.
func gitIgnores(t *testing.T, base, lines, p string) bool {
	t.Helper()
	dir := t.TempDir()
	run := func(args ...string) (string, error) {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := run("init", "-q"); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	write := func(rel, data string) {
		abs := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(abs, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(path.Join(base, ".gitignore"), lines)
	rel := strings.TrimSuffix(p, "/")
	if strings.HasSuffix(p, "/") {
		if err := os.MkdirAll(filepath.Join(dir, filepath.FromSlash(rel)), 0o755); err != nil {
			t.Fatal(err)
		}
	} else if rel != ".gitignore" {
		write(rel, "x")
	}
	// Exit 0: ignored; exit 1: not ignored.
	out, err := run("check-ignore", "--no-index", "-q", "--", rel)
	if ee, ok := err.(*exec.ExitError); err != nil && (!ok || ee.ExitCode() != 1) {
		t.Fatalf("git check-ignore %q: %v\n%s", p, err, out)
	}
	return err == nil
}

func TestMatcherPrecedence(t *testing.T) {
	var m Matcher
	m.Set(Parse("", []byte("*.gen\n")))
	m.Set(Parse("keep", []byte("!*.gen\n")))
	if !m.Ignored("a.gen", false) || m.Ignored("keep/a.gen", false) {
		t.Error("a deeper .gitignore must override a shallower one")
	}
	m.RemoveUnder("keep")
	if !m.Ignored("keep/a.gen", false) {
		t.Error("after RemoveUnder the root rules apply again")
	}
	m.Set(Parse("", nil))
	if m.Ignored("a.gen", false) {
		t.Error("empty rules must remove the root file's rules")
	}
}

// FuzzMatch: never panics, agrees with path.Match on simple single-segment
// globs, and Pattern.Match agrees with Matcher for one anchored pattern.
func FuzzMatch(f *testing.F) {
	f.Add("*.go", "main.go")
	f.Add("a/**/b", "a/x/y/b")
	f.Add("[!a-c]?x*", "dzxyz")
	f.Add(`\[*\]`, "[x]")
	f.Add("**/**/x/**", "x/y")
	f.Fuzz(func(t *testing.T, pat, name string) {
		if len(pat) > 256 || len(name) > 256 {
			return
		}
		var m Matcher
		m.Set(New("", []string{pat}))
		ignored := m.Ignored(name, false)
		_ = m.Ignored(name, true)

		simple := pat != "" && isASCII(pat) && isASCII(name) &&
			!strings.ContainsAny(pat, "/\\[]!# \r") && !strings.Contains(pat, "**") &&
			!strings.Contains(name, "/") && name != ""
		if simple {
			want, err := path.Match(pat, name)
			if err == nil && want != ignored {
				t.Fatalf("pattern %q name %q: got %v, path.Match says %v", pat, name, ignored, want)
			}
		}
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
