// A Backstage backend plugin in Go: three JSON routes, served through
// wasi:http by the guest library. Build:
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o backend.wasm ./examples/go/backend
package main

import (
	"io"

	"github.com/bigband-dev/bigband/guest/backend"
)

type item struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

var items = []item{{"1", "Alpha"}, {"2", "Beta"}, {"3", "Gamma"}}

func init() {
	mux := backend.NewMux()
	mux.HandleFunc("GET /items", listItems)
	mux.HandleFunc("GET /items/{id}", getItem)
	mux.HandleFunc("POST /echo", echo)
	backend.Serve(mux) // reports the mux's routes to Backstage
}

func listItems(w backend.ResponseWriter, r *backend.Request) {
	backend.WriteJSON(w, 200, map[string][]item{"items": items})
}

func getItem(w backend.ResponseWriter, r *backend.Request) {
	id := r.PathValue("id")
	for _, it := range items {
		if it.ID == id {
			backend.WriteJSON(w, 200, it)
			return
		}
	}
	backend.WriteJSON(w, 404, map[string]string{"error": "no item " + id})
}

// echo streams the request body back as it arrives, whatever its size.
func echo(w backend.ResponseWriter, r *backend.Request) {
	ct := r.Header.Get("content-type")
	if ct == "" {
		ct = "application/octet-stream"
	}
	w.Header().Set("content-type", ct)
	io.Copy(w, r.Body)
}

func main() {} // a c-shared build never runs it
