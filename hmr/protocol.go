package hmr

import (
	"strconv"
	"strings"
)

// Protocol is the protocol's version, sent in "connected".
const Protocol = 1

// Subprotocol is the websocket subprotocol the endpoint speaks.
const Subprotocol = "bigband-hmr"

// The paths the Handler serves (see the package doc).
const (
	BasePath    = "/__bigband/"
	ClientPath  = BasePath + "client.js"
	SocketPath  = BasePath + "hmr"
	StatePath   = BasePath + "state"
	PingPath    = BasePath + "ping"
	RebuildPath = BasePath + "rebuild"
)

// TokenHeader carries the session token for clients that cannot put it in
// the URL.
const TokenHeader = "X-Bigband-Token"

// Message types.
const (
	TypeConnected  = "connected"
	TypeBuilding   = "building"
	TypeUpdate     = "update"
	TypeError      = "error"
	TypeFullReload = "full-reload"
	TypePrune      = "prune"
	TypePing       = "ping"
)

// Plugin kinds.
const (
	KindFrontend = "frontend"
	KindBackend  = "backend"
)

// Timing is one phase of a cycle and its time in milliseconds.
type Timing struct {
	Phase string  `json:"phase"`
	MS    float64 `json:"ms"`
}

// Loc is a position in a source file; Line and Column are 1-based, 0 when
// unknown.
type Loc struct {
	File   string `json:"file"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
}

// Route is a backend plugin's route, as the guest declares it.
type Route struct {
	Method string `json:"method"`
	Path   string `json:"path"`
}

// Connected is the first frame of every connection.
type Connected struct {
	Type     string   `json:"type"`
	Protocol int      `json:"protocol"`
	Plugins  []string `json:"plugins"`
}

// Building says a cycle started.
type Building struct {
	Type    string `json:"type"`
	Plugin  string `json:"plugin"`
	Kind    string `json:"kind,omitempty"`
	Trigger string `json:"trigger,omitempty"`
}

// Update says a cycle succeeded.
type Update struct {
	Type    string   `json:"type"`
	Plugin  string   `json:"plugin"`
	Kind    string   `json:"kind"`
	Files   []string `json:"files"`
	Timings []Timing `json:"timings"`
	Version int64    `json:"version"`
	// API is where a backend serves ("/api/<id>/"). Plugin names the
	// plugin in the session and equals the Backstage id, except in a
	// frontend/backend pair sharing one id, where the backend is
	// "<id>-backend"; pages and the dashboard use API, not Plugin, to
	// build URLs.
	API string `json:"api,omitempty"`

	// For the dashboard.
	Trigger string `json:"trigger,omitempty"`
	// Previous is the backend generation replaced (0 when none).
	Previous int64 `json:"previous,omitempty"`
	// Dir is where the package was written; Generated all its files,
	// relative to Dir.
	Dir       string   `json:"dir,omitempty"`
	Generated []string `json:"generated,omitempty"`
	// Kept are generated files edited by hand and so not overwritten.
	Kept   []string `json:"kept,omitempty"`
	Routes []Route  `json:"routes,omitempty"`
	Notes  []string `json:"notes,omitempty"`
	// Output is what the build printed (its tail).
	Output string `json:"output,omitempty"`
	// Unchanged says the guest behaves as before (e.g. its compiled
	// version replaced the interpreted one): pages need not reload.
	Unchanged bool `json:"unchanged,omitempty"`
}

// Error says a cycle failed; what served before still serves.
type Error struct {
	Type    string `json:"type"`
	Plugin  string `json:"plugin"`
	Phase   string `json:"phase"`
	Message string `json:"message"`
	Output  string `json:"output,omitempty"`
	Loc     *Loc   `json:"loc,omitempty"`

	// For the dashboard.
	Kind    string   `json:"kind,omitempty"`
	Locs    []Loc    `json:"locs,omitempty"`
	Timings []Timing `json:"timings,omitempty"`
	Trigger string   `json:"trigger,omitempty"`
}

// FullReload asks every page to reload.
type FullReload struct {
	Type   string `json:"type"`
	Reason string `json:"reason,omitempty"`
}

// Prune says a plugin left the session.
type Prune struct {
	Type   string `json:"type"`
	Plugin string `json:"plugin"`
}

// Ping is the keep-alive frame.
type Ping struct {
	Type string `json:"type"`
}

// ParseLoc reads the position at the start of s: "file:line:column" or
// "file:line", as compilers print them, maybe followed by ": message".
// The file may itself contain colons, as on Windows.
func ParseLoc(s string) (Loc, bool) {
	parts := strings.Split(s, ":")
	for i := 1; i < len(parts); i++ {
		line, err := strconv.Atoi(parts[i])
		if err != nil || line < 0 {
			continue
		}
		file := strings.Join(parts[:i], ":")
		if strings.TrimSpace(file) == "" {
			return Loc{}, false
		}
		l := Loc{File: file, Line: line}
		if i+1 < len(parts) {
			if col, err := strconv.Atoi(parts[i+1]); err == nil && col >= 0 {
				l.Column = col
			}
		}
		return l, true
	}
	return Loc{}, false
}
