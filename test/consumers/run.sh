#!/usr/bin/env bash
# Consumer tests: the package as npm packs it, installed into scratch apps made like the
# Nest CLI's starters (nest12-esm: ESM, Vitest, TypeScript 6; nest11-cjs: CommonJS,
# Jest, TypeScript 5; nest12-cjs; nest12-fastify: the ESM one on Fastify with @fastify/view), following the README's Install. Each app is built with its own
# tsc, runs its own unit and e2e tests, and its build is started and asked twice for
# its page (late, then early). Jest-shaped JSON summaries go to the results folder.
# From the same registry the project installs from; no npm flags beyond quiet output.
# Usage: bash test/consumers/run.sh [results-dir]     (after npm run build)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
results="${1:-$(mktemp -d)}"
mkdir -p "$results"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [ ! -f "$root/dist/index.js" ] || [ ! -f "$root/dist/cjs/index.js" ]; then
  echo "test/consumers/run.sh: run npm run build first" >&2
  exit 1
fi
tarball="$work/$(cd "$root" && npm pack --silent --pack-destination "$work" 2>/dev/null | tail -n 1)"
echo "Packed $(basename "$tarball")"

quiet=(--no-audit --no-fund --loglevel=error)
status=0
for app in nest12-esm nest11-cjs nest12-cjs nest12-fastify; do
  started=$SECONDS
  dir="$work/$app"
  cp -R "$here/$app" "$dir"
  echo "== $app: install, build, test"
  if ! (
    cd "$dir"
    # What the README's Install says, with the tarball standing in for the registry's copy.
    if [ "$app" = nest12-fastify ]; then
      # The README's Fastify section: @fastify/view with Handlebars (and @fastify/static for the files).
      npm install "${quiet[@]}" "$tarball" @fastify/view @fastify/static handlebars
    else
      npm install "${quiet[@]}" "$tarball" hbs
      npm install "${quiet[@]}" -D @types/hbs
    fi
    npm run build
  ); then
    echo "$app: install or build failed" >&2
    status=1
    continue
  fi
  # Each app's own test commands, asked for a JSON summary in its runner's own way.
  for suite in unit e2e; do
    script=test; [ "$suite" = e2e ] && script=test:e2e
    out="$results/$app-$suite.json"
    if grep -q '"vitest"' "$dir/package.json"; then
      args=(--reporter=default --reporter=json "--outputFile.json=$out")
    else
      args=(--json "--outputFile=$out")
    fi
    (cd "$dir" && npm run "$script" -- "${args[@]}") || status=$?
  done
  node "$here/check-running-app.mjs" "$dir" "$results/$app-run.json" || status=$?
  echo "== $app: $((SECONDS - started)) s"
done
exit "$status"
