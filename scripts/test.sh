#!/usr/bin/env bash
# `pnpm test`: everything CI checks, from a fresh clone, with no manual step:
# install -> contracts fresh -> types -> lint -> PostgreSQL/Redis/Kafka up -> unit + integration tests.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
started=$SECONDS

log "install"; ensure_install
log "contracts up to date"; bash scripts/gen-contracts.sh --check
log "type check"; tsc -p tsconfig.json
log "lint"; eslint --max-warnings=0 . && prettier --check --log-level warn .

if use_infra_script; then
  log "infra up"; bash scripts/infra up >/dev/null
  eval "$(bash scripts/infra env)"
  export TEST_INFRA=env
fi

# helm, kubeconform and the Kubernetes/KEDA schemas for the deployment checks (cached after the
# first run; minutes on a new machine, mostly compiling helm).
log "kubernetes tools"; bash scripts/k8s-tools.sh >/dev/null

log "tests"; vitest run "$@"
log "all green in $((SECONDS - started)) s"
