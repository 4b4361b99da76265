// Package cabi is the canonical-ABI plumbing the guest packages share:
// the cabi_realloc export the host allocates through, and keeping memory
// lent to the host alive until it is done with it.
//
// Go pointers are linear-memory addresses on wasm32 and Go's collector does
// not move objects, so handing the host the address of Go memory is safe
// while something keeps that memory reachable.
package cabi
