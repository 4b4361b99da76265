package wire

import (
	"os"
	"path/filepath"
	"testing"
)

// TestAppBaseURL: app.baseUrl of the app-config files, the local one first;
// a baseUrl nested deeper or of another section, or a variable, is none.
func TestAppBaseURL(t *testing.T) {
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
		{"flow mapping", "app: {title: t, baseUrl: \"http://localhost:3002\"}\n", "", "http://localhost:3002"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "app-config.yaml"), []byte(tt.config), 0o644)
			if tt.local != "" {
				os.WriteFile(filepath.Join(dir, "app-config.local.yaml"), []byte(tt.local), 0o644)
			}
			if got := AppBaseURL(dir); got != tt.want {
				t.Errorf("AppBaseURL = %q, want %q", got, tt.want)
			}
		})
	}
	if got := AppBaseURL(t.TempDir()); got != "" {
		t.Errorf("no config: %q", got)
	}
}

func FuzzAppBaseURL(f *testing.F) {
	f.Add([]byte("app:\n  baseUrl: http://localhost:3000\n"))
	f.Add([]byte("app:\n\tbaseUrl: x\n  baseUrl: y # z\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		readAppBaseURL(b) // must not panic or hang
	})
}
