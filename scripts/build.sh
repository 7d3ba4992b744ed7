#!/usr/bin/env bash
# `pnpm build`: there is no compile step (Node 24 runs the .ts sources, docs/adr/0001), so a build
# verifies what would otherwise break at run time: generated contracts fresh, types check.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ensure_install
bash scripts/gen-contracts.sh --check
tsc -p tsconfig.json
log "build ok: contracts fresh, types check"
