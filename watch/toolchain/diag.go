package toolchain

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// maxLocations bounds what Locations returns: the first errors are the
// ones worth reading.
const maxLocations = 100

// Location is one file:line:col diagnostic a compiler printed.
type Location struct {
	File      string // as the tool printed it
	Path      string // absolute: File resolved against the build directory
	Line, Col int    // 1-based; Col is 0 when the tool gave none
	Severity  string // "error", "warning", or "" when the tool does not say (go)
	Msg       string
}

func (l Location) String() string {
	var b strings.Builder
	b.WriteString(filepath.Clean(l.File)) // go prints ./x.go; editors want x.go
	fmt.Fprintf(&b, ":%d", l.Line)
	if l.Col > 0 {
		fmt.Fprintf(&b, ":%d", l.Col)
	}
	b.WriteString(": ")
	if l.Severity != "" {
		b.WriteString(l.Severity + ": ")
	}
	b.WriteString(l.Msg)
	return b.String()
}

// StripANSI removes terminal escape sequences (colours, cursor moves)
// that compilers print when they think they talk to a terminal.
func StripANSI(s string) string { return ansi.ReplaceAllString(s, "") }

var (
	ansi = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`)
	// gcc, clang, go, vet: "file.c:12:5: error: msg" / "./x.go:3:2: msg".
	gccLine = regexp.MustCompile(`^([^\s:(][^:(]*\.[A-Za-z0-9]+):(\d+):(?:(\d+):)? (?:(fatal error|error|warning|note): )?(.*)$`)
	// rustc: "error[E0425]: msg" then "  --> src/lib.rs:3:5".
	rustHead  = regexp.MustCompile(`^(error|warning)(?:\[\w+\])?: (.*)$`)
	rustArrow = regexp.MustCompile(`^\s*--> (.+?):(\d+):(\d+)$`)
	// tsc: "src/a.ts(12,5): error TS2304: msg" or, pretty, "src/a.ts:12:5 - error TS2304: msg".
	tscParen  = regexp.MustCompile(`^(.+?)\((\d+),(\d+)\): (error|warning) (TS\d+: .*)$`)
	tscPretty = regexp.MustCompile(`^(.+?):(\d+):(\d+) - (error|warning) (TS\d+: .*)$`)
	// esbuild: "✘ [ERROR] msg", a blank line, then "    src/a.ts:1:7:".
	esbuildHead = regexp.MustCompile(`^\s*(?:✘|▲|X)?\s*\[(ERROR|WARNING)\] (.*)$`)
	esbuildLoc  = regexp.MustCompile(`^\s+(\S+?):(\d+):(\d+):\s*$`)
)

// Locations extracts the compiler diagnostics from build output: errors
// (and diagnostics of unknown severity, like go's) first, then warnings,
// each in output order, without duplicates. Notes are left out; they
// explain an error rather than being one.
func Locations(dir string, output []byte) []Location {
	text := string(output)
	if len(text) > maxOutput {
		text = text[:maxOutput]
	}
	var errs, warns []Location
	seen := map[string]bool{}
	add := func(l Location) {
		if l.Line <= 0 || l.Severity == "note" || len(errs)+len(warns) >= maxLocations {
			return
		}
		key := l.String()
		if seen[key] {
			return
		}
		seen[key] = true
		l.Path = l.File
		if !filepath.IsAbs(l.Path) {
			l.Path = filepath.Join(dir, filepath.FromSlash(l.Path))
		}
		if l.Severity == "warning" {
			warns = append(warns, l)
		} else {
			errs = append(errs, l)
		}
	}
	var pendSev, pendMsg string // a rustc or esbuild header awaiting its location
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(StripANSI(line), "\r")
		if m := rustHead.FindStringSubmatch(line); m != nil {
			pendSev, pendMsg = m[1], m[2]
			continue
		}
		if m := esbuildHead.FindStringSubmatch(line); m != nil {
			pendSev, pendMsg = strings.ToLower(m[1]), m[2]
			continue
		}
		if pendMsg != "" {
			m := rustArrow.FindStringSubmatch(line)
			if m == nil {
				m = esbuildLoc.FindStringSubmatch(line)
			}
			if m != nil {
				add(Location{File: m[1], Line: atoi(m[2]), Col: atoi(m[3]), Severity: pendSev, Msg: pendMsg})
				pendSev, pendMsg = "", ""
				continue
			}
		}
		if m := tscParen.FindStringSubmatch(line); m != nil {
			add(Location{File: m[1], Line: atoi(m[2]), Col: atoi(m[3]), Severity: m[4], Msg: m[5]})
			continue
		}
		if m := tscPretty.FindStringSubmatch(line); m != nil {
			add(Location{File: m[1], Line: atoi(m[2]), Col: atoi(m[3]), Severity: m[4], Msg: m[5]})
			continue
		}
		if m := gccLine.FindStringSubmatch(line); m != nil {
			sev := m[4]
			if sev == "fatal error" {
				sev = "error"
			}
			add(Location{File: m[1], Line: atoi(m[2]), Col: atoi(m[3]), Severity: sev, Msg: m[5]})
		}
	}
	return append(errs, warns...)
}

// atoi: 0 for empty or absurd numbers (a line number beyond int32 is not
// one).
func atoi(s string) int {
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil || n < 0 {
		return 0
	}
	return int(n)
}
