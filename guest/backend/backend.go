// Package backend turns plain Go into a bigband backend plugin: an
// http.Handler-like function and the routes it serves. The package
// implements the plugin's exports (backstage-backend-plugin#get-routes and
// wasi:http/incoming-handler@0.2.0#handle) and all canonical-ABI glue;
// build with
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o plugin.wasm .
//
// A plugin registers its handler in an init function (a c-shared build
// never runs main):
//
//	func init() {
//		mux := backend.NewMux()
//		mux.HandleFunc("GET /items/{id}", getItem)
//		backend.Serve(mux)
//	}
//
// Request bodies and response bodies stream: a handler reading a large body
// gets it in chunks as the client sends it, and bytes written go out as the
// host's buffer takes them.
package backend

import (
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"strings"
)

// Header holds HTTP header fields. wasi:http names fields in lower case,
// so keys are lower case; the methods lower-case the names they are given.
type Header map[string][]string

// Get returns the first value of key, or "".
func (h Header) Get(key string) string {
	if v := h[strings.ToLower(key)]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// Values returns every value of key.
func (h Header) Values(key string) []string { return h[strings.ToLower(key)] }

// Set replaces the values of key with value.
func (h Header) Set(key, value string) { h[strings.ToLower(key)] = []string{value} }

// Add appends value to the values of key.
func (h Header) Add(key, value string) {
	key = strings.ToLower(key)
	h[key] = append(h[key], value)
}

// Del removes key.
func (h Header) Del(key string) { delete(h, strings.ToLower(key)) }

// Request is an incoming request.
type Request struct {
	Method   string // GET, POST, ... (upper case as the client sent it)
	Path     string // the path, without the query
	RawQuery string // the query, without '?'
	Header   Header
	// Body streams the request body; it is never nil. Reading it to
	// io.EOF makes the trailers available.
	Body io.ReadCloser

	pathValues map[string]string
	trailers   func() (Header, error)
}

// NewRequest makes a Request, for tests of handlers.
func NewRequest(method, target string, body io.Reader) *Request {
	path, query, _ := strings.Cut(target, "?")
	if body == nil {
		body = strings.NewReader("")
	}
	rc, ok := body.(io.ReadCloser)
	if !ok {
		rc = io.NopCloser(body)
	}
	return &Request{Method: method, Path: path, RawQuery: query, Header: Header{}, Body: rc}
}

// Query parses RawQuery.
func (r *Request) Query() url.Values {
	v, _ := url.ParseQuery(r.RawQuery)
	return v
}

// PathValue returns the value of the {name} wildcard of the route that
// matched (see Mux), or "".
func (r *Request) PathValue(name string) string { return r.pathValues[name] }

// SetPathValue sets a wildcard value, as a Mux does.
func (r *Request) SetPathValue(name, value string) {
	if r.pathValues == nil {
		r.pathValues = map[string]string{}
	}
	r.pathValues[name] = value
}

// Trailers returns the request's trailers once the body has been read to
// io.EOF (it reads and discards what is left); none is an empty Header.
func (r *Request) Trailers() (Header, error) {
	if r.trailers == nil {
		return Header{}, nil
	}
	return r.trailers()
}

// ResponseWriter is how a handler answers, as net/http's.
type ResponseWriter interface {
	// Header is the response header, sent with the first Write (or when
	// the handler returns); changes after that have no effect.
	Header() Header
	// WriteHeader sets the status code (200 if never called). Only the
	// first call counts.
	WriteHeader(status int)
	// Write sends body bytes, blocking while the host's buffer is full.
	Write(p []byte) (int, error)
	// Trailer holds trailers sent after the body; set them any time
	// before the handler returns.
	Trailer() Header
	// Flush sends what was written so far.
	Flush()
}

// Handler responds to a request.
type Handler interface {
	ServeHTTP(w ResponseWriter, r *Request)
}

// HandlerFunc adapts a function to a Handler.
type HandlerFunc func(w ResponseWriter, r *Request)

// ServeHTTP calls f(w, r).
func (f HandlerFunc) ServeHTTP(w ResponseWriter, r *Request) { f(w, r) }

// Route is a route the plugin reports to Backstage (get-routes): a method
// and a path, with {name} for a path segment.
type Route struct {
	Method string
	Path   string
}

// Router is a Handler that knows its routes (Mux is one).
type Router interface {
	Handler
	Routes() []Route
}

// ErrBodyNotAllowed is what Write returns for a response whose status
// has no body (1xx, 204, 304).
var ErrBodyNotAllowed = errors.New("backend: this response status allows no body")

func bodyAllowed(status int) bool {
	return !(status >= 100 && status < 200 || status == 204 || status == 304)
}

// plugin is what Serve registered.
var plugin struct {
	h      Handler
	routes []Route
}

// Serve makes h the plugin's handler, reporting routes to Backstage; with
// no routes given, a Router's own are reported. Call it from an init
// function.
func Serve(h Handler, routes ...Route) {
	if len(routes) == 0 {
		if r, ok := h.(Router); ok {
			routes = r.Routes()
		}
	}
	plugin.h, plugin.routes = h, routes
}

// WriteJSON sends v as JSON with the given status and
// content-type application/json.
func WriteJSON(w ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		w.Header().Set("content-type", "text/plain; charset=utf-8")
		w.WriteHeader(500)
		io.WriteString(w, "encoding the response: "+err.Error())
		return
	}
	w.Header().Set("content-type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}
