package watch

import (
	"os"
	"path/filepath"
	"testing"
)

func TestAppOrigin(t *testing.T) {
	tests := []struct {
		name        string
		config      string
		local, want string
	}{
		{"create-app", "app:\n  title: Scaffolded Backstage App\n  baseUrl: http://localhost:3000\n\norganization:\n  name: My\nbackend:\n  baseUrl: http://localhost:7007\n", "", "http://localhost:3000"},
		{"quoted, comment", "app:\n    baseUrl: 'http://127.0.0.1:3001' # dev\n", "", "http://127.0.0.1:3001"},
		{"nested baseUrl is not app's", "app:\n  support:\n    baseUrl: http://x\n  title: t\n", "", ""},
		{"backend only", "backend:\n  baseUrl: http://localhost:7007\n", "", ""},
		{"local wins", "app:\n  baseUrl: http://localhost:3000\n", "app:\n  baseUrl: http://localhost:4000\n", "http://localhost:4000"},
		{"variable", "app:\n  baseUrl: ${APP_URL}\n", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "app-config.yaml"), []byte(tt.config), 0o644)
			if tt.local != "" {
				os.WriteFile(filepath.Join(dir, "app-config.local.yaml"), []byte(tt.local), 0o644)
			}
			if got := AppOrigin(dir); got != tt.want {
				t.Errorf("AppOrigin = %q, want %q", got, tt.want)
			}
		})
	}
	if got := AppOrigin(t.TempDir()); got != "" {
		t.Errorf("no config: %q", got)
	}
}

func FuzzAppBaseURL(f *testing.F) {
	f.Add([]byte("app:\n  baseUrl: http://localhost:3000\n"))
	f.Add([]byte("app:\n\tbaseUrl: x\n  baseUrl: y # z\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		yamlAppBaseURL(b) // must not panic or hang
	})
}

func TestTailBuffer(t *testing.T) {
	tb := &tailBuffer{max: 5}
	for _, s := range []string{"ab", "cdef", "gh"} {
		tb.Write([]byte(s))
	}
	if got := tb.String(); got != "defgh" {
		t.Errorf("tail %q, want defgh", got)
	}
}
