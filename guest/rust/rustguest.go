// Package rustguest holds the Rust guest module, bigband.rs, so that
// `bigband-dev new rust` can copy it into a project (beside lib.rs, where
// `mod bigband;` finds it).
package rustguest

import "embed"

// FS holds bigband.rs.
//
//go:embed bigband.rs
var FS embed.FS
