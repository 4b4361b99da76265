package wasmbudget_test

import (
	"bytes"
	"fmt"

	"github.com/bigband-dev/bigband/host/internal/wasmbudget"
)

// A function of 40,000 nested blocks (120 KB) would take wazero's compiler
// seconds; Check refuses it in microseconds.
func ExampleCheck() {
	code := append(bytes.Repeat([]byte{0x02, 0x40}, 40000), bytes.Repeat([]byte{0x0b}, 40001)...)
	body := append([]byte{0x00}, code...) // no locals
	module := append([]byte("\x00asm\x01\x00\x00\x00"),
		0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // type section: () -> ()
		0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
		0x0a, 0xc6, 0xa9, 0x07, 0x01, 0xc2, 0xa9, 0x07) // code section of 120,006 bytes, one body of 120,002
	module = append(module, body...)
	fmt.Println(wasmbudget.Check(module, wasmbudget.DefaultLimits()))
	// Output:
	// compile budget: control nesting 3001 deep exceeds the limit of 3000 (function 0, byte 0x178b); if the module is trusted, raise the compile budget (Nesting)
}
