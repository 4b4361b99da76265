package backend_test

import (
	"fmt"

	"github.com/bigband-dev/bigband/guest/backend"
)

// A backend plugin is a Mux of routes, registered in init; the Mux's
// patterns are the routes Backstage sees.
func ExampleMux() {
	mux := backend.NewMux()
	mux.HandleFunc("GET /items/{id}", func(w backend.ResponseWriter, r *backend.Request) {
		backend.WriteJSON(w, 200, map[string]string{"id": r.PathValue("id")})
	})
	mux.HandleFunc("POST /echo", func(w backend.ResponseWriter, r *backend.Request) {})
	backend.Serve(mux) // in a plugin: inside func init()

	fmt.Println(mux.Routes())
	// Output: [{GET /items/{id}} {POST /echo}]
}
