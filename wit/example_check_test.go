package wit_test

import (
	"context"
	"fmt"

	"github.com/bigband-dev/bigband/wit"
)

// Check reports every problem at once, here from unsaved buffers alone (a
// directory that exists only as overlays), and still resolves what it can.
func ExampleCheck() {
	overlays := map[string][]byte{
		"/virtual/pkg/a.wit": []byte("package demo:p;\n\ninterface api {\n  record item { id: u32, name: strin }\n  get: func(id: u32) -> option<item>;\n}\n"),
		"/virtual/pkg/b.wit": []byte("package demo:p;\n\ninterface api {}\n\nworld plugin {\n  export api;\n  import missing;\n}\n"),
	}
	res := wit.Check(context.Background(), "/virtual/pkg", wit.LoadOptions{Overlays: overlays})
	for _, d := range res.Diagnostics {
		fmt.Println(d.Code, d)
		for _, rel := range d.Related {
			fmt.Println("  ", rel.Message, rel.Start)
		}
	}
	for _, r := range res.Refs {
		if r.Target.Span.IsValid() {
			fmt.Printf("%s %s -> %s\n", r.Kind, r.Start, r.Target.Start)
		}
	}
	fmt.Println("partial package:", res.Partial)
	// Output:
	// wit/duplicate-name /virtual/pkg/b.wit:3:11: duplicate item named `api`
	//    first defined here /virtual/pkg/a.wit:3:11
	// wit/unknown-type /virtual/pkg/a.wit:4:32: type `strin` does not exist
	// wit/unknown-interface /virtual/pkg/b.wit:7:10: interface or world `missing` does not exist
	// type /virtual/pkg/a.wit:5:32 -> /virtual/pkg/a.wit:4:10
	// interface /virtual/pkg/b.wit:6:10 -> /virtual/pkg/a.wit:3:11
	// partial package: true
}
