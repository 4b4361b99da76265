// Package examples embeds the example plugins under examples/<lang>/<kind>
// so that `bigband-dev new` scaffolds projects from them: the examples are
// the templates, with no second copy to drift.
//
// The patterns name sources and documentation only, never a directory as a
// whole: an example built or `npm install`ed in place must not put its
// .wasm or node_modules into the binary. TestEmbedsEveryFile fails when an
// example gains a file no pattern covers.
package examples

import "embed"

// FS holds <lang>/<kind>/... for every example.
//
//go:embed go/*/*.go go/frontend/components
//go:embed c/*/*.c c/*/Makefile
//go:embed rust/*/*.rs rust/*/Makefile
//go:embed js/*/*.js js/*/*.mjs js/*/package.json js/*/wit
//go:embed */*/*.tsx */*/bigband.toml */*/README.md */*/.gitignore
var FS embed.FS
