package hmr

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Defaults for Config.
const (
	DefaultQueueSize    = 256
	DefaultPingInterval = 30 * time.Second
	DefaultWriteTimeout = 10 * time.Second
)

// Config configures a Hub.
type Config struct {
	// Origins are the page origins allowed besides the listener's own,
	// e.g. the Backstage app's app.baseUrl "http://localhost:3000".
	Origins []string
	// Token is what clients sending no Origin must present; a random one
	// when empty.
	Token string
	// QueueSize is how many frames wait for one client before it is
	// disconnected as too slow (default DefaultQueueSize).
	QueueSize int
	// PingInterval is how often clients are pinged; one that has not
	// answered within two intervals is dropped (default DefaultPingInterval).
	PingInterval time.Duration
	// WriteTimeout bounds one frame's write (default DefaultWriteTimeout).
	WriteTimeout time.Duration
	// Rebuild, when set, serves POST /__bigband/rebuild?plugin=<id>: it
	// returns false when there is no such plugin.
	Rebuild func(plugin string) bool
	Log     *slog.Logger
}

// Status is where a plugin is in its dev loop.
type Status string

const (
	StatusPending  Status = "pending" // no cycle finished yet
	StatusBuilding Status = "building"
	StatusOK       Status = "ok"
	StatusError    Status = "error"
)

// PluginState is what the hub knows of a plugin: the dashboard's card.
type PluginState struct {
	ID     string `json:"id"`
	Kind   string `json:"kind,omitempty"`
	Status Status `json:"status"`
	// Version is the backend generation serving (0 for none).
	Version int64 `json:"version"`
	// Trigger is what started the cycle running now (StatusBuilding).
	Trigger string `json:"trigger,omitempty"`
	// Update is the last good cycle, Error the last cycle when it failed.
	Update *Update `json:"update,omitempty"`
	Error  *Error  `json:"error,omitempty"`
}

// State is the hub's view of the session (GET /__bigband/state).
type State struct {
	Protocol int           `json:"protocol"`
	Plugins  []PluginState `json:"plugins"`
	Clients  int           `json:"clients"`
}

// Hub fans the session's events out to websocket clients and keeps the
// state late clients and the dashboard need. Its methods are safe for
// concurrent use and never block on a client.
type Hub struct {
	cfg     Config
	log     *slog.Logger
	origins map[string]bool
	hosts   map[string]bool
	up      websocket.Upgrader

	mu      sync.Mutex
	clients map[*client]struct{}
	plugins map[string]*PluginState
	order   []string
	closed  bool
}

// NewHub returns a hub; serve its Handler.
func NewHub(cfg Config) *Hub {
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = DefaultQueueSize
	}
	if cfg.PingInterval <= 0 {
		cfg.PingInterval = DefaultPingInterval
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = DefaultWriteTimeout
	}
	if cfg.Token == "" {
		var b [16]byte
		rand.Read(b[:])
		cfg.Token = hex.EncodeToString(b[:])
	}
	h := &Hub{
		cfg: cfg, log: cfg.Log,
		origins: map[string]bool{}, hosts: map[string]bool{},
		clients: map[*client]struct{}{},
		plugins: map[string]*PluginState{},
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	for _, o := range cfg.Origins {
		if n, host, ok := normalizeOrigin(o); ok {
			h.origins[n] = true
			h.hosts[host] = true
		} else {
			h.log.Warn("hmr: ignoring an origin that is not scheme://host[:port]", "origin", o)
		}
	}
	h.up = websocket.Upgrader{
		Subprotocols:    []string{Subprotocol},
		ReadBufferSize:  1024,
		WriteBufferSize: 16 << 10,
		// The handler checks Origin before upgrading; this is a second
		// line against a future path that forgets.
		CheckOrigin: func(r *http.Request) bool { return h.check(r) == nil },
	}
	return h
}

// Token is the session token for clients that send no Origin.
func (h *Hub) Token() string { return h.cfg.Token }

// Origins are the allowed origins besides the listener's own, normalised.
func (h *Hub) Origins() []string {
	out := make([]string, 0, len(h.origins))
	for o := range h.origins {
		out = append(out, o)
	}
	sort.Strings(out)
	return out
}

// SetPlugins declares the session's plugins, so they show before their
// first cycle ends. Plugins already known keep their state.
func (h *Hub) SetPlugins(ids []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, id := range ids {
		h.pluginLocked(id)
	}
}

func (h *Hub) pluginLocked(id string) *PluginState {
	p := h.plugins[id]
	if p == nil {
		p = &PluginState{ID: id, Status: StatusPending}
		h.plugins[id] = p
		h.order = append(h.order, id)
	}
	return p
}

// Building announces a cycle that started.
func (h *Hub) Building(b Building) {
	b.Type = TypeBuilding
	h.mu.Lock()
	defer h.mu.Unlock()
	p := h.pluginLocked(b.Plugin)
	p.Status, p.Trigger = StatusBuilding, b.Trigger
	if b.Kind == "" {
		b.Kind = p.Kind
	}
	h.broadcastLocked(b)
}

// Update announces a cycle that succeeded, and clears the plugin's error.
func (h *Hub) Update(u Update) {
	u.Type = TypeUpdate
	if u.Files == nil {
		u.Files = []string{}
	}
	if u.Timings == nil {
		u.Timings = []Timing{}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	p := h.pluginLocked(u.Plugin)
	p.Status, p.Kind, p.Trigger = StatusOK, u.Kind, ""
	if u.Version != 0 {
		p.Version = u.Version
	}
	stored := u
	if u.Unchanged && p.Update != nil {
		// Same guest: the dashboard keeps showing the cycle that built it.
		stored = *p.Update
		stored.Version, stored.Previous = u.Version, u.Previous
	}
	p.Update, p.Error = &stored, nil
	h.broadcastLocked(u)
}

// Error announces a cycle that failed; the error is replayed to clients
// connecting until the plugin's next Update or Prune.
func (h *Hub) Error(e Error) {
	e.Type = TypeError
	if e.Loc == nil && len(e.Locs) > 0 {
		l := e.Locs[0]
		e.Loc = &l
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	p := h.pluginLocked(e.Plugin)
	p.Status, p.Trigger = StatusError, ""
	if e.Kind != "" {
		p.Kind = e.Kind
	}
	p.Error = &e
	h.broadcastLocked(e)
}

// Prune announces that a plugin left the session.
func (h *Hub) Prune(plugin string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.plugins[plugin]; ok {
		delete(h.plugins, plugin)
		h.order = slices.DeleteFunc(h.order, func(id string) bool { return id == plugin })
	}
	h.broadcastLocked(Prune{Type: TypePrune, Plugin: plugin})
}

// FullReload asks every page to reload.
func (h *Hub) FullReload(reason string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.broadcastLocked(FullReload{Type: TypeFullReload, Reason: reason})
}

// State is a copy of what the hub knows.
func (h *Hub) State() State {
	h.mu.Lock()
	defer h.mu.Unlock()
	st := State{Protocol: Protocol, Plugins: []PluginState{}, Clients: len(h.clients)}
	for _, id := range h.order {
		st.Plugins = append(st.Plugins, *h.plugins[id])
	}
	return st
}

// Clients is how many websocket clients are connected.
func (h *Hub) Clients() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.clients)
}

// Close disconnects every client ("going away", so browsers start
// polling for the next session) and refuses new ones.
func (h *Hub) Close() {
	h.mu.Lock()
	cs := make([]*client, 0, len(h.clients))
	for c := range h.clients {
		cs = append(cs, c)
	}
	h.closed = true
	h.mu.Unlock()
	for _, c := range cs {
		c.stop(websocket.CloseGoingAway, "bigband-dev watch stopped")
	}
}

// broadcastLocked queues a frame for every client, dropping clients whose
// queue is full: a slow client never holds up the session.
func (h *Hub) broadcastLocked(msg any) {
	frame, err := json.Marshal(msg)
	if err != nil {
		h.log.Error("hmr: encoding a message", "err", err)
		return
	}
	for c := range h.clients {
		if !c.offer(frame) {
			h.log.Warn("hmr: dropping a client too slow to take its messages", "remote", c.remote, "queue", h.cfg.QueueSize)
			delete(h.clients, c)
			go c.stop(websocket.ClosePolicyViolation, "too slow: send queue full")
		}
	}
}

// register adds a client, queueing "connected" and the plugins' last
// errors first, under the same lock as broadcasts so nothing comes
// between them.
func (h *Hub) register(c *client) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	conn := Connected{Type: TypeConnected, Protocol: Protocol, Plugins: slices.Clone(h.order)}
	if conn.Plugins == nil {
		conn.Plugins = []string{}
	}
	frames := []any{conn}
	for _, id := range h.order {
		if e := h.plugins[id].Error; e != nil {
			frames = append(frames, *e)
		}
	}
	for _, f := range frames {
		b, _ := json.Marshal(f)
		if !c.offer(b) {
			return false
		}
	}
	h.clients[c] = struct{}{}
	return true
}

func (h *Hub) unregister(c *client) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.clients, c)
}
