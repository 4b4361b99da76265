package wasi

import (
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/bigband-dev/bigband/wit"
)

// The function lists below are taken from the WIT of WASI itself, so a
// function the runtime would fail to link is caught here rather than when
// a real component is instantiated.

// WASI 0.2.0, from github.com/WebAssembly/WASI tag v0.2.0 (cli/run and
// http/incoming-handler are exports, not served).
func wit020() map[string][]string {
	return map[string][]string{
		"wasi:cli/environment":        {"get-environment", "get-arguments", "initial-cwd"},
		"wasi:cli/exit":               {"exit"},
		"wasi:cli/stderr":             {"get-stderr"},
		"wasi:cli/stdin":              {"get-stdin"},
		"wasi:cli/stdout":             {"get-stdout"},
		"wasi:cli/terminal-input":     {},
		"wasi:cli/terminal-output":    {},
		"wasi:cli/terminal-stderr":    {"get-terminal-stderr"},
		"wasi:cli/terminal-stdin":     {"get-terminal-stdin"},
		"wasi:cli/terminal-stdout":    {"get-terminal-stdout"},
		"wasi:clocks/monotonic-clock": {"now", "resolution", "subscribe-instant", "subscribe-duration"},
		"wasi:clocks/wall-clock":      {"now", "resolution"},
		"wasi:filesystem/preopens":    {"get-directories"},
		"wasi:filesystem/types":       {"[method]descriptor.read-via-stream", "[method]descriptor.write-via-stream", "[method]descriptor.append-via-stream", "[method]descriptor.advise", "[method]descriptor.sync-data", "[method]descriptor.get-flags", "[method]descriptor.get-type", "[method]descriptor.set-size", "[method]descriptor.set-times", "[method]descriptor.read", "[method]descriptor.write", "[method]descriptor.read-directory", "[method]descriptor.sync", "[method]descriptor.create-directory-at", "[method]descriptor.stat", "[method]descriptor.stat-at", "[method]descriptor.set-times-at", "[method]descriptor.link-at", "[method]descriptor.open-at", "[method]descriptor.readlink-at", "[method]descriptor.remove-directory-at", "[method]descriptor.rename-at", "[method]descriptor.symlink-at", "[method]descriptor.unlink-file-at", "[method]descriptor.is-same-object", "[method]descriptor.metadata-hash", "[method]descriptor.metadata-hash-at", "[method]directory-entry-stream.read-directory-entry", "filesystem-error-code"},
		"wasi:http/outgoing-handler":  {"handle"},
		"wasi:http/types":             {"http-error-code", "[constructor]fields", "[static]fields.from-list", "[method]fields.get", "[method]fields.has", "[method]fields.set", "[method]fields.delete", "[method]fields.append", "[method]fields.entries", "[method]fields.clone", "[method]incoming-request.method", "[method]incoming-request.path-with-query", "[method]incoming-request.scheme", "[method]incoming-request.authority", "[method]incoming-request.headers", "[method]incoming-request.consume", "[constructor]outgoing-request", "[method]outgoing-request.body", "[method]outgoing-request.method", "[method]outgoing-request.set-method", "[method]outgoing-request.path-with-query", "[method]outgoing-request.set-path-with-query", "[method]outgoing-request.scheme", "[method]outgoing-request.set-scheme", "[method]outgoing-request.authority", "[method]outgoing-request.set-authority", "[method]outgoing-request.headers", "[constructor]request-options", "[method]request-options.connect-timeout", "[method]request-options.set-connect-timeout", "[method]request-options.first-byte-timeout", "[method]request-options.set-first-byte-timeout", "[method]request-options.between-bytes-timeout", "[method]request-options.set-between-bytes-timeout", "[static]response-outparam.set", "[method]incoming-response.status", "[method]incoming-response.headers", "[method]incoming-response.consume", "[method]incoming-body.stream", "[static]incoming-body.finish", "[method]future-trailers.subscribe", "[method]future-trailers.get", "[constructor]outgoing-response", "[method]outgoing-response.status-code", "[method]outgoing-response.set-status-code", "[method]outgoing-response.headers", "[method]outgoing-response.body", "[method]outgoing-body.write", "[static]outgoing-body.finish", "[method]future-incoming-response.subscribe", "[method]future-incoming-response.get"},
		"wasi:io/error":               {"[method]error.to-debug-string"},
		"wasi:io/poll":                {"[method]pollable.ready", "[method]pollable.block", "poll"},
		"wasi:io/streams":             {"[method]input-stream.read", "[method]input-stream.blocking-read", "[method]input-stream.skip", "[method]input-stream.blocking-skip", "[method]input-stream.subscribe", "[method]output-stream.check-write", "[method]output-stream.write", "[method]output-stream.blocking-write-and-flush", "[method]output-stream.flush", "[method]output-stream.blocking-flush", "[method]output-stream.subscribe", "[method]output-stream.write-zeroes", "[method]output-stream.blocking-write-zeroes-and-flush", "[method]output-stream.splice", "[method]output-stream.blocking-splice"},
		"wasi:random/insecure":        {"get-insecure-random-bytes", "get-insecure-random-u64"},
		"wasi:random/insecure-seed":   {"insecure-seed"},
		"wasi:random/random":          {"get-random-bytes", "get-random-u64"},
	}
}

// witLatest lists the functions and resource types of each interface the
// host serves, from the embedded WIT of the newest WASI 0.2 (cli/run and
// http/incoming-handler are exports, not served; sockets is not served).
func witLatest(t *testing.T) (funcs, resources map[string][]string) {
	t.Helper()
	w, err := loadWIT()
	if err != nil {
		t.Fatal(err)
	}
	funcs, resources = map[string][]string{}, map[string][]string{}
	for name, wi := range w.ifaces {
		if name == "wasi:cli/run" || name == "wasi:http/incoming-handler" || strings.HasPrefix(name, "wasi:sockets/") {
			continue
		}
		funcs[name] = []string{}
		for _, f := range wi.Functions {
			funcs[name] = append(funcs[name], f.Name)
		}
		for _, nt := range wi.Types {
			if td := w.r.Types[nt.ID]; td.Kind == wit.KindResource && td.Owner.Kind == wit.OwnerInterface && w.r.Interfaces[td.Owner.Interface] == wi {
				resources[name] = append(resources[name], nt.Name)
			}
		}
	}
	return funcs, resources
}

func TestFunctionNamesMatchWIT(t *testing.T) {
	latest, _ := witLatest(t)
	for _, tc := range []struct {
		version string
		want    map[string][]string
	}{
		{"0.2.0", wit020()},
		{"0.2.12", latest},
	} {
		for iface, funcs := range tc.want {
			name := iface + "@" + tc.version
			it, ok := Lookup(name)
			if !ok {
				t.Errorf("Lookup(%q): not found", name)
				continue
			}
			for _, f := range funcs {
				if it.Funcs[f] == nil {
					t.Errorf("%s: function %q missing", name, f)
				}
			}
		}
	}
}

// TestNoUnknownFunctions catches typos: a misspelt name would both miss the
// WIT function and add one no guest imports.
func TestNoUnknownFunctions(t *testing.T) {
	latest, resources := witLatest(t)
	if len(all()) != len(latest) {
		t.Errorf("all() has %d interfaces, WASI 0.2.12 has %d", len(all()), len(latest))
	}
	for _, it := range all() {
		want, ok := latest[it.Name]
		if !ok {
			t.Errorf("%s: not an interface of WASI 0.2", it.Name)
			continue
		}
		var got []string
		for f := range it.Funcs {
			got = append(got, f)
		}
		sort.Strings(got)
		want = slices.Sorted(slices.Values(want))
		if !slices.Equal(got, want) {
			t.Errorf("%s: functions\n got %q\nwant %q", it.Name, got, want)
		}
		if res := resources[it.Name]; !slices.Equal(it.Resources, res) {
			t.Errorf("%s: resources %q, want %q", it.Name, it.Resources, res)
		}
	}
}

func TestLookupVersions(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"wasi:io/streams", true},
		{"wasi:io/streams@0.2.0", true},
		{"wasi:io/streams@0.2.3", true},
		{"wasi:cli/exit@0.2.12", true},
		{"wasi:io/streams@0.3.0", false},
		{"wasi:io/streams@0.2.0-rc-2023-11-10", false},
		{"wasi:cli/run@0.2.0", false},
		{"wasi:http/types@0.2.0", true},
		{"wasi:http/outgoing-handler@0.2.12", true},
		{"wasi:http/incoming-handler@0.2.0", false}, // the guest exports it
	} {
		if _, ok := Lookup(tc.name); ok != tc.ok {
			t.Errorf("Lookup(%q) = %v, want %v", tc.name, ok, tc.ok)
		}
	}
}
