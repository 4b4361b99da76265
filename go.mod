module github.com/bigband-dev/bigband

go 1.26

require (
	github.com/fsnotify/fsnotify v1.10.1 // indirect
	github.com/tetratelabs/wazero v1.12.0 // indirect
	golang.org/x/sys v0.44.0 // indirect
)
