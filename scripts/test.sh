#!/usr/bin/env bash
# `pnpm test`: everything CI checks, from a fresh clone, with no manual step:
# install -> contracts fresh -> types -> lint -> PostgreSQL/Redis/Kafka up -> unit + integration tests
# -> k6 smoke with chaos (docs/loadtesting.md). Arguments go to vitest and skip the smoke (`pnpm test libs/core`).
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

# k6 for the smoke (built from the Go module proxy, cached in .tools; ~1.5 min on a new machine).
if [[ $# -eq 0 ]]; then log "k6"; bash scripts/k6.sh >/dev/null; fi

log "tests"; vitest run "$@"

# The spike-test scripts against the real stack, so they never rot: the whole customer/merchant/
# rider mix at a low rate, same thresholds and business check as `pnpm loadtest:lunch` (~80 s),
# on two replicas of each service while one replica of each is SIGKILLed in turn (--chaos): no
# order lost, doubled or stuck when any one process crashes. Same servers as the tests above
# (PG_URL/REDIS_URL/KAFKA_BROKERS are exported by now).
if [[ $# -eq 0 ]]; then
  log "k6 smoke with chaos"; bash loadtest/run/loadtest.sh smoke --chaos 10
fi
log "all green in $((SECONDS - started)) s"
