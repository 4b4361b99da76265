package hmr_test

import (
	"fmt"
	"net/http"

	"github.com/bigband-dev/bigband/hmr"
)

// A session serves the hub beside its own routes and reports its cycles.
func ExampleHub() {
	h := hmr.NewHub(hmr.Config{Origins: []string{"http://localhost:3000"}})
	mux := http.NewServeMux()
	mux.Handle(hmr.BasePath, h.Handler()) // dashboard, client.js, websocket
	h.SetPlugins([]string{"hello"})

	h.Building(hmr.Building{Plugin: "hello", Trigger: "src/main.c"})
	h.Error(hmr.Error{Plugin: "hello", Phase: "build", Message: "exit status 1",
		Locs: []hmr.Loc{{File: "src/main.c", Line: 3, Column: 1}}})
	p := h.State().Plugins[0]
	fmt.Println(p.ID, p.Status, p.Error.Loc.File, p.Error.Loc.Line)

	h.Update(hmr.Update{Plugin: "hello", Kind: hmr.KindBackend, Version: 2})
	p = h.State().Plugins[0]
	fmt.Println(p.ID, p.Status, p.Version, p.Error == nil)
	// Output:
	// hello error src/main.c 3
	// hello ok 2 true
}
