package contract

// Manifest is what a guest asks of the plugin generated around it: the
// frontend contract's node dependencies and component files, or the backend
// contract's routes. ReadManifest fills it from a loaded guest; Validate
// says whether it is safe and sane to generate from.
type Manifest struct {
	Kind Kind
	// Guest names the guest it came from, for messages.
	Guest string

	Deps   []NodeDep // frontend
	Files  []File    // frontend
	Routes []Route   // backend
}

// NodeDep is one npm dependency of a frontend plugin.
type NodeDep struct {
	Name string
	// Version is the guest's version range, "" when it gave none.
	Version string
	Dev     bool
}

// File is one file the guest wants under the plugin's src/components.
type File struct {
	// Path is relative to src/components, slash-separated and clean once
	// the manifest has been validated.
	Path   string
	IsRoot bool
	// ComponentClassName is the React component the root file exports;
	// "" for other files.
	ComponentClassName string
	Contents           string
}

// Route is one route a backend plugin serves, relative to /api/<id>.
type Route struct {
	Method string
	Path   string
}

// Root returns the root component file, or nil when there is none.
func (m *Manifest) Root() *File {
	for i := range m.Files {
		if m.Files[i].IsRoot {
			return &m.Files[i]
		}
	}
	return nil
}
