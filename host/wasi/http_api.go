package wasi

// The wasi:http surface the runtime's HTTP server needs (implemented in
// http.go): the runtime turns each net/http request into an
// *IncomingRequest and a *ResponseOutparam, passes both (as owned
// handles) to the guest's wasi:http/incoming-handler.handle, and then asks
// the outparam how the response ended.

// HTTPLimits bounds what a request may bring in.
type HTTPLimits struct {
	// MaxBodyBytes caps the request body the guest can read; reading past
	// it fails the stream (and the response becomes 413 if not yet sent).
	// 0 means no limit.
	MaxBodyBytes int64
}

// Outcome is how a guest's handling of one request ended, as seen by the
// host after handle returned.
type Outcome struct {
	// Sent reports that status and headers were written to the client.
	Sent bool
	// Status is the status written (or to write).
	Status int
	// Complete reports that the body was finished (outgoing-body.finish)
	// or that there was none to finish. When Sent && !Complete the
	// response is truncated and the connection must be aborted.
	Complete bool
	// Err is the guest's error-code when it set an error instead of a
	// response, or why no response was set; nil otherwise.
	Err error
}
