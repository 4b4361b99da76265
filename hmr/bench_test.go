package hmr

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
)

// BenchmarkUpdateToClients is what the hub adds to a save's path to the
// browser: Update called, until every one of 4 clients has read the frame.
func BenchmarkUpdateToClients(b *testing.B) {
	h := NewHub(Config{})
	srv := httptest.NewServer(h.Handler())
	defer srv.Close()
	defer h.Close()
	ws := "ws" + strings.TrimPrefix(srv.URL, "http") + SocketPath
	var conns []*websocket.Conn
	for range 4 {
		c, _, err := websocket.DefaultDialer.Dial(ws, http.Header{"Origin": {srv.URL}})
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		if _, _, err := c.ReadMessage(); err != nil { // connected
			b.Fatal(err)
		}
		conns = append(conns, c)
	}
	u := Update{Plugin: "hello", Kind: KindBackend, Files: []string{"plugins/hello-backend/src/router.ts"},
		Timings: []Timing{{"build", 400}, {"load", 20}, {"swap", 1}}, Routes: []Route{{"GET", "/items"}}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		u.Version = int64(i + 1)
		h.Update(u)
		for _, c := range conns {
			if _, _, err := c.ReadMessage(); err != nil {
				b.Fatal(err)
			}
		}
	}
}
