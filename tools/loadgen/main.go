// Command loadgen measures an HTTP endpoint: requests per second and
// latency percentiles at a fixed concurrency for a fixed time. With
// -native it instead serves the reference handler the benchmarks compare
// against: plain net/http returning the body the backend fixtures return
// for GET /hello.
//
//	loadgen -url http://127.0.0.1:7008/hello -c 32 -d 10s
//	loadgen -native 127.0.0.1:7100
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"sync"
	"time"
)

func main() {
	url := flag.String("url", "", "`URL` to request with GET")
	conc := flag.Int("c", 32, "concurrent clients")
	dur := flag.Duration("d", 10*time.Second, "how long to run")
	warm := flag.Duration("warmup", 2*time.Second, "requests before measuring")
	native := flag.String("native", "", "serve the native reference handler on `ADDR` instead")
	label := flag.String("label", "", "row label for the markdown output")
	flag.Parse()
	if *native != "" {
		http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"hello":"backstage","path":%q}`, r.URL.RequestURI())
		})
		// The Go example backend's GET /items: the same body, encoded the
		// same way on every request.
		type item struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		}
		items := []item{{"1", "Alpha"}, {"2", "Beta"}, {"3", "Gamma"}}
		http.HandleFunc("/items", func(w http.ResponseWriter, r *http.Request) {
			b, _ := json.Marshal(map[string][]item{"items": items})
			w.Header().Set("Content-Type", "application/json")
			w.Write(b)
		})
		fmt.Fprintln(os.Stderr, http.ListenAndServe(*native, nil))
		os.Exit(1)
	}
	if *url == "" {
		flag.Usage()
		os.Exit(2)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *conc}, Timeout: 30 * time.Second}
	run(client, *url, *conc, *warm)
	lat, errs, elapsed := run(client, *url, *conc, *dur)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(p*float64(len(lat))))]
	}
	fmt.Printf("| %s | %.0f | %v | %v | %d |\n", *label, float64(len(lat))/elapsed.Seconds(), pct(0.50).Round(10*time.Microsecond), pct(0.99).Round(10*time.Microsecond), errs)
}

// run keeps conc clients busy for d and returns each successful request's
// latency and the number of failures.
func run(client *http.Client, url string, conc int, d time.Duration) ([]time.Duration, int, time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var mu sync.Mutex
	var all []time.Duration
	errs := 0
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < conc; i++ {
		wg.Go(func() {
			var local []time.Duration
			bad := 0
			for ctx.Err() == nil {
				t := time.Now()
				resp, err := client.Get(url)
				if err != nil {
					if ctx.Err() == nil {
						bad++
					}
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					bad++
					continue
				}
				local = append(local, time.Since(t))
			}
			mu.Lock()
			all = append(all, local...)
			errs += bad
			mu.Unlock()
		})
	}
	wg.Wait()
	return all, errs, time.Since(start)
}
