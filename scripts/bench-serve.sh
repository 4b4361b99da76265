#!/usr/bin/env bash
# Serves the same backend components with `bigband-dev serve` and with
# `jco serve` (the Node host the original bigband used), plus a native Go
# net/http handler returning the same body, and loads each with
# tools/loadgen on GET /hello. Prints a markdown table for BENCHMARKS.md.
# First, the Go example backend (examples/go/backend, built with the Go
# guest library) on GET /items next to native Go serving the same body and
# the C backend fixture (GET /hello, a body of the same size).
#
#   scripts/bench-serve.sh [DURATION] [CONCURRENCY] [go]
#
# With "go" as the third argument only those first rows run.
#
# Needs the npm tools of tools/js (tools/install-fixture-tools.sh) for the
# jco rows; everything listens on 127.0.0.1 only and is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${1:-10s}
CONC=${2:-32}
ONLY=${3:-}
BIN=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; pkill -P $$ 2>/dev/null || true; rm -rf "$BIN"' EXIT
go build -o "$BIN/bigband-dev" ./cmd/bigband-dev
go build -o "$BIN/loadgen" ./tools/loadgen
GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o "$BIN/go-backend.wasm" ./examples/go/backend

wait_up() { for _ in $(seq 1 300); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done; echo "server at $1 did not come up" >&2; return 1; }
measure() { "$BIN/loadgen" -url "$2" -c "$CONC" -d "$DUR" -label "$1"; }

echo "| server | req/s | p50 | p99 | errors |"
echo "|---|---:|---:|---:|---:|"

"$BIN/loadgen" -native 127.0.0.1:7100 & wait_up http://127.0.0.1:7100/hello
measure "native Go net/http" http://127.0.0.1:7100/hello
measure "native Go net/http GET /items (the Go example's body)" http://127.0.0.1:7100/items
kill %1; wait %1 2>/dev/null || true

serve_and_measure() { # label port path guest [serve flags...]
  local label=$1 port=$2 path=$3 guest=$4; shift 4
  "$BIN/bigband-dev" serve --addr 127.0.0.1:$port "$@" "$guest" 2>/dev/null &
  local pid=$!
  wait_up http://127.0.0.1:$port$path
  measure "$label" http://127.0.0.1:$port$path
  kill $pid; wait $pid 2>/dev/null || true
}
serve_and_measure "bigband-dev serve, Go example backend GET /items (examples/go/backend)" 7110 /items "$BIN/go-backend.wasm"
serve_and_measure "bigband-dev serve, C backend GET /hello (fixtures/guests/c/backend)" 7111 /hello fixtures/guests/c/backend/backend.wasm
[ "$ONLY" = go ] && exit 0

port=7101
# The JS backend uses the incomingHandler export, which can serve several
# requests per instance, so it is measured both ways: a fresh instance per
# request (the default for componentize-js guests, needed by fetch-event
# style ones) and reused instances.
for run in "fixtures/guests/c/backend/backend.wasm" "fixtures/guests/js/backend/backend.wasm" "fixtures/guests/js/backend/backend.wasm --reuse always"; do
  set -- $run
  guest=$1; shift
  "$BIN/bigband-dev" serve --addr 127.0.0.1:$port "$@" "$guest" 2>/dev/null &
  pid=$!
  wait_up http://127.0.0.1:$port/hello
  measure "bigband-dev serve $* $guest" http://127.0.0.1:$port/hello
  kill $pid; wait $pid 2>/dev/null || true
  port=$((port+1))
done

JCO=tools/js/node_modules/@bytecodealliance/jco/dist/jco.js
if [ -f "$JCO" ]; then
  guest=fixtures/guests/js/backend/backend.wasm
  for mode in "--isolate-requests instance" ""; do
    node --import ./tools/js/preopen.mjs "$JCO" serve --host 127.0.0.1 --port $port $mode "$guest" >/dev/null 2>&1 &
    pid=$!
    wait_up http://127.0.0.1:$port/hello
    measure "jco serve ${mode:-(one reused instance)} $guest" http://127.0.0.1:$port/hello
    kill $pid; pkill -P $pid 2>/dev/null || true; wait $pid 2>/dev/null || true
    port=$((port+1))
  done
else
  echo "| jco serve | (not installed: run tools/install-fixture-tools.sh) | | | |"
fi
