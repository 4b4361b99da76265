// Command httpguest serves every wasi:http feature of the guest library,
// for guest_test.go.
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/bigband-dev/bigband/guest/backend"
	"github.com/bigband-dev/bigband/guest/frontend"
)

func init() {
	mux := backend.NewMux()
	mux.HandleFunc("POST /echo", echo)
	mux.HandleFunc("GET /headers", headers)
	mux.HandleFunc("GET /status/{code}", status)
	mux.HandleFunc("GET /big/{n}", big)
	mux.HandleFunc("GET /panic", func(backend.ResponseWriter, *backend.Request) { panic("boom — ünïcode") })
	mux.HandleFunc("GET /items/{id}", func(w backend.ResponseWriter, r *backend.Request) {
		backend.WriteJSON(w, 200, map[string]string{"id": r.PathValue("id")})
	})
	backend.Serve(backend.HandlerFunc(func(w backend.ResponseWriter, r *backend.Request) {
		if r.Path == "/method" { // any method, the name back
			w.Header().Set("content-type", "text/plain")
			io.WriteString(w, r.Method)
			return
		}
		mux.ServeHTTP(w, r)
	}), append(mux.Routes(), backend.Route{Method: "PUT", Path: "/method"})...)

	// The frontend exports fail: the host must see result::err.
	frontend.Serve(frontend.Plugin{
		Deps:  func() ([]frontend.Dep, error) { return nil, errors.New("no deps: Grüße 🚀") },
		Files: frontend.FilesFrom(noFiles{}, ".", "Root.tsx", "Root"),
	})
}

// echo streams the body back, flushing every chunk, and ends with
// trailers: the body's length and SHA-256, and the request's trailers
// under x-req-<name>.
func echo(w backend.ResponseWriter, r *backend.Request) {
	w.Header().Set("content-type", r.Header.Get("content-type"))
	h := sha256.New()
	buf := make([]byte, 32<<10)
	n := 0
	for {
		k, err := r.Body.Read(buf)
		if k > 0 {
			h.Write(buf[:k])
			w.Write(buf[:k])
			w.Flush()
			n += k
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			w.Trailer().Set("x-error", err.Error())
			return
		}
	}
	tr, err := r.Trailers()
	if err != nil {
		w.Trailer().Set("x-error", err.Error())
	}
	for k, vs := range tr {
		for _, v := range vs {
			w.Trailer().Add("x-req-"+k, v)
		}
	}
	w.Trailer().Set("x-length", strconv.Itoa(n))
	w.Trailer().Set("x-sha256", hex.EncodeToString(h.Sum(nil)))
}

// headers answers with the request as JSON and sets response headers:
// a multi-valued one, and name=value pairs from the query's set.
func headers(w backend.ResponseWriter, r *backend.Request) {
	w.Header().Add("x-multi", "one")
	w.Header().Add("x-multi", "two")
	for _, kv := range r.Query()["set"] {
		k, v, _ := strings.Cut(kv, "=")
		w.Header().Add(k, v)
	}
	var names []string
	for k := range r.Header {
		names = append(names, k)
	}
	sort.Strings(names)
	backend.WriteJSON(w, 200, map[string]any{
		"method": r.Method, "path": r.Path, "query": r.RawQuery, "x": r.Query()["x"],
		"names": names, "x-test": r.Header.Values("X-Test"),
	})
}

func status(w backend.ResponseWriter, r *backend.Request) {
	code, err := strconv.Atoi(r.PathValue("code"))
	if err != nil {
		backend.WriteJSON(w, 400, map[string]string{"error": err.Error()})
		return
	}
	w.WriteHeader(code)
	io.WriteString(w, "status "+strconv.Itoa(code))
}

// big streams n bytes (byte i is i*7 mod 256) in 32 KiB writes.
func big(w backend.ResponseWriter, r *backend.Request) {
	n, _ := strconv.Atoi(r.PathValue("n"))
	w.Header().Set("content-type", "application/octet-stream")
	buf := make([]byte, 32<<10)
	for off := 0; off < n; off += len(buf) {
		k := min(len(buf), n-off)
		for i := range k {
			buf[i] = byte((off + i) * 7)
		}
		w.Write(buf[:k])
	}
	w.Trailer().Set("x-length", strconv.Itoa(n))
}

// noFiles is an empty fs.FS.
type noFiles struct{}

func (noFiles) Open(name string) (fs.File, error) {
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

func main() {}
