#!/usr/bin/env bash
# Runs Twenty's official npm client (twenty-client-sdk) against a real Tessera server.
#
#   tests/client-sdk/run.sh path/to/tessera
#
# Builds nothing: give it a built `tessera` binary (scripts/test passes the debug build). It starts
# `tessera serve` on a fresh SQLite data dir and a free port, creates a workspace, installs the
# locked npm packages when needed, runs `node --test` and stops the server. Exit code = node's.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bin=${1:-${TESSERA_BIN:-}}
if [[ -z "$bin" || ! -x "$bin" ]]; then
  echo "usage: $0 path/to/tessera (not executable: '${bin}')" >&2
  exit 2
fi
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")

data=$(mktemp -d)
server_pid=
# shellcheck disable=SC2329 # called by the EXIT trap
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$data"
}
trap cleanup EXIT

export TESSERA_DATA_DIR="$data/store"
export APP_SECRET="client-sdk-test-secret"
unset DATABASE_URL
mkdir -p "$TESSERA_DATA_DIR"

port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
url="http://127.0.0.1:$port"

"$bin" serve --port "$port" --host 127.0.0.1 >"$data/serve.log" 2>&1 &
server_pid=$!

healthy() {
  node -e "fetch('$url/healthz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
}
for _ in $(seq 1 600); do
  if healthy; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "tessera serve exited before it was healthy:" >&2
    tail -n 40 "$data/serve.log" >&2
    exit 1
  fi
  sleep 0.1
done
if ! healthy; then
  echo "tessera serve not healthy after 60 s:" >&2
  tail -n 40 "$data/serve.log" >&2
  exit 1
fi

created=$("$bin" workspace create --name client-sdk)
token=$(printf '%s\n' "$created" | sed -n 's/^api_key=//p')
if [[ -z "$token" ]]; then
  echo "tessera workspace create printed no api_key line:" >&2
  printf '%s\n' "$created" >&2
  exit 1
fi

cd "$here"
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

status=0
TESSERA_URL="$url" TESSERA_TOKEN="$token" node --test || status=$?
if [[ $status -ne 0 ]]; then
  echo "--- last lines of tessera serve ---" >&2
  tail -n 40 "$data/serve.log" >&2
fi
exit $status
