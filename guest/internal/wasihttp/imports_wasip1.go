//go:build wasip1

package wasihttp

import "unsafe"

// wasi:http/types@0.2.0

//go:wasmimport wasi:http/types@0.2.0 [constructor]fields
func FieldsNew() uint32

// FieldsFromList: entries is list<tuple<string, list<u8>>> (16-byte
// elements); ret: result<fields, header-error>, tag at 0, value at 4.
//
//go:wasmimport wasi:http/types@0.2.0 [static]fields.from-list
func FieldsFromList(entries unsafe.Pointer, n uint32, ret unsafe.Pointer)

// FieldsAppend: ret is result<_, header-error>: tag at 0, error at 1.
//
//go:wasmimport wasi:http/types@0.2.0 [method]fields.append
func FieldsAppend(self uint32, name unsafe.Pointer, nameLen uint32, value unsafe.Pointer, valueLen uint32, ret unsafe.Pointer)

// FieldsEntries: ret is the list (ptr at 0, len at 4).
//
//go:wasmimport wasi:http/types@0.2.0 [method]fields.entries
func FieldsEntries(self uint32, ret unsafe.Pointer)

//go:wasmimport wasi:http/types@0.2.0 [resource-drop]fields
func FieldsDrop(self uint32)

// IncomingRequestMethod: ret is variant method: tag u8 at 0, other's
// string at 4.
//
//go:wasmimport wasi:http/types@0.2.0 [method]incoming-request.method
func IncomingRequestMethod(self uint32, ret unsafe.Pointer)

// IncomingRequestPathWithQuery: ret is option<string>: tag at 0, string at 4.
//
//go:wasmimport wasi:http/types@0.2.0 [method]incoming-request.path-with-query
func IncomingRequestPathWithQuery(self uint32, ret unsafe.Pointer)

//go:wasmimport wasi:http/types@0.2.0 [method]incoming-request.headers
func IncomingRequestHeaders(self uint32) uint32

// IncomingRequestConsume: ret is result<incoming-body>: tag at 0, handle at 4.
//
//go:wasmimport wasi:http/types@0.2.0 [method]incoming-request.consume
func IncomingRequestConsume(self uint32, ret unsafe.Pointer)

//go:wasmimport wasi:http/types@0.2.0 [resource-drop]incoming-request
func IncomingRequestDrop(self uint32)

// IncomingBodyStream: ret is result<input-stream>: tag at 0, handle at 4.
//
//go:wasmimport wasi:http/types@0.2.0 [method]incoming-body.stream
func IncomingBodyStream(self uint32, ret unsafe.Pointer)

//go:wasmimport wasi:http/types@0.2.0 [static]incoming-body.finish
func IncomingBodyFinish(self uint32) uint32

//go:wasmimport wasi:http/types@0.2.0 [resource-drop]incoming-body
func IncomingBodyDrop(self uint32)

//go:wasmimport wasi:http/types@0.2.0 [method]future-trailers.subscribe
func FutureTrailersSubscribe(self uint32) uint32

// FutureTrailersGet: ret is
// option<result<result<option<trailers>, error-code>>>, 56 bytes, align 8:
// some at 0, outer result tag at 8, inner result tag at 16, the option's
// tag at 24 and the trailers handle at 28.
//
//go:wasmimport wasi:http/types@0.2.0 [method]future-trailers.get
func FutureTrailersGet(self uint32, ret unsafe.Pointer)

//go:wasmimport wasi:http/types@0.2.0 [resource-drop]future-trailers
func FutureTrailersDrop(self uint32)

//go:wasmimport wasi:http/types@0.2.0 [constructor]outgoing-response
func OutgoingResponseNew(headers uint32) uint32

// OutgoingResponseSetStatusCode returns result<_, _> flat: 0 ok, 1 error.
//
//go:wasmimport wasi:http/types@0.2.0 [method]outgoing-response.set-status-code
func OutgoingResponseSetStatusCode(self uint32, status uint32) uint32

// OutgoingResponseBody: ret is result<outgoing-body>: tag at 0, handle at 4.
//
//go:wasmimport wasi:http/types@0.2.0 [method]outgoing-response.body
func OutgoingResponseBody(self uint32, ret unsafe.Pointer)

//go:wasmimport wasi:http/types@0.2.0 [resource-drop]outgoing-response
func OutgoingResponseDrop(self uint32)

// OutgoingBodyWrite: ret is result<output-stream>: tag at 0, handle at 4.
//
//go:wasmimport wasi:http/types@0.2.0 [method]outgoing-body.write
func OutgoingBodyWrite(self uint32, ret unsafe.Pointer)

// OutgoingBodyFinish: trailers is option<trailers> (tag, handle); ret is
// result<_, error-code>: tag at 0, error-code at 8 (40 bytes, align 8).
//
//go:wasmimport wasi:http/types@0.2.0 [static]outgoing-body.finish
func OutgoingBodyFinish(self uint32, hasTrailers uint32, trailers uint32, ret unsafe.Pointer)

//go:wasmimport wasi:http/types@0.2.0 [resource-drop]outgoing-body
func OutgoingBodyDrop(self uint32)

// ResponseOutparamSet: the response is result<outgoing-response,
// error-code>, flat: tag, then the join of ok's handle with error-code's
// flat form [i32, i32, i64, i32, i32, i32, i32].
//
//go:wasmimport wasi:http/types@0.2.0 [static]response-outparam.set
func ResponseOutparamSet(param, tag, p0, p1 uint32, p2 uint64, p3, p4, p5, p6 uint32)

// wasi:io/streams@0.2.0

// InputStreamBlockingRead: ret is result<list<u8>, stream-error>: tag at 0,
// the list at 4, or the stream-error's tag at 4 and its error at 8.
//
//go:wasmimport wasi:io/streams@0.2.0 [method]input-stream.blocking-read
func InputStreamBlockingRead(self uint32, n uint64, ret unsafe.Pointer)

//go:wasmimport wasi:io/streams@0.2.0 [resource-drop]input-stream
func InputStreamDrop(self uint32)

// OutputStreamCheckWrite: ret is result<u64, stream-error>: tag at 0, the
// u64 (or the stream-error) at 8.
//
//go:wasmimport wasi:io/streams@0.2.0 [method]output-stream.check-write
func OutputStreamCheckWrite(self uint32, ret unsafe.Pointer)

// OutputStreamWrite: ret is result<_, stream-error>: tag at 0, the error at 4.
//
//go:wasmimport wasi:io/streams@0.2.0 [method]output-stream.write
func OutputStreamWrite(self uint32, p unsafe.Pointer, n uint32, ret unsafe.Pointer)

//go:wasmimport wasi:io/streams@0.2.0 [method]output-stream.blocking-flush
func OutputStreamBlockingFlush(self uint32, ret unsafe.Pointer)

//go:wasmimport wasi:io/streams@0.2.0 [method]output-stream.subscribe
func OutputStreamSubscribe(self uint32) uint32

//go:wasmimport wasi:io/streams@0.2.0 [resource-drop]output-stream
func OutputStreamDrop(self uint32)

// wasi:io/error@0.2.0 and wasi:io/poll@0.2.0

//go:wasmimport wasi:io/error@0.2.0 [resource-drop]error
func ErrorDrop(self uint32)

//go:wasmimport wasi:io/poll@0.2.0 [method]pollable.block
func PollableBlock(self uint32)

//go:wasmimport wasi:io/poll@0.2.0 [resource-drop]pollable
func PollableDrop(self uint32)
