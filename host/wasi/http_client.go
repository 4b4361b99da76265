package wasi

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/bigband-dev/bigband/host/abi"
)

// The outgoing side of wasi:http. Guests may build requests (libraries do
// so eagerly), but outgoing-handler.handle denies sending them: a backend
// plugin gets no network unless the host grants it, like every other WASI
// capability here.

// OutgoingRequest is a wasi:http outgoing-request.
type OutgoingRequest struct {
	mu        sync.Mutex
	method    abi.Variant
	path      abi.Option
	scheme    abi.Option
	authority abi.Option
	headers   []field
	bodyTaken bool
	kids      children // headers views
}

// DropErr implements DropChecker.
func (r *OutgoingRequest) DropErr() error {
	return dropOrder("outgoing-request", "headers", r.kids.alive())
}

// Drop implements abi.Dropper.
func (r *OutgoingRequest) Drop() { _ = r.DropErr() }

// discardSink is the body of a request that will never be sent.
type discardSink struct{}

func (discardSink) Write(p []byte) (int, error)   { return len(p), nil }
func (discardSink) Flush() error                  { return nil }
func (discardSink) finish([]field) *HTTPErrorCode { return nil }

// RequestOptions is a wasi:http request-options: transport timeouts, in
// nanoseconds.
type RequestOptions struct {
	mu                               sync.Mutex
	connect, firstByte, betweenBytes abi.Option
}

// validPathWithQuery rejects what can't appear in a request target:
// whitespace and controls (they would split the request line) and a
// fragment, which is never sent.
func validPathWithQuery(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c == 0x7f || c == '#' {
			return false
		}
	}
	return true
}

// validScheme checks RFC 3986: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
func validScheme(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		alpha := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		if i == 0 && !alpha || !alpha && !('0' <= c && c <= '9') && !strings.ContainsRune("+-.", rune(c)) {
			return false
		}
	}
	return true
}

// validAuthority checks [userinfo@]host[:port] loosely: no delimiters of
// the other URI parts, no whitespace, and a numeric port if there is one.
func validAuthority(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c == 0x7f || strings.IndexByte("/?#\\", c) >= 0 {
			return false
		}
	}
	hostport := s[strings.LastIndexByte(s, '@')+1:]
	if strings.HasPrefix(hostport, "[") {
		end := strings.IndexByte(hostport, ']')
		if end < 0 {
			return false
		}
		hostport = hostport[end+1:]
		if hostport == "" {
			return true
		}
		if hostport[0] != ':' {
			return false
		}
	}
	if i := strings.LastIndexByte(hostport, ':'); i >= 0 {
		for _, c := range hostport[i+1:] {
			if c < '0' || c > '9' {
				return false
			}
		}
	}
	return true
}

// optionString reads an option<string> argument.
func optionString(args []any, i int) (abi.Option, error) {
	o, err := arg[abi.Option](args, i)
	if err != nil {
		return abi.Option{}, err
	}
	if _, ok := o.Value.(string); o.Some && !ok {
		return abi.Option{}, fmt.Errorf("wasi:http: option payload is %T, want string", o.Value)
	}
	return o, nil
}

func clientFuncs() map[string]Func {
	type req = *OutgoingRequest
	// setter builds a setter that validates an option<string> argument.
	setter := func(valid func(string) bool, field func(r req) *abi.Option) Func {
		return method(func(_ context.Context, _ *State, r req, args []any) (any, error) {
			o, err := optionString(args, 0)
			if err != nil {
				return nil, err
			}
			if o.Some && !valid(o.Value.(string)) {
				return abi.Err(nil), nil
			}
			r.mu.Lock()
			defer r.mu.Unlock()
			*field(r) = o
			return abi.Ok(nil), nil
		})
	}
	getter := func(field func(r req) *abi.Option) Func {
		return method(func(_ context.Context, _ *State, r req, _ []any) (any, error) {
			r.mu.Lock()
			defer r.mu.Unlock()
			return *field(r), nil
		})
	}
	timeout := func(field func(o *RequestOptions) *abi.Option, set bool) Func {
		return method(func(_ context.Context, _ *State, o *RequestOptions, args []any) (any, error) {
			o.mu.Lock()
			defer o.mu.Unlock()
			if !set {
				return *field(o), nil
			}
			d, err := arg[abi.Option](args, 0)
			if err != nil {
				return nil, err
			}
			if d.Some {
				if _, ok := d.Value.(uint64); !ok {
					return nil, fmt.Errorf("wasi:http: duration is %T, want u64", d.Value)
				}
			}
			*field(o) = d
			return abi.Ok(nil), nil
		})
	}
	path := func(r req) *abi.Option { return &r.path }
	auth := func(r req) *abi.Option { return &r.authority }
	connect := func(o *RequestOptions) *abi.Option { return &o.connect }
	first := func(o *RequestOptions) *abi.Option { return &o.firstByte }
	between := func(o *RequestOptions) *abi.Option { return &o.betweenBytes }
	return map[string]Func{
		"[constructor]outgoing-request": func(_ context.Context, _ *State, args []any) (any, error) {
			f, err := arg[*Fields](args, 0)
			if err != nil {
				return nil, err
			}
			return &OutgoingRequest{method: abi.Variant{Case: 0}, headers: f.take()}, nil
		},
		"[method]outgoing-request.body": method(func(_ context.Context, _ *State, r req, _ []any) (any, error) {
			r.mu.Lock()
			defer r.mu.Unlock()
			if r.bodyTaken {
				return abi.Err(nil), nil
			}
			r.bodyTaken = true
			return abi.Ok(&OutgoingBody{sink: discardSink{}}), nil
		}),
		"[method]outgoing-request.method": method(func(_ context.Context, _ *State, r req, _ []any) (any, error) {
			r.mu.Lock()
			defer r.mu.Unlock()
			return r.method, nil
		}),
		"[method]outgoing-request.set-method": method(func(_ context.Context, _ *State, r req, args []any) (any, error) {
			if len(args) < 1 {
				return nil, fmt.Errorf("wasi:http: set-method: method missing")
			}
			if _, ok := methodString(args[0]); !ok {
				return abi.Err(nil), nil
			}
			r.mu.Lock()
			defer r.mu.Unlock()
			r.method = args[0].(abi.Variant)
			return abi.Ok(nil), nil
		}),
		"[method]outgoing-request.path-with-query":     getter(path),
		"[method]outgoing-request.set-path-with-query": setter(validPathWithQuery, path),
		"[method]outgoing-request.scheme": method(func(_ context.Context, _ *State, r req, _ []any) (any, error) {
			r.mu.Lock()
			defer r.mu.Unlock()
			return r.scheme, nil
		}),
		"[method]outgoing-request.set-scheme": method(func(_ context.Context, _ *State, r req, args []any) (any, error) {
			o, err := arg[abi.Option](args, 0)
			if err != nil {
				return nil, err
			}
			if o.Some {
				v, ok := o.Value.(abi.Variant)
				if !ok || v.Case > schemeOther {
					return nil, fmt.Errorf("wasi:http: set-scheme: scheme is %T", o.Value)
				}
				if s, _ := v.Value.(string); v.Case == schemeOther && !validScheme(s) {
					return abi.Err(nil), nil
				}
			}
			r.mu.Lock()
			defer r.mu.Unlock()
			r.scheme = o
			return abi.Ok(nil), nil
		}),
		"[method]outgoing-request.authority":     getter(auth),
		"[method]outgoing-request.set-authority": setter(validAuthority, auth),
		"[method]outgoing-request.headers": method(func(_ context.Context, _ *State, r req, _ []any) (any, error) {
			return view(r.headers, r.kids.add()), nil
		}),
		"[constructor]request-options": func(context.Context, *State, []any) (any, error) {
			return &RequestOptions{}, nil
		},
		"[method]request-options.connect-timeout":           timeout(connect, false),
		"[method]request-options.set-connect-timeout":       timeout(connect, true),
		"[method]request-options.first-byte-timeout":        timeout(first, false),
		"[method]request-options.set-first-byte-timeout":    timeout(first, true),
		"[method]request-options.between-bytes-timeout":     timeout(between, false),
		"[method]request-options.set-between-bytes-timeout": timeout(between, true),
	}
}

// httpOutgoingHandler denies every request: the guest learns why through
// the error code, the request and its options are released.
func httpOutgoingHandler() *Interface {
	return &Interface{
		Name: "wasi:http/outgoing-handler",
		Funcs: map[string]Func{
			"handle": func(_ context.Context, _ *State, args []any) (any, error) {
				if _, err := arg[*OutgoingRequest](args, 0); err != nil {
					return nil, err
				}
				return abi.Err(httpCode(codeHTTPRequestDenied, nil).variant()), nil
			},
		},
	}
}
