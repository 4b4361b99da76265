package host_test

import (
	"os"
	"testing"
)

// TestMain points DefaultCacheDir at the tests' temporary cache, so no
// test (the package example included) writes into the user's cache.
func TestMain(m *testing.M) {
	os.Setenv("BIGBAND_CACHE_DIR", testCache)
	os.Exit(m.Run())
}
