// A separate module so that `go test ./...` in the main module never tries
// to build this wasip1-only program.
module github.com/bigband-dev/bigband/examples/go/frontend

go 1.26
