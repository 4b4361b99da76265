package wasmbudget

import "testing"

func TestProfBrTable(t *testing.T) {
	d, a, p := compileCost(t, module([][]byte{voidType}, brTable(60000)))
	t.Log(d, a>>20, p>>20)
}
