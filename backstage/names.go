package backstage

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"github.com/bigband-dev/bigband/contract"
)

// DefaultTarget is where `bigband-dev` serves backend guests in dev. A
// generated backend plugin forwards to it unless app-config says otherwise.
// Backstage's own backend listens on 7007, so the host takes the next port.
const DefaultTarget = "http://127.0.0.1:7008"

// maxIDLen keeps package names, directory names and generated identifiers
// readable; Backstage itself sets no limit.
const maxIDLen = 64

// ValidID reports whether id can name a Backstage plugin: lowercase ASCII
// letters, digits and single dashes, starting with a letter and not ending
// with a dash. The id becomes a URL path (/api/<id>), a package name and,
// camel-cased, a TypeScript identifier, so it is stricter than Backstage.
func ValidID(id string) error {
	switch {
	case id == "":
		return fmt.Errorf("plugin id is empty: give one like %q", "my-plugin")
	case len(id) > maxIDLen:
		return fmt.Errorf("plugin id %q is %d characters long: keep it to %d", id, len(id), maxIDLen)
	case id[0] < 'a' || id[0] > 'z':
		return fmt.Errorf("plugin id %q must start with a lowercase letter", id)
	case strings.HasSuffix(id, "-"):
		return fmt.Errorf("plugin id %q must not end with a dash", id)
	case strings.Contains(id, "--"):
		return fmt.Errorf("plugin id %q must not contain two dashes in a row", id)
	}
	for i, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return fmt.Errorf("plugin id %q: %q at byte %d is not allowed (use lowercase letters, digits and dashes)", id, r, i)
		}
	}
	return nil
}

// PackageName is the npm name of the plugin package, as `backstage-cli new`
// would name it.
func PackageName(id string, kind contract.Kind) string {
	if kind == contract.Backend {
		return "@internal/plugin-" + id + "-backend"
	}
	return "@internal/plugin-" + id
}

// PackageDir is where the package lives, slash-separated and relative to
// the app root (or the --out directory).
func PackageDir(id string, kind contract.Kind) string {
	if kind == contract.Backend {
		return "plugins/" + id + "-backend"
	}
	return "plugins/" + id
}

// PluginExport names a plugin's variable as Backstage's templates do:
// "my-plugin" gives myPluginPlugin.
func PluginExport(id string) string { return camelID(id) + "Plugin" }

// PageExport names a legacy frontend plugin's page extension: "my-plugin"
// gives MyPluginPage.
func PageExport(id string) string { return pascalID(id) + "Page" }

// camelID turns "my-plugin" into "myPlugin", the prefix Backstage's
// templates use for the plugin variable.
func camelID(id string) string {
	var b strings.Builder
	up := false
	for _, r := range id {
		switch {
		case r == '-':
			up = true
		case up:
			b.WriteString(strings.ToUpper(string(r)))
			up = false
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// pascalID turns "my-plugin" into "MyPlugin", for the legacy page export.
func pascalID(id string) string {
	c := camelID(id)
	if c == "" {
		return ""
	}
	return strings.ToUpper(c[:1]) + c[1:]
}

// titleID turns "my-plugin" into "My Plugin", for page and sidebar titles.
func titleID(id string) string {
	words := strings.Split(id, "-")
	for i, w := range words {
		if w != "" {
			words[i] = strings.ToUpper(w[:1]) + w[1:]
		}
	}
	return strings.Join(words, " ")
}

// FrontendSystem picks which Backstage frontend API a frontend plugin is
// written against.
type FrontendSystem int

const (
	// NewFrontendSystem uses @backstage/frontend-plugin-api, the default
	// of `npx @backstage/create-app` since create-app 0.8.
	NewFrontendSystem FrontendSystem = iota
	// LegacyFrontendSystem uses @backstage/core-plugin-api, for apps
	// created with --legacy.
	LegacyFrontendSystem
)

func (s FrontendSystem) String() string {
	switch s {
	case NewFrontendSystem:
		return "new"
	case LegacyFrontendSystem:
		return "legacy"
	}
	return fmt.Sprintf("FrontendSystem(%d)", int(s))
}

// ParseFrontendSystem reads "new" or "legacy", as a flag would give them.
func ParseFrontendSystem(s string) (FrontendSystem, error) {
	switch s {
	case "new":
		return NewFrontendSystem, nil
	case "legacy":
		return LegacyFrontendSystem, nil
	}
	return 0, fmt.Errorf("frontend system %q: want new or legacy", s)
}

// Set and the String method above make *FrontendSystem a flag.Value.
func (s *FrontendSystem) Set(v string) error {
	fs, err := ParseFrontendSystem(v)
	if err != nil {
		return err
	}
	*s = fs
	return nil
}

// Options says how to render a plugin package around a guest.
type Options struct {
	// ID is the Backstage plugin id (see ValidID).
	ID string
	// FrontendSystem applies to frontend plugins only.
	FrontendSystem FrontendSystem
	// Target is the URL of the bigband-dev host a backend plugin forwards
	// to when app-config sets none; "" means DefaultTarget.
	Target string
	// Guest names the guest file in the generated files' marker comments;
	// "" falls back to the manifest's Guest.
	Guest string
}

// IDFromName makes a plugin id from a file or directory name: "My_Plugin.wasm"
// and "my-plugin.component.wasm" give "my-plugin". The result may still be
// invalid (a name starting with a digit): check it with ValidID.
func IDFromName(name string) string {
	base := path.Base(filepath.ToSlash(name))
	base = strings.TrimSuffix(base, path.Ext(base))
	base = strings.TrimSuffix(base, ".component")
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(base) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
	}
	return b.String()
}
