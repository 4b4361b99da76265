package wit

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// conformanceDir finds wit-parser's UI test corpus (../shared/wit-conformance
// beside the repository, or $BIGBAND_WIT_CONFORMANCE).
func conformanceDir(t testing.TB) string {
	dir := os.Getenv("BIGBAND_WIT_CONFORMANCE")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "wit-conformance")
	}
	if _, err := os.Stat(filepath.Join(dir, "PROVENANCE.md")); err != nil {
		if os.Getenv("BIGBAND_REQUIRE_TOOLS") != "" {
			t.Fatalf("wit-conformance corpus not found at %s (set BIGBAND_WIT_CONFORMANCE)", dir)
		}
		t.Skipf("wit-conformance corpus not found at %s (set BIGBAND_WIT_CONFORMANCE)", dir)
	}
	return dir
}

func readDivergences(t *testing.T) map[string]string {
	f, err := os.Open(filepath.Join("testdata", "conformance-divergences.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, reason, ok := strings.Cut(line, ": ")
		if !ok {
			t.Fatalf("bad divergence line %q", line)
		}
		out[name] = reason
	}
	return out
}

// conformanceCases lists the inputs directly under dir: .wit/.wat/.wasm
// files and directories, each one case.
func conformanceCases(t *testing.T, dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var cases []string
	for _, e := range entries {
		n := e.Name()
		switch {
		case e.IsDir() && n != "parse-fail":
			cases = append(cases, n)
		case strings.HasSuffix(n, ".wit"), strings.HasSuffix(n, ".wat"), strings.HasSuffix(n, ".wasm"):
			cases = append(cases, n)
		}
	}
	sort.Strings(cases)
	return cases
}

func TestConformance(t *testing.T) {
	dir := conformanceDir(t)
	div := readDivergences(t)
	opts := LoadOptions{Features: map[string]bool{"active": true}}
	var passed, failed, diverged int
	seen := map[string]bool{}
	check := func(name string, ok bool, msg string) {
		t.Helper()
		seen[name] = true
		_, listed := div[name]
		switch {
		case ok && listed:
			t.Errorf("%s: passes but is listed in testdata/conformance-divergences.txt", name)
		case ok:
			passed++
		case listed:
			diverged++
		default:
			failed++
			t.Errorf("%s: %s", name, msg)
		}
	}

	for _, c := range conformanceCases(t, dir) {
		want, err := os.ReadFile(filepath.Join(dir, strings.TrimSuffix(strings.TrimSuffix(c, ".wit"), ".wat")+".wit.json"))
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		r, _, err := Load(filepath.Join(dir, c), opts)
		if err != nil {
			check(c, false, "load: "+err.Error())
			continue
		}
		got := r.JSON()
		var gv, wv any
		if err := json.Unmarshal(got, &gv); err != nil {
			t.Fatalf("%s: our JSON does not parse: %v", c, err)
		}
		if err := json.Unmarshal(want, &wv); err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		check(c, reflect.DeepEqual(gv, wv), "JSON differs:\n"+firstDiff(string(got), string(want)))
	}
	successPassed := passed

	failDir := filepath.Join(dir, "parse-fail")
	for _, c := range conformanceCases(t, failDir) {
		name := "parse-fail/" + c
		resultFile := filepath.Join(failDir, strings.TrimSuffix(strings.TrimSuffix(c, ".wit"), ".wat")+".wit.result")
		want, err := os.ReadFile(resultFile)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		_, _, err = Load(filepath.Join(failDir, c), opts)
		if err == nil {
			check(name, false, "loaded without error; want "+firstLine(string(want)))
			continue
		}
		le, ok := err.(*LoadError)
		if !ok {
			check(name, false, "not a *LoadError: "+err.Error())
			continue
		}
		wantMsg, wantLoc := expectedError(c, string(want))
		first := le.Errors[0]
		gotMsg := firstLine(first.Msg)
		gotLoc := ""
		if p := le.Files.Position(first.Span.Start); p.Line > 0 {
			gotLoc = strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Column)
		}
		ok = gotMsg == wantMsg && gotLoc == wantLoc
		check(name, ok, "got "+gotMsg+" at "+gotLoc+"\n  want "+wantMsg+" at "+wantLoc)
	}
	for name := range div {
		if !seen[name] {
			t.Errorf("testdata/conformance-divergences.txt lists %s, which is not a case", name)
		}
	}
	t.Logf("wit-conformance: %d/%d passing cases produce identical JSON, %d/%d parse-fail cases rejected with the same message and location, %d deliberate divergences, %d failures",
		successPassed, len(conformanceCases(t, dir)), passed-successPassed, len(conformanceCases(t, failDir)), diverged, failed)
}

var (
	arrowLoc   = regexp.MustCompile(`(?m)^\s+(?:-->|\*) .*:(\d+:\d+)$`)
	inlineLoc  = regexp.MustCompile(`^tests/ui/\S+?:(\d+:\d+): (.*)$`)
	dirContext = regexp.MustCompile(`^failed to resolve directory while parsing WIT for path \[[^\]]*\]: (?:failed to parse package: \S+: )?`)
)

// expectedError extracts the message (minus the directory context chain
// wit-parser prepends) and the line:col of a .wit.result.
func expectedError(name, result string) (msg, loc string) {
	msg = firstLine(result)
	if m := inlineLoc.FindStringSubmatch(msg); m != nil {
		return m[2], m[1]
	}
	msg = dirContext.ReplaceAllString(msg, "")
	if m := arrowLoc.FindStringSubmatch(result); m != nil {
		loc = m[1]
	}
	return msg, loc
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) && i < len(w); i++ {
		if g[i] != w[i] {
			lo := max(0, i-3)
			return "line " + strconv.Itoa(i+1) + ":\n got: " + strings.Join(g[lo:min(len(g), i+3)], "\n      ") + "\nwant: " + strings.Join(w[lo:min(len(w), i+3)], "\n      ")
		}
	}
	return "lengths differ: got " + strconv.Itoa(len(g)) + " lines, want " + strconv.Itoa(len(w))
}
