#!/usr/bin/env bash
# TypeScript types for the front-end contract (graphql-codegen: typescript + typescript-operations).
#
#   frontend-contracts/codegen/run.sh           regenerate frontend-contracts/types/{metadata,workspace}.ts
#   frontend-contracts/codegen/run.sh --check   regenerate into a temp dir, fail on any difference with
#                                               the committed files (what CI runs)
#
# Both modes install the locked packages (npm ci) when node_modules is missing or older than
# package-lock.json, and type-check the generated files with the pinned `tsc --noEmit`.
# Inputs: ../metadata.graphql, ../workspace.graphql, ../operations/{metadata,workspace}.*.graphql.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
types=$(cd "$here/../types" 2>/dev/null && pwd || echo "$here/../types")
check=false
case "${1:-}" in
  "") ;;
  --check) check=true ;;
  *)
    echo "usage: $0 [--check]" >&2
    exit 2
    ;;
esac

cd "$here"
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

files=(metadata.ts workspace.ts)
if $check; then
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
  CODEGEN_OUT_DIR="$out" node_modules/.bin/graphql-codegen --config codegen.mjs
  status=0
  for f in "${files[@]}"; do
    if [[ ! -f "$types/$f" ]]; then
      echo "frontend-contracts/types/$f is missing" >&2
      status=1
    elif ! diff -u "$types/$f" "$out/$f" >&2; then
      status=1
    fi
  done
  if [[ $status -ne 0 ]]; then
    echo "frontend-contracts/types/ is out of date: run frontend-contracts/codegen/run.sh and commit the result" >&2
    exit 1
  fi
else
  node_modules/.bin/graphql-codegen --config codegen.mjs
fi

node_modules/.bin/tsc --noEmit -p tsconfig.json
echo "frontend-contracts/types: ${files[*]} up to date and type-checked"
