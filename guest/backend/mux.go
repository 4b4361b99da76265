package backend

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// Mux routes requests by method and path, like net/http's ServeMux with
// method patterns: "GET /items/{id}" matches GET /items/2 and sets the
// path value id to "2". A path that matches no pattern gets 404, and one
// that matches only with another method 405 with an Allow header, both as
// JSON {"error": ...}. The query is ignored for matching.
type Mux struct {
	routes []muxRoute
}

type muxRoute struct {
	method string
	path   string
	segs   []string
	h      Handler
}

// NewMux returns an empty Mux.
func NewMux() *Mux { return &Mux{} }

// Handle registers h for pattern, "METHOD /path/{name}". It panics on a
// malformed pattern or one registered twice, as net/http does.
func (m *Mux) Handle(pattern string, h Handler) {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok || method == "" || !strings.HasPrefix(path, "/") {
		panic(fmt.Sprintf("backend: pattern %q: want \"METHOD /path\"", pattern))
	}
	segs := split(path)
	for _, s := range segs {
		if strings.HasPrefix(s, "{") != strings.HasSuffix(s, "}") || (strings.HasPrefix(s, "{") && len(s) < 3) {
			panic(fmt.Sprintf("backend: pattern %q: bad wildcard %q (want {name})", pattern, s))
		}
	}
	for _, r := range m.routes {
		if r.method == method && r.path == path {
			panic(fmt.Sprintf("backend: pattern %q registered twice", pattern))
		}
	}
	m.routes = append(m.routes, muxRoute{method: method, path: path, segs: segs, h: h})
}

// HandleFunc registers f for pattern.
func (m *Mux) HandleFunc(pattern string, f func(ResponseWriter, *Request)) {
	m.Handle(pattern, HandlerFunc(f))
}

// Routes lists the registered patterns in order.
func (m *Mux) Routes() []Route {
	out := make([]Route, len(m.routes))
	for i, r := range m.routes {
		out[i] = Route{Method: r.method, Path: r.path}
	}
	return out
}

// ServeHTTP dispatches to the first route matching the method and path.
func (m *Mux) ServeHTTP(w ResponseWriter, r *Request) {
	segs := split(r.Path)
	var allow []string
	for _, rt := range m.routes {
		vals, ok := match(rt.segs, segs)
		if !ok {
			continue
		}
		if rt.method != r.Method {
			if !slices.Contains(allow, rt.method) {
				allow = append(allow, rt.method)
			}
			continue
		}
		for k, v := range vals {
			r.SetPathValue(k, v)
		}
		rt.h.ServeHTTP(w, r)
		return
	}
	if len(allow) > 0 {
		w.Header().Set("allow", strings.Join(allow, ", "))
		WriteJSON(w, 405, map[string]string{"error": "method not allowed"})
		return
	}
	WriteJSON(w, 404, map[string]string{"error": "not found"})
}

func split(path string) []string {
	path = strings.Trim(path, "/")
	if path == "" {
		return nil
	}
	return strings.Split(path, "/")
}

func match(pattern, path []string) (map[string]string, bool) {
	if len(pattern) != len(path) {
		return nil, false
	}
	var vals map[string]string
	for i, p := range pattern {
		if strings.HasPrefix(p, "{") {
			if path[i] == "" {
				return nil, false
			}
			if vals == nil {
				vals = map[string]string{}
			}
			v, err := url.PathUnescape(path[i])
			if err != nil {
				v = path[i]
			}
			vals[p[1:len(p)-1]] = v
		} else if p != path[i] {
			return nil, false
		}
	}
	return vals, true
}
