package examples_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// reference is EXAMPLES-API's backend in plain Go; bend, when set, changes
// one thing about it so that the checks must notice.
func reference(bend string) http.Handler {
	item := regexp.MustCompile(`^/items/([^/]+)$`)
	names := map[string]string{"1": "Alpha", "2": "Beta", "3": "Gamma"}
	json := func(w http.ResponseWriter, status int, body string) {
		if bend != "text-type" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		allow := func(m string) bool {
			if r.Method == m {
				return true
			}
			if bend != "no-allow" {
				w.Header().Set("Allow", m)
			}
			json(w, http.StatusMethodNotAllowed, `{"error":"method not allowed"}`)
			return false
		}
		path := r.URL.Path
		switch m := item.FindStringSubmatch(path); {
		case path == "/items" && (bend != "query" || r.URL.RawQuery == ""):
			if allow("GET") {
				json(w, 200, itemsJSON)
			}
		case m != nil:
			if allow("GET") {
				if name, ok := names[m[1]]; ok {
					json(w, 200, `{"id":"`+m[1]+`","name":"`+name+`"}`)
				} else {
					json(w, 404, `{"error":"no item `+m[1]+`"}`)
				}
			}
		case path == "/echo":
			if !allow("POST") {
				return
			}
			ct := r.Header.Get("Content-Type")
			if ct == "" && bend != "echo-type" {
				ct = "application/octet-stream"
			}
			w.Header().Set("Content-Type", ct)
			if bend == "echo-cut" {
				io.CopyN(w, r.Body, 1<<20)
				return
			}
			io.Copy(w, r.Body)
		default:
			status := 404
			if bend == "200-unknown" {
				status = 200
			}
			json(w, status, `{"error":"not found"}`)
		}
	})
}

// TestChecksCatchMistakes: the serve checks pass a correct backend and
// catch each way of getting EXAMPLES-API wrong.
func TestChecksCatchMistakes(t *testing.T) {
	for _, bend := range []string{"", "text-type", "no-allow", "query", "echo-type", "echo-cut", "200-unknown"} {
		t.Run("bend="+bend, func(t *testing.T) {
			srv := httptest.NewServer(reference(bend))
			defer srv.Close()
			problems := checkResponses(srv.URL)
			if bend == "" && len(problems) > 0 {
				t.Errorf("the reference fails the checks:\n%s", strings.Join(problems, "\n"))
			}
			if bend != "" && len(problems) == 0 {
				t.Errorf("the checks pass a backend with %s", bend)
			}
		})
	}
}
