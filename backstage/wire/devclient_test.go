//go:build cgo

package wire

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/evanw/esbuild/pkg/api"
)

const testClientURL = "http://127.0.0.1:7008/__bigband/client.js"

// bundleIndex bundles the app's index.tsx as a production or development
// build would (process.env.NODE_ENV defined, minified), with everything but
// the dev client module left external, and returns the code.
func bundleIndex(t *testing.T, dir, mode string) string {
	t.Helper()
	res := api.Build(api.BuildOptions{
		EntryPoints:       []string{filepath.Join(dir, filepath.FromSlash(appIndex))},
		Bundle:            true,
		Write:             false,
		Outdir:            filepath.Join(t.TempDir(), "out"),
		Splitting:         true,
		Format:            api.FormatESModule,
		MinifySyntax:      true,
		MinifyWhitespace:  true,
		Define:            map[string]string{"process.env.NODE_ENV": `"` + mode + `"`},
		Loader:            map[string]api.Loader{".css": api.LoaderEmpty},
		External:          []string{"@backstage/*", "react-dom/*", "react/*", "./App"},
		LogLevel:          api.LogLevelSilent,
		AbsWorkingDir:     dir,
		JSX:               api.JSXAutomatic,
		TreeShaking:       api.TreeShakingTrue,
		IgnoreAnnotations: false,
	})
	if len(res.Errors) > 0 {
		t.Fatalf("esbuild %s: %s", mode, res.Errors[0].Text)
	}
	var b strings.Builder
	for _, f := range res.OutputFiles {
		b.Write(f.Contents)
	}
	return b.String()
}

// TestDevClientOnlyInDevelopment bundles the wired app both ways: the
// client's URL is in the development bundle and nowhere in the production
// one, where the guarded import() is never followed.
func TestDevClientOnlyInDevelopment(t *testing.T) {
	for _, app := range []string{"app", "legacy-app"} {
		t.Run(app, func(t *testing.T) {
			dir := newApp(t, app)
			if _, err := DevClient(dir, testClientURL); err != nil {
				t.Fatal(err)
			}
			if dev := bundleIndex(t, dir, "development"); !strings.Contains(dev, testClientURL) {
				t.Errorf("development bundle lacks the client:\n%s", dev)
			}
			if prod := bundleIndex(t, dir, "production"); strings.Contains(prod, "__bigband") || strings.Contains(prod, "bigband-dev") {
				t.Errorf("production bundle has the client:\n%s", prod)
			}
		})
	}
}

// TestDevClientOff: bigband.devClient false removes exactly what was added
// (index.tsx back to its bytes, the module gone), and adds nothing after.
func TestDevClientOff(t *testing.T) {
	for _, cfg := range []struct{ file, text string }{
		{appConfigLocal, "bigband:\n  devClient: false\n"},
		{appConfigLocal, "bigband: {devClient: false, plugins: {}}\n"},
		{appConfig, "bigband:\n  plugins:\n    x:\n      target: http://h\n  devClient: false # off\n"},
	} {
		dir := newApp(t, "app")
		orig := readApp(t, dir, appIndex)
		if _, err := DevClient(dir, testClientURL); err != nil {
			t.Fatal(err)
		}
		if cfg.file == appConfig {
			writeApp(t, dir, appConfig, readApp(t, dir, appConfig)+cfg.text)
		} else {
			writeApp(t, dir, cfg.file, cfg.text)
		}
		res, err := DevClient(dir, testClientURL)
		if err != nil {
			t.Fatalf("%q: %v", cfg.text, err)
		}
		if got := sorted(res.Changed); !slices.Equal(got, []string{devClientModule, appIndex}) || len(res.Notes) == 0 {
			t.Errorf("%q: %+v", cfg.text, res)
		}
		if got := readApp(t, dir, appIndex); got != orig {
			t.Errorf("%q: index.tsx not restored:\n%s", cfg.text, got)
		}
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(devClientModule))); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%q: module still there (%v)", cfg.text, err)
		}
		before := snapshot(t, dir)
		if res, err := DevClient(dir, testClientURL); err != nil || len(res.Changed)+len(res.Notes) != 0 {
			t.Errorf("%q: off, second run: %+v, %v", cfg.text, res, err)
		}
		sameSnapshot(t, before, snapshot(t, dir))
	}
}

// TestDevClientURLChange: a session on another address rewrites the module
// only.
func TestDevClientURLChange(t *testing.T) {
	dir := newApp(t, "app")
	if _, err := DevClient(dir, testClientURL); err != nil {
		t.Fatal(err)
	}
	other := "http://127.0.0.1:9100/__bigband/client.js"
	res, err := DevClient(dir, other)
	if err != nil || !slices.Equal(res.Changed, []string{devClientModule}) {
		t.Fatalf("%+v, %v", res, err)
	}
	if m := readApp(t, dir, devClientModule); !strings.Contains(m, `"`+other+`"`) || strings.Contains(m, testClientURL) {
		t.Errorf("module:\n%s", m)
	}
}

// TestDevClientByHand: an index.tsx that imports the module itself (a
// static import, say) is left alone, and turning the client off removes
// that line too.
func TestDevClientByHand(t *testing.T) {
	dir := newApp(t, "app")
	src := readApp(t, dir, appIndex)
	hand := strings.Replace(src, "import App from './App';\n", "import App from './App';\nimport './bigband-dev';\n", 1)
	writeApp(t, dir, appIndex, hand)
	res, err := DevClient(dir, testClientURL)
	if err != nil || !slices.Equal(res.Changed, []string{devClientModule}) {
		t.Fatalf("%+v, %v", res, err)
	}
	writeApp(t, dir, appConfigLocal, "bigband:\n  devClient: false\n")
	if _, err := DevClient(dir, testClientURL); err != nil {
		t.Fatal(err)
	}
	if got := readApp(t, dir, appIndex); got != src {
		t.Errorf("index.tsx:\n%s", got)
	}
}

// TestDevClientRefusals: nothing is written when the module's name is
// taken, when index.tsx is missing, or when the line to remove shares its
// line with other code; a bad setting is an error naming file and line.
func TestDevClientRefusals(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string)
		want  string
	}{
		{"module taken", func(t *testing.T, dir string) { writeApp(t, dir, devClientModule, "export const mine = 1;\n") },
			"packages/app/src/bigband-dev.ts: the file exists and was not written by bigband-dev"},
		{"no index.tsx", func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, filepath.FromSlash(appIndex))) },
			"packages/app/src/index.tsx: file not found"},
		{"bad value", func(t *testing.T, dir string) { writeApp(t, dir, appConfigLocal, "bigband:\n  devClient: maybe\n") },
			`app-config.local.yaml:2: bigband.devClient is "maybe"; want true or false`},
		{"shared line", func(t *testing.T, dir string) {
			writeApp(t, dir, appConfigLocal, "bigband:\n  devClient: false\n")
			writeApp(t, dir, appIndex, readApp(t, dir, appIndex)+"import './bigband-dev'; const x = 1;\n")
		}, "remove it by hand"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := newApp(t, "app")
			tt.setup(t, dir)
			before := snapshot(t, dir)
			_, err := DevClient(dir, testClientURL)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
			sameSnapshot(t, before, snapshot(t, dir))
		})
	}
}

func TestClientScriptURL(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"http://127.0.0.1:7008/api/hello", "http://127.0.0.1:7008/__bigband/client.js"},
		{"http://127.0.0.1:7008", "http://127.0.0.1:7008/__bigband/client.js"},
		{"https://[::1]:9000/x?y=1", "https://[::1]:9000/__bigband/client.js"},
		{"ftp://h/x", ""},
		{"127.0.0.1:7008", ""},
	} {
		got, err := ClientScriptURL(tt.in, "/__bigband/client.js")
		if got != tt.want || (err != nil) != (tt.want == "") {
			t.Errorf("%q: %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestReadDevClient(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		bad      bool
	}{
		{"app:\n  title: x\n", "", false},
		{"bigband:\n  devClient: false\n", "false", false},
		{"bigband:\n  devClient: true\n", "true", false},
		{"bigband:\n  devClient:\n", "", false},
		{"bigband:\n  devClient: ~\n", "", false},
		{"bigband: {devClient: false}\n", "false", false},
		{"bigband: null\n", "", false},
		{"bigband:\n  devClient: [a]\n", "", true},
		{"bigband:\n  devClient:\n    - a\n", "", true},
		{"bigband:\n\tdevClient: false\n", "", true},
	} {
		got, _, err := readDevClient([]byte(tt.in))
		if got != tt.want || (err != nil) != tt.bad {
			t.Errorf("%q: %q, %v", tt.in, got, err)
		}
	}
}

func FuzzReadDevClient(f *testing.F) {
	for _, s := range []string{"bigband:\n  devClient: false\n", "bigband: {devClient: true}\n", "bigband:\n  plugins:\n    a: {target: x}\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		_, _, err := readDevClient([]byte(in))
		var ye *yamlError
		if err != nil && !errors.As(err, &ye) {
			t.Fatalf("%q: %T %v", in, err, err)
		}
	})
}

// FuzzDevClientImport: adding then removing the line gives the file back,
// and neither edit panics on any input.
func FuzzDevClientImport(f *testing.F) {
	f.Add("import a from 'a';\n\nrender();\n")
	f.Add("import './bigband-dev';\n")
	f.Add("// nothing\n")
	f.Fuzz(func(t *testing.T, in string) {
		out, err := addDevClientImport(appIndex, []byte(in))
		if err != nil || strings.Contains(in, "bigband-dev") {
			return
		}
		back, err := removeDevClientImport(appIndex, out)
		if err != nil {
			t.Fatalf("%q -> %q: remove: %v", in, out, err)
		}
		if string(back) != in {
			t.Fatalf("%q -> %q -> %q", in, out, back)
		}
	})
}
