package guest_test

import "github.com/bigband-dev/bigband/guest"

var guestWriteModule = guest.WriteModule
