package main

import (
	"bufio"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestServeWatchSwapsBuilds runs `bigband-dev serve --watch` on a copy of
// the C backend, replaces the file with another build and then with a
// broken one: the new build is served, the broken one never replaces it.
func TestServeWatchSwapsBuilds(t *testing.T) {
	dir := t.TempDir()
	guest := filepath.Join(dir, "backend.wasm")
	copyFile := func(src string) {
		t.Helper()
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		// Like a build tool: write elsewhere, then rename over the old file.
		tmp := guest + ".tmp"
		if err := os.WriteFile(tmp, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, guest); err != nil {
			t.Fatal(err)
		}
	}
	copyFile(fixture(t, "c/backend/backend.wasm"))

	cmd := exec.Command(binPath, "serve", "--watch", "--addr", "127.0.0.1:0", guest)
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	waitLog := func(pattern string) string {
		t.Helper()
		re := regexp.MustCompile(pattern)
		timeout := time.After(30 * time.Second)
		var skipped []string
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("serve exited before logging %q; it logged:\n%s", pattern, strings.Join(skipped, "\n"))
				}
				if m := re.FindStringSubmatch(l); m != nil {
					return m[len(m)-1]
				}
				skipped = append(skipped, l)
			case <-timeout:
				t.Fatalf("no log line matching %q; it logged:\n%s", pattern, strings.Join(skipped, "\n"))
			}
		}
	}
	base := waitLog(`msg=serving .*addr=(http://\S+)`)
	tag := func() string {
		resp, err := http.Get(base + "/headers")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.Header.Get("X-Bigband-Guest")
	}
	if got := tag(); got != "c" {
		t.Fatalf("first build tags %q", got)
	}
	copyFile(fixture(t, "c/backend/backend-v2.wasm"))
	waitLog(`msg=reloaded`)
	if got := tag(); got != "c-v2" {
		t.Fatalf("after reload the guest tags %q, want c-v2", got)
	}
	os.WriteFile(filepath.Join(dir, "broken.wasm"), []byte("\x00asm\x0d\x00\x01\x00\xff"), 0o644)
	copyFile(filepath.Join(dir, "broken.wasm"))
	if msg := waitLog(`(msg="reload failed.*)`); !strings.Contains(msg, "previous version") {
		t.Fatalf("unexpected log %q", msg)
	}
	if got := tag(); got != "c-v2" {
		t.Fatalf("a broken build replaced the good one: tag %q", got)
	}
}
