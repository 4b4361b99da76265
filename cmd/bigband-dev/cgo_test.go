//go:build cgo

package main

// haveCgo: the binary under test has the tree-sitter parser app wiring
// needs.
const haveCgo = true
