#!/usr/bin/env bash
# Generates libs/contracts/src/gen from proto/ (buf + ts-proto, both from node_modules: offline).
# --check regenerates into a scratch folder and fails if the committed code differs (stale contracts).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root/proto"
buf="$root/node_modules/.bin/buf"
gen="$root/libs/contracts/src/gen"

"$buf" lint
if [[ "${1:-}" == "--check" ]]; then
  scratch="$(mktemp -d)"
  trap 'rm -rf "$scratch"' EXIT
  # Same template, output redirected into the scratch folder.
  produced="$scratch/gen"
  sed "s|out: ../libs/contracts/src/gen|out: $produced|" buf.gen.yaml >"$scratch/buf.gen.yaml"
  "$buf" generate --template "$scratch/buf.gen.yaml"
  "$root/node_modules/.bin/prettier" --config "$root/.prettierrc.json" --log-level warn --write "$produced" >/dev/null
  if ! diff -r -q "$produced" "$gen" >/dev/null; then
    diff -r "$produced" "$gen" | head -40 >&2 || true
    echo "gen:check: libs/contracts/src/gen is stale; run 'pnpm gen' and commit the result" >&2
    exit 1
  fi
  echo "gen:check: contracts are up to date"
else
  rm -rf "$gen"
  "$buf" generate --template buf.gen.yaml
  "$root/node_modules/.bin/prettier" --config "$root/.prettierrc.json" --log-level warn --write "$gen" >/dev/null
  echo "gen: wrote $gen"
fi
