package abi

// Live is the number of host objects registered under a host resource
// type: values the host gave or lent to a guest and has not got back.
func (rt *ResourceType) Live() int {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.objs.Len()
}
