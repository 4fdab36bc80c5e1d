#!/usr/bin/env bash
# Consumer tests: the package as `npm pack` makes it (its prepack builds it, so no prior
# `npm run build` is needed), checked as dual ESM/CommonJS package authors check theirs
# (publint, and attw on the tarball), then installed into scratch apps made like the Nest
# CLI's starters, which take their setup files from the README's marked snippets
# (snippets.mjs) and keep only what the README does not show (controller, service, views,
# their own extra tests):
#   nest12-esm                 Nest 12 starter: ESM, Vitest, oxlint, TypeScript 6; hbs
#   nest12-express-handlebars  the same with express-handlebars
#   nest12-cjs                 the Nest 12 starter switched to CommonJS (Vitest); hbs
#   nest11-cjs                 Nest 11 starter: CommonJS, Jest, ESLint + Prettier, TypeScript 5; hbs
#   nest11-express-handlebars  the same with express-handlebars
#   nest12-fastify             Nest 12 ESM on Fastify with @fastify/view and @fastify/static
#   nest12-fastify-cjs         the same in CommonJS
# Each app installs what the README's Install says, runs its starter's own lint (no
# warnings, no fixes left to make), tsc (its build, and its tests type-checked), unit and
# e2e tests, and its build is started and asked for its page twice (late, then early).
# Jest-shaped JSON summaries ({ numPassedTests, numFailedTests }) go to the results folder.
# From the same registry the project installs from; no npm flags beyond quiet output.
# Usage: bash test/consumers/run.sh [results-dir] [app...]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
results="${1:-$(mktemp -d)}"
shift || true
apps=("$@")
[ "${#apps[@]}" -gt 0 ] || apps=(nest12-esm nest12-express-handlebars nest12-cjs nest11-cjs nest11-express-handlebars nest12-fastify nest12-fastify-cjs)
mkdir -p "$results"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# A summary in the shape .ci/run adds up: one test per named check.
summary() { # file name:status...
  local file="$1"
  shift
  node -e '
    const checks = process.argv.slice(2).map((arg) => ({ name: arg.slice(0, arg.lastIndexOf(":")), passed: arg.endsWith(":0") }));
    const failed = checks.filter((check) => !check.passed).length;
    require("fs").writeFileSync(process.argv[1], JSON.stringify({ numPassedTests: checks.length - failed, numFailedTests: failed, testResults: checks }, null, 2));
  ' "$file" "$@"
}

# What npm pack makes (prepack runs `npm run build`); its build output goes to the log, the tarball's name is read from --json.
(cd "$root" && npm pack --json --pack-destination "$work" > "$work/pack.json")
tarball="$work/$(node -p 'require(process.argv[1])[0].filename' "$work/pack.json")"
echo "Packed $(basename "$tarball"): $(node -p 'const p = require(process.argv[1])[0]; `${p.entryCount} files`' "$work/pack.json")"

# The package's exports, types and files as npm, Node and TypeScript read them.
publint=0
(cd "$root" && npx --no-install publint run "$tarball" --strict) || publint=$?
attw=0
(cd "$root" && npx --no-install attw "$tarball") || attw=$?
summary "$results/package-checks.json" "publint --strict:$publint" "attw (are the types wrong):$attw"
status=0
[ "$publint" -eq 0 ] && [ "$attw" -eq 0 ] || status=1

quiet=(--no-audit --no-fund --loglevel=error)
for app in "${apps[@]}"; do
  started=$SECONDS
  dir="$work/$app"
  cp -R "$here/$app" "$dir"
  # The hints test is the same in every app of a platform (shared/): written with ESM's
  # import suffixes, which a CommonJS app (no "type": "module") leaves off.
  mkdir -p "$dir/test"
  platform=express
  case "$app" in *fastify*) platform=fastify ;; esac
  if grep -q '"type": "module"' "$dir/package.json"; then
    cp "$here/shared/hints.$platform.e2e-spec.ts" "$dir/test/hints.e2e-spec.ts"
  else
    sed "s#\(from '\./\.\./src/[^']*\)\.js'#\1'#" "$here/shared/hints.$platform.e2e-spec.ts" > "$dir/test/hints.e2e-spec.ts"
  fi
  # The Nest 11 starter's ESLint config, kept under another name in the repository (see the file).
  [ -f "$dir/starter.eslint.config.mjs" ] && mv "$dir/starter.eslint.config.mjs" "$dir/eslint.config.mjs"
  node "$here/snippets.mjs" "$root/README.md" "$work" "$app"
  echo "== $app: install, lint, build, test"
  install=0 lint=0 build=0 typecheck=0
  (
    cd "$dir"
    # What the README's Install says, with the tarball standing in for the registry's copy.
    case "$app" in
      *fastify*) npm install "${quiet[@]}" "$tarball" @fastify/view @fastify/static handlebars ;;
      *express-handlebars*) npm install "${quiet[@]}" "$tarball" express-handlebars handlebars ;;
      *)
        npm install "${quiet[@]}" "$tarball" hbs
        npm install "${quiet[@]}" -D @types/hbs
        ;;
    esac
  ) || install=$?
  if [ "$install" -ne 0 ]; then
    summary "$results/$app-run.json" "install:$install"
    echo "$app: install failed" >&2
    status=1
    continue
  fi
  # The starter's own lint, as its package.json runs it; a fix it had to make (the Nest 11
  # starter's ESLint runs with --fix) or a warning is a README snippet to correct.
  before="$(cd "$dir" && find src test -type f -print0 | sort -z | xargs -0 sha1sum)"
  if grep -q '"oxlint"' "$dir/package.json"; then
    (cd "$dir" && npm run lint -- --deny-warnings) || lint=$?
  else
    (cd "$dir" && npm run lint -- --max-warnings=0) || lint=$?
  fi
  after="$(cd "$dir" && find src test -type f -print0 | sort -z | xargs -0 sha1sum)"
  if [ "$before" != "$after" ]; then
    echo "$app: the lint rewrote files (a README snippet is not formatted as the starter's Prettier wants):" >&2
    diff <(echo "$before") <(echo "$after") >&2 || true
    [ "$lint" -ne 0 ] || lint=1
  fi
  (cd "$dir" && npm run build) || build=$?
  # The build leaves out the tests; tsc checks them too, with the app's tsconfig.json.
  (cd "$dir" && npx --no-install tsc -p tsconfig.json --noEmit --incremental false) || typecheck=$?
  summary "$results/$app-checks.json" "install:0" "lint:$lint" "build:$build" "tsc over src and test:$typecheck"
  [ "$lint" -eq 0 ] && [ "$build" -eq 0 ] && [ "$typecheck" -eq 0 ] || status=1
  # Each app's own test commands, asked for a JSON summary in its runner's own way.
  for suite in unit e2e; do
    script=test
    [ "$suite" = e2e ] && script=test:e2e
    out="$results/$app-$suite.json"
    if grep -q '"vitest"' "$dir/package.json"; then
      args=(--reporter=default --reporter=json "--outputFile.json=$out")
    else
      args=(--json "--outputFile=$out")
    fi
    (cd "$dir" && npm run "$script" -- "${args[@]}") || status=1
  done
  if [ "$build" -eq 0 ]; then
    node "$here/check-running-app.mjs" "$dir" "$results/$app-run.json" || status=1
  else
    summary "$results/$app-run.json" "build to start:$build"
  fi
  echo "== $app: $((SECONDS - started)) s"
done
exit "$status"
