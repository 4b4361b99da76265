// Preloaded with `node --import ./preopen.mjs`: jco 1.35 hands file paths to
// its wasm-tools and splicer components, but preview2-shim >= 0.26 gives
// guests no preopens by default, so every path lookup fails with
// "No such file or directory (os error 44)". Preopening "/" fixes that.
import { _setPreopens } from '@bytecodealliance/preview2-shim/filesystem';

_setPreopens({ '/': '/' });
