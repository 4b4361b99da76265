package wasi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/bigband-dev/bigband/host/abi"
)

// The cases of wasi:http/types.error-code, in WIT order (the same in every
// 0.2.x): a case's index is its discriminant.
var errorCodeNames = [...]string{
	"DNS-timeout", "DNS-error", "destination-not-found", "destination-unavailable",
	"destination-IP-prohibited", "destination-IP-unroutable", "connection-refused",
	"connection-terminated", "connection-timeout", "connection-read-timeout",
	"connection-write-timeout", "connection-limit-reached", "TLS-protocol-error",
	"TLS-certificate-error", "TLS-alert-received", "HTTP-request-denied",
	"HTTP-request-length-required", "HTTP-request-body-size", "HTTP-request-method-invalid",
	"HTTP-request-URI-invalid", "HTTP-request-URI-too-long", "HTTP-request-header-section-size",
	"HTTP-request-header-size", "HTTP-request-trailer-section-size", "HTTP-request-trailer-size",
	"HTTP-response-incomplete", "HTTP-response-header-section-size", "HTTP-response-header-size",
	"HTTP-response-body-size", "HTTP-response-trailer-section-size", "HTTP-response-trailer-size",
	"HTTP-response-transfer-coding", "HTTP-response-content-coding", "HTTP-response-timeout",
	"HTTP-upgrade-failed", "HTTP-protocol-error", "loop-detected", "configuration-error",
	"internal-error",
}

// Discriminants of the error-code cases the host produces or maps.
const (
	codeDNSTimeout               uint32 = 0
	codeConnectionTimeout        uint32 = 8
	codeConnectionReadTimeout    uint32 = 9
	codeConnectionWriteTimeout   uint32 = 10
	codeHTTPRequestDenied        uint32 = 15
	codeHTTPRequestLengthReq     uint32 = 16
	codeHTTPRequestBodySize      uint32 = 17
	codeHTTPRequestMethodInvalid uint32 = 18
	codeHTTPRequestURIInvalid    uint32 = 19
	codeHTTPRequestURITooLong    uint32 = 20
	codeHTTPRequestHeaderSection uint32 = 21
	codeHTTPRequestHeaderSize    uint32 = 22
	codeHTTPRequestTrailerSect   uint32 = 23
	codeHTTPRequestTrailerSize   uint32 = 24
	codeHTTPResponseIncomplete   uint32 = 25
	codeHTTPResponseBodySize     uint32 = 28
	codeHTTPResponseTimeout      uint32 = 33
	codeConfigurationError       uint32 = 37
	codeInternalError            uint32 = 38
)

// HTTPErrorCode is a wasi:http error-code value as a Go error: the case's
// discriminant and its payload as the ABI lifts it (nil, Option, Record).
type HTTPErrorCode abi.Variant

// Name returns the WIT name of the case.
func (e *HTTPErrorCode) Name() string {
	if int(e.Case) < len(errorCodeNames) {
		return errorCodeNames[e.Case]
	}
	return fmt.Sprintf("error-code(%d)", e.Case)
}

func (e *HTTPErrorCode) Error() string {
	s := "wasi:http error-code " + e.Name()
	if p := formatPayload(e.Value); p != "" {
		s += "(" + p + ")"
	}
	return s
}

// formatPayload prints a payload without Go type noise: options as their
// value or none, records as their fields.
func formatPayload(v any) string {
	switch p := v.(type) {
	case nil:
		return ""
	case abi.Option:
		if !p.Some {
			return "none"
		}
		return formatPayload(p.Value)
	case abi.Record:
		parts := make([]string, len(p))
		for i, f := range p {
			parts[i] = formatPayload(f)
		}
		return strings.Join(parts, ", ")
	case string:
		return fmt.Sprintf("%q", p)
	}
	return fmt.Sprint(v)
}

// Status is the HTTP status a server should answer when a guest reports
// this error instead of a response: the client's fault where the code says
// so, a gateway error for failures of an upstream the guest talked to, and
// 500 for the rest.
func (e *HTTPErrorCode) Status() int {
	switch e.Case {
	case codeHTTPRequestBodySize:
		return http.StatusRequestEntityTooLarge
	case codeHTTPRequestLengthReq:
		return http.StatusLengthRequired
	case codeHTTPRequestURITooLong:
		return http.StatusRequestURITooLong
	case codeHTTPRequestHeaderSection, codeHTTPRequestHeaderSize,
		codeHTTPRequestTrailerSect, codeHTTPRequestTrailerSize:
		return http.StatusRequestHeaderFieldsTooLarge
	case codeHTTPRequestMethodInvalid, codeHTTPRequestURIInvalid:
		return http.StatusBadRequest
	case codeDNSTimeout, codeConnectionTimeout, codeConnectionReadTimeout,
		codeConnectionWriteTimeout, codeHTTPResponseTimeout:
		return http.StatusGatewayTimeout
	case codeHTTPRequestDenied, codeInternalError, codeConfigurationError:
		return http.StatusInternalServerError
	}
	if e.Case < uint32(len(errorCodeNames)) {
		// DNS, destination, connection, TLS, HTTP-response-*, protocol and
		// loop errors: the upstream failed.
		return http.StatusBadGateway
	}
	return http.StatusInternalServerError
}

func httpCode(c uint32, payload any) *HTTPErrorCode { return &HTTPErrorCode{Case: c, Value: payload} }

func internalError(msg string) *HTTPErrorCode { return httpCode(codeInternalError, abi.Some(msg)) }

// variant returns the value to hand to the guest.
func (e *HTTPErrorCode) variant() abi.Variant { return abi.Variant(*e) }

// liftErrorCode reads an error-code the guest passed.
func liftErrorCode(v any) (*HTTPErrorCode, error) {
	switch c := v.(type) {
	case abi.Variant:
		if int(c.Case) >= len(errorCodeNames) {
			return nil, fmt.Errorf("wasi:http: error-code case %d out of range", c.Case)
		}
		e := HTTPErrorCode(c)
		return &e, nil
	case *HTTPErrorCode:
		return c, nil
	}
	return nil, fmt.Errorf("wasi:http: error-code is %T, want a variant", v)
}

// httpStreamError marks an error of a wasi:http body stream, so that
// http-error-code recognises it and leaves other streams' errors alone.
type httpStreamError struct{ err error }

func (e *httpStreamError) Error() string { return e.err.Error() }
func (e *httpStreamError) Unwrap() error { return e.err }

// httpErrorCode classifies the host error behind a stream's io-error; nil
// when it is not an HTTP error.
func httpErrorCode(err error) *HTTPErrorCode {
	var code *HTTPErrorCode
	if errors.As(err, &code) {
		return code
	}
	var hs *httpStreamError
	if !errors.As(err, &hs) {
		return nil
	}
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return httpCode(codeHTTPRequestBodySize, abi.Some(uint64(tooBig.Limit)))
	case errors.Is(err, http.ErrContentLength):
		return httpCode(codeHTTPResponseBodySize, abi.None)
	}
	return internalError(err.Error())
}

func httpErrorCodeFunc() Func {
	return func(_ context.Context, _ *State, args []any) (any, error) {
		e, err := arg[*Error](args, 0)
		if err != nil {
			return nil, err
		}
		if code := httpErrorCode(e.err); code != nil {
			return abi.Some(code.variant()), nil
		}
		return abi.None, nil
	}
}
