#!/usr/bin/env bash
# Installs what `task fixtures` needs to rebuild the guest fixtures under
# fixtures/guests/: clang 14 + lld + wasi-libc (C guests) and the npm tools pinned in
# tools/js/package-lock.json (jco, componentize-js, preview2-shim). Go comes
# with the project. Not needed to run the tests: the built .wasm are committed.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=""
if [ "$(id -u)" != 0 ]; then sudo=sudo; fi

if ! command -v clang >/dev/null || [ ! -e /usr/lib/wasm32-wasi/libc.a ]; then
  $sudo apt-get update -q
  $sudo apt-get install -y -q --no-install-recommends clang lld wasi-libc libclang-rt-14-dev-wasm32
fi

# npm ci installs exactly the lock file (about a minute, ~340 MB).
(cd tools/js && npm ci --no-audit --no-fund)
