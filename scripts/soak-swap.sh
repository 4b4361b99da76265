#!/bin/sh
# The swap soak of issue 9: `bigband-dev serve --watch` swapped 1,000 times
# between two C builds and 50 times between two JS builds, with a request
# after each swap; prints serve's RSS after the first few swaps and after
# the last, and the ratio (goal: within 20 %). Takes several minutes.
#
#   scripts/soak-swap.sh                 # 1,000 C swaps, 50 JS swaps
#   BIGBAND_SOAK_C=100 BIGBAND_SOAK_JS=10 scripts/soak-swap.sh
#   BIGBAND_SOAK_UNIQUE=1 scripts/soak-swap.sh   # every swap a new build
#
# Extra arguments go to `go test` (e.g. -hostile.report soak.md).
set -eu
cd "$(dirname "$0")/.."
BIGBAND_SOAK=1 exec go test ./fixtures/hostile -run '^TestSoakSwap$' -count=1 -v -timeout 2h "$@"
