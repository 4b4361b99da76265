// Package frontend turns plain Go into a bigband frontend plugin: the npm
// packages the generated Backstage plugin needs and its React component
// files, typically from an embed.FS. The package implements the exports of
// backstage-frontend-plugin and all canonical-ABI glue; build with
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o plugin.wasm .
//
// and register in an init function (a c-shared build never runs main):
//
//	//go:embed components
//	var components embed.FS
//
//	func init() {
//		frontend.Serve(frontend.Plugin{
//			Deps:  frontend.Static(frontend.Dep{Name: "@backstage/core-components"}),
//			Files: frontend.FilesFrom(components, "components", "ExamplePage.tsx", "ExamplePage"),
//		})
//	}
package frontend

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
)

// Dep is an npm package the generated plugin depends on.
type Dep struct {
	Name    string
	Version string // "" for none (the newest)
	Dev     bool
}

// File is one file of the plugin's React components.
type File struct {
	Path      string // relative to src/components
	Root      bool   // exactly one file is the root
	ClassName string // the root's component name; "" for none
	Contents  string
}

// Plugin is what a frontend plugin provides. A function returning an
// error makes the export return it, and the host reports it.
type Plugin struct {
	Deps  func() ([]Dep, error)
	Files func() ([]File, error)
}

var plugin Plugin

// Serve registers the plugin. Call it from an init function.
func Serve(p Plugin) { plugin = p }

// Static returns a Deps function returning deps.
func Static(deps ...Dep) func() ([]Dep, error) {
	return func() ([]Dep, error) { return deps, nil }
}

// FilesFrom returns a Files function listing every file under dir of fsys
// (an embed.FS, say), with paths relative to dir, in path order; the file
// at root (relative to dir) is the root component, named className.
func FilesFrom(fsys fs.FS, dir, root, className string) func() ([]File, error) {
	return func() ([]File, error) {
		sub, err := fs.Sub(fsys, dir)
		if err != nil {
			return nil, err
		}
		var files []File
		err = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := fs.ReadFile(sub, p)
			if err != nil {
				return err
			}
			f := File{Path: path.Clean(p), Contents: string(b)}
			if f.Path == path.Clean(root) {
				f.Root, f.ClassName = true, className
			}
			files = append(files, f)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("component files from %s: %w", dir, err)
		}
		sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
		for _, f := range files {
			if f.Root {
				return files, nil
			}
		}
		return nil, fmt.Errorf("component files from %s: no root file %s", dir, root)
	}
}

var errNoPlugin = errors.New("no plugin: call frontend.Serve from an init function of the plugin")

func deps() ([]Dep, error) {
	if plugin.Deps == nil {
		return nil, errNoPlugin
	}
	return plugin.Deps()
}

func files() ([]File, error) {
	if plugin.Files == nil {
		return nil, errNoPlugin
	}
	return plugin.Files()
}
