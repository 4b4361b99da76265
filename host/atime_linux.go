package host

import (
	"os"
	"syscall"
	"time"
)

// accessTime is when the file was last read, as far as the file system
// keeps track (relatime: at least once a day).
func accessTime(info os.FileInfo) time.Time {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return time.Unix(st.Atim.Unix())
	}
	return time.Time{}
}
