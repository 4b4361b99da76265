package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNewCommand(t *testing.T) {
	tmp := t.TempDir()
	proj := filepath.Join(tmp, "hello-js")
	for _, c := range []struct {
		name   string
		args   []string
		code   int
		stdout []string
		stderr []string
	}{
		{"too few arguments", []string{"new", "js", "backend"}, exitUsage, nil, []string{"want LANG KIND DIR, got 2 argument(s)", "Usage: bigband-dev new"}},
		{"unknown language", []string{"new", "cobol", "backend", filepath.Join(tmp, "c")}, exitFail, nil, []string{`unknown language "cobol"`}},
		{"created", []string{"new", "js", "backend", proj}, exitOK,
			[]string{`created js backend plugin "hello-js" in ` + proj, "  plugin.js\n", "  bigband.toml\n", "npm install --prefix " + proj, "bigband-dev watch " + proj}, nil},
		{"not empty", []string{"new", "js", "frontend", proj}, exitFail, nil, []string{"not empty", "--force"}},
		{"forced, with an id", []string{"new", "--force", "--id", "other", "js", "frontend", proj}, exitOK, []string{`plugin "other"`}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, "", c.args...)
			if r.code != c.code {
				t.Fatalf("exit %d, want %d\n%v", r.code, c.code, r)
			}
			for _, want := range c.stdout {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("stdout lacks %q\n%v", want, r)
				}
			}
			for _, want := range c.stderr {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr lacks %q\n%v", want, r)
				}
			}
		})
	}
	if b, err := os.ReadFile(filepath.Join(proj, "bigband.toml")); err != nil || !strings.Contains(string(b), `id = "other"`) {
		t.Errorf("bigband.toml after --force --id other: %q %v", b, err)
	}
}
