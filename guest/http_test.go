package guest_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/bigband-dev/bigband/contract"
	"github.com/bigband-dev/bigband/host"
)

// serveHTTPGuest serves guest/testdata/httpguest through the host, as
// `bigband-dev serve` does.
func serveHTTPGuest(t *testing.T) string {
	t.Helper()
	rt := newRuntime(t)
	wasm := repoGuest(t, "./guest/testdata/httpguest")
	r, pkg, err := contract.Contract()
	if err != nil {
		t.Fatal(err)
	}
	w, _ := r.Packages[pkg].World(contract.Backend.World())
	ctx := context.Background()
	p, err := rt.Load(ctx, wasm, host.LoadOptions{Name: "httpguest", Fallback: r, FallbackWorld: w})
	if err != nil {
		t.Fatal(err)
	}
	b, err := rt.NewBackend(ctx, p, host.BackendConfig{PoolSize: 2, RequestTimeout: hang})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(b)
	t.Cleanup(func() { srv.Close(); b.Close() })
	return srv.URL
}

func do(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(req.Context(), hang)
	defer cancel()
	resp, err := http.DefaultClient.Do(req.WithContext(ctx))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func newReq(t *testing.T, method, url string, body io.Reader) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// Every wasi:http feature the library exposes, through the real host.
func TestHTTP(t *testing.T) {
	url := serveHTTPGuest(t)

	t.Run("methods", func(t *testing.T) {
		// PURGE is the method variant's other(string) case.
		for _, m := range []string{"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PURGE"} {
			resp, body := do(t, newReq(t, m, url+"/method", nil))
			if resp.StatusCode != 200 || string(body) != m {
				t.Errorf("%s /method: %d %q", m, resp.StatusCode, body)
			}
		}
	})

	t.Run("path, query and headers", func(t *testing.T) {
		req := newReq(t, "GET", url+"/headers?x=1&x=%C3%A9&set=x-resp%3Dv1&set=x-resp%3Dv2", nil)
		req.Header.Add("X-Test", "a")
		req.Header.Add("X-Test", "héllo")
		resp, body := do(t, req)
		var got struct {
			Method, Path, Query string
			X                   []string
			Names               []string
			XTest               []string `json:"x-test"`
		}
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatalf("%v: %q", err, body)
		}
		if got.Method != "GET" || got.Path != "/headers" || got.Query != "x=1&x=%C3%A9&set=x-resp%3Dv1&set=x-resp%3Dv2" ||
			!reflect.DeepEqual(got.X, []string{"1", "é"}) || !reflect.DeepEqual(got.XTest, []string{"a", "héllo"}) {
			t.Errorf("request as the guest saw it: %s", body)
		}
		for _, n := range []string{"user-agent", "x-test"} {
			if !strings.Contains(strings.Join(got.Names, ","), n) {
				t.Errorf("header names %q lack %s (lower case)", got.Names, n)
			}
		}
		if v := resp.Header.Values("X-Multi"); !reflect.DeepEqual(v, []string{"one", "two"}) {
			t.Errorf("x-multi = %q", v)
		}
		if v := resp.Header.Values("X-Resp"); !reflect.DeepEqual(v, []string{"v1", "v2"}) {
			t.Errorf("x-resp = %q", v)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("content-type %q", ct)
		}
	})

	t.Run("a header the host refuses is left out", func(t *testing.T) {
		resp, _ := do(t, newReq(t, "GET", url+"/headers?set=bad%20name%3Dv&set=x-ok%3Dyes", nil))
		if resp.StatusCode != 200 || resp.Header.Get("X-Ok") != "yes" {
			t.Errorf("%d, headers %v", resp.StatusCode, resp.Header)
		}
	})

	t.Run("status codes", func(t *testing.T) {
		for _, tt := range []struct {
			path, body string
			code       int
		}{
			{"/status/200", "status 200", 200}, {"/status/201", "status 201", 201}, {"/status/202", "status 202", 202},
			{"/status/400", "status 400", 400}, {"/status/418", "status 418", 418}, {"/status/503", "status 503", 503},
			// No body with 204: the library drops what the handler writes.
			{"/status/204", "", 204}, {"/status/304", "", 304},
			// 99 is no status: the host refuses it and the library sends 500.
			{"/status/99", "status 99", 500},
			{"/nope", `{"error":"not found"}`, 404},
			{"/items/a%20b", `{"id":"a b"}`, 200},
			{"/panic", "boom — ünïcode", 500},
		} {
			resp, body := do(t, newReq(t, "GET", url+tt.path, nil))
			if resp.StatusCode != tt.code || string(body) != tt.body {
				t.Errorf("GET %s: %d %q, want %d %q", tt.path, resp.StatusCode, body, tt.code, tt.body)
			}
		}
		resp, body := do(t, newReq(t, "DELETE", url+"/headers", nil))
		if resp.StatusCode != 405 || resp.Header.Get("Allow") != "GET" || string(body) != `{"error":"method not allowed"}` {
			t.Errorf("DELETE /headers: %d allow %q %q", resp.StatusCode, resp.Header.Get("Allow"), body)
		}
	})

	t.Run("10 MiB streamed in, echoed out, with trailers both ways", func(t *testing.T) {
		data := make([]byte, 10<<20)
		rand.Read(data)
		sum := sha256.Sum256(data)
		// No length and a reader that is no bytes.Reader: chunked, so
		// the request can carry trailers.
		req := newReq(t, "POST", url+"/echo", io.MultiReader(bytes.NewReader(data)))
		req.Header.Set("Content-Type", "application/x-test")
		req.Trailer = http.Header{"X-Check": {"tail-value"}}
		resp, body := do(t, req)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/x-test" {
			t.Errorf("%d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if !bytes.Equal(body, data) {
			t.Errorf("echoed %d bytes, not the %d sent", len(body), len(data))
		}
		want := http.Header{"X-Length": {strconv.Itoa(len(data))}, "X-Sha256": {hex.EncodeToString(sum[:])}, "X-Req-X-Check": {"tail-value"}}
		if !reflect.DeepEqual(resp.Trailer, want) {
			t.Errorf("trailers %v, want %v", resp.Trailer, want)
		}
	})

	t.Run("both bodies stream: the echo of the first chunk arrives before the rest is sent", func(t *testing.T) {
		pr, pw := io.Pipe()
		req := newReq(t, "POST", url+"/echo", pr)
		ctx, cancel := context.WithTimeout(context.Background(), hang)
		defer cancel()
		// 256 KiB: the host holds back the first 64 KiB of a response
		// while the request body is still open (wasi.MaxHeldBody).
		first := bytes.Repeat([]byte("0123456789abcdef"), 16<<10)
		go pw.Write(first)
		resp, err := http.DefaultClient.Do(req.WithContext(ctx))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		// Half of it: the client's transport may hold the tail of what
		// it was given in its write buffer until more comes.
		got := make([]byte, len(first)/2)
		if _, err := io.ReadFull(resp.Body, got); err != nil || !bytes.Equal(got, first[:len(got)]) {
			t.Fatalf("first chunk back: %v", err)
		}
		rest := bytes.Repeat([]byte{'z'}, 10<<20)
		go func() { pw.Write(rest); pw.Close() }()
		back, err := io.ReadAll(resp.Body)
		if want := append(first[len(got):], rest...); err != nil || !bytes.Equal(back, want) {
			t.Errorf("the rest: %d bytes, %v", len(back), err)
		}
		if resp.Trailer.Get("X-Length") != strconv.Itoa(len(first)+len(rest)) {
			t.Errorf("trailers %v", resp.Trailer)
		}
	})

	t.Run("10 MiB streamed out", func(t *testing.T) {
		const n = 10<<20 + 123
		resp, body := do(t, newReq(t, "GET", url+"/big/"+strconv.Itoa(n), nil))
		if resp.StatusCode != 200 || len(body) != n {
			t.Fatalf("%d, %d bytes", resp.StatusCode, len(body))
		}
		for i, b := range body {
			if b != byte(i*7) {
				t.Fatalf("byte %d = %d, want %d", i, b, byte(i*7))
			}
		}
		if resp.Trailer.Get("X-Length") != strconv.Itoa(n) {
			t.Errorf("trailers %v", resp.Trailer)
		}
	})
}
