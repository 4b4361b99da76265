package backstage

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/evanw/esbuild/pkg/api"
)

// routerHarness runs the generated src/router.ts in Node: express's Router
// and Backstage's services are replaced by small fakes (the fake httpAuth
// behaves as Backstage's does: it knows three bearer tokens, answers
// "none" without one, and refuses a type the caller did not allow), and a
// plain Node server calls the router's middleware as express would.
const routerHarness = `
const Module = require('module');
const http = require('node:http');
const load = Module._load;
Module._load = function (request, ...rest) {
  if (request === 'express') {
    return {
      Router() {
        const r = { fns: [] };
        r.use = fn => r.fns.push(fn);
        return r;
      },
    };
  }
  return load.call(this, request, ...rest);
};
const { createRouter } = require('./router.cjs');

const principals = {
  'Bearer user-jane': { type: 'user', userEntityRef: 'user:default/jane' },
  'Bearer svc': { type: 'service', subject: 'plugin:catalog' },
};
const httpAuth = {
  async credentials(req, opts) {
    const a = req.headers.authorization;
    if (a === 'Bearer expired') {
      const e = new Error('token expired');
      e.name = 'AuthenticationError';
      throw e;
    }
    if (a === 'Bearer broken-service') {
      throw new Error('the auth service is down');
    }
    const principal = principals[a] ?? { type: 'none' };
    if (opts?.allow && !opts.allow.includes(principal.type)) {
      const e = new Error(principal.type + ' not allowed');
      e.name = 'NotAllowedError';
      throw e;
    }
    return { $$type: '@backstage/BackstageCredentials', principal };
  },
};
const auth = { isPrincipal: (c, type) => c.principal.type === type };
const logger = { info() {}, warn() {} };
const config = { getOptionalString: () => undefined };
const router = createRouter({ httpAuth, auth, logger, config });

const server = http.createServer((req, res) => {
  req.originalUrl = '/api/hello' + req.url;
  res.status = code => ((res.statusCode = code), res);
  res.json = body => res.setHeader('content-type', 'application/json').end(JSON.stringify(body));
  router.fns[0](req, res, err => {
    res.statusCode = 500;
    res.end('next(' + (err && err.message) + ')');
  });
});
server.listen(0, '127.0.0.1', () => console.log('LISTEN ' + server.address().port));
`

// startRouter renders a backend package forwarding to target, and serves
// its router through Node; it returns the router's base URL.
func startRouter(t *testing.T, target string) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: the generated router is not run")
	}
	p := render(t, smallBackend(), Options{ID: "hello", Target: target})
	res := api.Transform(string(p.File("src/router.ts").Data), api.TransformOptions{
		Loader: api.LoaderTS, Format: api.FormatCommonJS, Target: api.ES2022, Sourcefile: "router.ts",
	})
	if len(res.Errors) > 0 {
		t.Fatalf("router.ts: %v", res.Errors)
	}
	dir := t.TempDir()
	for name, data := range map[string][]byte{"router.cjs": res.Code, "harness.cjs": []byte(routerHarness)} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A guard against a hang, not a timing assertion.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	cmd := exec.CommandContext(ctx, node, "harness.cjs")
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	port, ok := strings.CutPrefix(strings.TrimSpace(line), "LISTEN ")
	if err != nil || !ok {
		t.Fatalf("harness did not start: %q %v\n%s", line, err, stderr.String())
	}
	return "http://127.0.0.1:" + port
}

// seen is what the upstream (standing in for the bigband-dev host) got.
type seen struct {
	Path   string
	Header http.Header
}

func TestRouterIdentityHeaders(t *testing.T) {
	got := make(chan seen, 1)
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- seen{r.URL.RequestURI(), r.Header.Clone()}
		w.Header().Add("Set-Cookie", "backstage-auth=stolen; Path=/")
		w.Header().Set("X-Guest", "kept")
		io.WriteString(w, "ok")
	}))
	defer upstream.Close()
	base := startRouter(t, upstream.URL)

	// Spoofed identity, credentials and proxy headers on every request.
	spoof := http.Header{
		"X-Backstage-Principal-Type":  {"user"},
		"X-Backstage-User-Entity-Ref": {"user:default/admin"},
		"x-backstage-service-subject": {"plugin:catalog"},
		"X-Backstage-Anything":        {"x"},
		"Cookie":                      {"backstage-auth=abc; other=1"},
		"Proxy-Authorization":         {"Basic eDp5"},
		"X-Custom":                    {"passes"},
	}
	for _, tc := range []struct {
		name, authz string
		want        map[string]string // "" means absent
	}{
		{"user", "Bearer user-jane", map[string]string{PrincipalTypeHeader: "user", UserEntityRefHeader: "user:default/jane", ServiceSubjectHeader: ""}},
		{"service", "Bearer svc", map[string]string{PrincipalTypeHeader: "service", UserEntityRefHeader: "", ServiceSubjectHeader: "plugin:catalog"}},
		{"no token", "", map[string]string{PrincipalTypeHeader: "none", UserEntityRefHeader: "", ServiceSubjectHeader: ""}},
		{"token that does not verify", "Bearer expired", map[string]string{PrincipalTypeHeader: "none", UserEntityRefHeader: "", ServiceSubjectHeader: ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", base+"/items/1?q=2", nil)
			req.Header = spoof.Clone()
			if tc.authz != "" {
				req.Header.Set("Authorization", tc.authz)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || string(body) != "ok" {
				t.Fatalf("%d %q", resp.StatusCode, body)
			}
			if c := resp.Header.Values("Set-Cookie"); len(c) != 0 || resp.Header.Get("X-Guest") != "kept" {
				t.Errorf("response headers: %v", resp.Header)
			}
			s := <-got
			if s.Path != "/items/1?q=2" {
				t.Errorf("path %q", s.Path)
			}
			for name, want := range tc.want {
				if v := s.Header.Values(name); want == "" && len(v) != 0 || want != "" && (len(v) != 1 || v[0] != want) {
					t.Errorf("%s = %q, want %q", name, v, want)
				}
			}
			for _, name := range []string{"Authorization", "Cookie", "Proxy-Authorization", "X-Backstage-Anything"} {
				if v := s.Header.Values(name); len(v) != 0 {
					t.Errorf("%s reached the guest: %q", name, v)
				}
			}
			if s.Header.Get("X-Custom") != "passes" {
				t.Errorf("an ordinary header was dropped: %v", s.Header)
			}
		})
	}

	// Any other failure of httpAuth is Backstage's to report, and the
	// guest is not called.
	req, _ := http.NewRequest("GET", base+"/x", nil)
	req.Header.Set("Authorization", "Bearer broken-service")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 500 || string(body) != "next(the auth service is down)" {
		t.Errorf("auth failure: %d %q", resp.StatusCode, body)
	}
	select {
	case s := <-got:
		t.Errorf("the guest was called: %+v", s)
	default:
	}
}

// The router still answers its 502 when the host is down, now after the
// credentials check.
func TestRouterHostDown(t *testing.T) {
	upstream := httptest.NewServer(http.NotFoundHandler())
	target := upstream.URL
	upstream.Close()
	base := startRouter(t, target)
	req, _ := http.NewRequest("GET", base+"/x", nil)
	req.Header.Set("Authorization", "Bearer user-jane")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e struct {
		Error struct{ Name, Message string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("bigband-dev host at %s is not reachable (ECONNREFUSED)", target)
	if resp.StatusCode != 502 || e.Error.Name != "BadGatewayError" || !strings.HasPrefix(e.Error.Message, want) {
		t.Errorf("%d %+v, want 502 %q", resp.StatusCode, e, want)
	}
}
