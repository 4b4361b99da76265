package wasi

import "maps"

// wasi:http: the types every HTTP guest imports and the outgoing handler
// (denied). The incoming side is served through NewIncomingRequest and
// NewResponseOutparam (http_api.go); incoming-handler itself is an export
// of the guest, not served here.
//
// Resource lifetimes follow the WIT: headers, trailers and streams are
// children of the request, response, body or future they come from, and
// dropping a parent first is reported by DropChecker.DropErr.

func httpTypes() *Interface {
	funcs := fieldsFuncs()
	maps.Copy(funcs, incomingFuncs())
	maps.Copy(funcs, outgoingFuncs())
	maps.Copy(funcs, clientFuncs())
	funcs["http-error-code"] = httpErrorCodeFunc()
	return &Interface{
		Name: "wasi:http/types",
		Resources: []string{
			"fields", "incoming-request", "outgoing-request", "request-options",
			"response-outparam", "incoming-response", "incoming-body",
			"future-trailers", "outgoing-response", "outgoing-body",
			"future-incoming-response",
		},
		Funcs: funcs,
	}
}
