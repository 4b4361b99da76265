// Package cguest holds the C guest library, bigband.h and bigband.c, so
// that `bigband-dev new c` can copy it into a project.
package cguest

import "embed"

// FS holds bigband.h and bigband.c.
//
//go:embed bigband.h bigband.c
var FS embed.FS
