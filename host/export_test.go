package host

// LiveCompiled is how many compiled modules and shared module instances
// programs hold that were not released yet.
func LiveCompiled() int64 { return liveCompiled.Load() }
