package guest

// The guest libraries for languages other than Go, for `bigband-dev new` to
// copy into a project: C's bigband.h and bigband.c (guest/c), Rust's
// bigband.rs (guest/rust). (The package comment is guest.go's, which
// carries the Go library.)

import "embed"

// C holds c/bigband.h and c/bigband.c; a project keeps both beside its
// sources.
//
//go:embed c/bigband.h c/bigband.c
var C embed.FS

// Rust holds rust/bigband.rs; a project keeps it beside lib.rs, where
// `mod bigband;` finds it.
//
//go:embed rust/bigband.rs
var Rust embed.FS
