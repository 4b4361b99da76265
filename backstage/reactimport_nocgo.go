//go:build !cgo

package backstage

// Without cgo there is no tree-sitter parser, and removing code from a
// guest's file without one is not safe: files are written as the guest
// gave them.

const reactImportsSupported = false

func dropUnusedReact(_ string, src []byte) ([]byte, bool) { return src, false }
