module github.com/bigband-dev/bigband

go 1.26
