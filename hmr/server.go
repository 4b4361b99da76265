package hmr

import (
	"crypto/subtle"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

var (
	//go:embed client.js
	clientJS []byte
	//go:embed dashboard.html
	dashboardHTML []byte
	//go:embed dashboard.js
	dashboardJS []byte
)

// maxClientFrame bounds what a client may send: it has nothing to say
// but pings.
const maxClientFrame = 4 << 10

// Handler serves everything under BasePath (see the package doc); mount
// it on the session's listener at BasePath.
func (h *Hub) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+BasePath+"{$}", h.serveDashboard)
	mux.HandleFunc("GET "+BasePath+"dashboard.js", func(w http.ResponseWriter, r *http.Request) {
		serveStatic(w, "text/javascript; charset=utf-8", dashboardJS)
	})
	mux.HandleFunc("GET "+ClientPath, func(w http.ResponseWriter, r *http.Request) {
		// Pages on the app's origin load it with a plain script element.
		w.Header().Set("Cross-Origin-Resource-Policy", "cross-origin")
		serveStatic(w, "text/javascript; charset=utf-8", clientJS)
	})
	mux.HandleFunc("GET "+StatePath, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		json.NewEncoder(w).Encode(h.State())
	})
	mux.HandleFunc("GET "+PingPath, func(w http.ResponseWriter, r *http.Request) {
		// Polled cross-origin (no-cors) by pages waiting for a restart.
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET "+SocketPath, h.serveSocket)
	mux.HandleFunc("POST "+RebuildPath, h.serveRebuild)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h.checkHost(r); err != nil {
			http.Error(w, err.Error(), http.StatusForbidden)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

func serveStatic(w http.ResponseWriter, ctype string, b []byte) {
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(b)
}

func (h *Hub) serveDashboard(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Security-Policy", fmt.Sprintf(
		"default-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self' ws://%[1]s wss://%[1]s; frame-ancestors 'none'", r.Host))
	w.Header().Set("X-Frame-Options", "DENY")
	serveStatic(w, "text/html; charset=utf-8", dashboardHTML)
}

func (h *Hub) serveRebuild(w http.ResponseWriter, r *http.Request) {
	if err := h.check(r); err != nil {
		http.Error(w, err.Error(), http.StatusForbidden)
		return
	}
	id := r.URL.Query().Get("plugin")
	if h.cfg.Rebuild == nil || !h.cfg.Rebuild(id) {
		http.Error(w, fmt.Sprintf("no plugin %q in this session", id), http.StatusNotFound)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func (h *Hub) serveSocket(w http.ResponseWriter, r *http.Request) {
	if err := h.check(r); err != nil {
		h.log.Warn("hmr: refused a websocket", "remote", r.RemoteAddr, "err", err)
		http.Error(w, err.Error(), http.StatusForbidden)
		return
	}
	conn, err := h.up.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader answered already
	}
	c := &client{
		conn: conn, remote: r.RemoteAddr,
		send: make(chan []byte, h.cfg.QueueSize),
		done: make(chan struct{}),
	}
	if !h.register(c) {
		c.stop(websocket.CloseGoingAway, "session closing")
		return
	}
	h.log.Debug("hmr: client connected", "remote", c.remote, "origin", r.Header.Get("Origin"))
	go c.writeLoop(h)
	c.readLoop(h)
	h.unregister(c)
	c.stop(websocket.CloseNormalClosure, "")
}

// check refuses a request that can reach the session's state: a browser
// page must come from an allowed origin, anything else must present the
// token.
func (h *Hub) check(r *http.Request) error {
	if err := h.checkHost(r); err != nil {
		return err
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		tok := r.URL.Query().Get("token")
		if tok == "" {
			tok = r.Header.Get(TokenHeader)
		}
		if tok == "" {
			return errors.New("no Origin and no token: pass ?token= (printed by bigband-dev watch)")
		}
		if subtle.ConstantTimeCompare([]byte(tok), []byte(h.cfg.Token)) != 1 {
			return errors.New("wrong token")
		}
		return nil
	}
	n, _, ok := normalizeOrigin(origin)
	if ok && (h.origins[n] || n == "http://"+strings.ToLower(r.Host) || n == "https://"+strings.ToLower(r.Host)) {
		return nil
	}
	return fmt.Errorf("origin %q is not allowed (allowed: this server and %v; add the page's origin with --hmr-origin)", origin, h.Origins())
}

// checkHost stops DNS rebinding: a name that resolves to this machine
// only counts when it is localhost or an allowed origin's host. IP
// literals cannot be rebound.
func (h *Hub) checkHost(r *http.Request) error {
	host := strings.ToLower(r.Host)
	if hn, _, err := net.SplitHostPort(host); err == nil {
		host = hn
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") || net.ParseIP(host) != nil || h.hosts[host] {
		return nil
	}
	return fmt.Errorf("host %q is not allowed (use 127.0.0.1 or localhost)", r.Host)
}

// normalizeOrigin returns scheme://host[:port] lowercased without a
// default port, and the host name.
func normalizeOrigin(o string) (string, string, bool) {
	u, err := url.Parse(strings.TrimSpace(o))
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", "", false
	}
	scheme, host, port := strings.ToLower(u.Scheme), strings.ToLower(u.Hostname()), u.Port()
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		port = ""
	}
	hp := host
	if strings.Contains(host, ":") {
		hp = "[" + host + "]"
	}
	if port != "" {
		hp += ":" + port
	}
	return scheme + "://" + hp, host, true
}

// client is one websocket connection with its queue.
type client struct {
	conn   *websocket.Conn
	remote string
	send   chan []byte
	done   chan struct{}
	once   sync.Once
}

// offer queues a frame without blocking; false when the queue is full.
func (c *client) offer(frame []byte) bool {
	select {
	case <-c.done:
		return true // closing anyway
	default:
	}
	select {
	case c.send <- frame:
		return true
	default:
		return false
	}
}

// stop closes the connection once, telling the peer why when it can.
func (c *client) stop(code int, reason string) {
	c.once.Do(func() {
		close(c.done)
		msg := websocket.FormatCloseMessage(code, reason)
		c.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
		c.conn.Close()
	})
}

func (c *client) writeLoop(h *Hub) {
	ping := time.NewTicker(h.cfg.PingInterval)
	defer ping.Stop()
	pingFrame, _ := json.Marshal(Ping{Type: TypePing})
	for {
		var frame []byte
		select {
		case <-c.done:
			return
		case frame = <-c.send:
		case <-ping.C:
			if err := c.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(h.cfg.WriteTimeout)); err != nil {
				c.stop(websocket.CloseGoingAway, "")
				return
			}
			frame = pingFrame
		}
		c.conn.SetWriteDeadline(time.Now().Add(h.cfg.WriteTimeout))
		if err := c.conn.WriteMessage(websocket.TextMessage, frame); err != nil {
			c.stop(websocket.CloseGoingAway, "")
			return
		}
	}
}

// readLoop reads until the connection ends; a client that stops
// answering pings times out.
func (c *client) readLoop(h *Hub) {
	wait := 2 * h.cfg.PingInterval
	c.conn.SetReadLimit(maxClientFrame)
	c.conn.SetReadDeadline(time.Now().Add(wait))
	c.conn.SetPongHandler(func(string) error {
		return c.conn.SetReadDeadline(time.Now().Add(wait))
	})
	for {
		if _, _, err := c.conn.ReadMessage(); err != nil {
			return
		}
		// Any frame shows the client is alive; its content is ignored.
		c.conn.SetReadDeadline(time.Now().Add(wait))
	}
}
