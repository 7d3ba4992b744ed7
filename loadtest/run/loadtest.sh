#!/usr/bin/env bash
# `pnpm loadtest:<scenario>` (smoke, lunch, soak, breakpoint, abuse): install, build k6 when needed
# (scripts/k6.sh), start PostgreSQL/Redis/Kafka with the infra script unless the platform is remote
# (BASE_URL or --base-url) or PG_URL/REDIS_URL/KAFKA_BROKERS are set, then run the scenario
# (loadtest/run/main.ts; docs/loadtesting.md).
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"
ensure_install
# K6_BIN points at a k6 of your own (docs/loadtesting.md); otherwise the pinned build.
if [[ -z "${K6_BIN:-}" ]]; then K6_BIN="$(bash scripts/k6.sh)"; fi
export K6_BIN
remote=false
[[ -n "${BASE_URL:-}" ]] && remote=true
for arg in "$@"; do [[ $arg == --base-url* ]] && remote=true; done
if [[ $remote == false && ( -z "${PG_URL:-}" || -z "${REDIS_URL:-}" || -z "${KAFKA_BROKERS:-}" ) ]]; then
  log "starting PostgreSQL, Redis and Kafka (scripts/infra up)"
  bash scripts/infra up >/dev/null
  eval "$(bash scripts/infra env)"
fi
# The runtime itself, not the node_modules/.bin/node shell wrapper: signals must reach the runner.
exec "$(node -p process.execPath)" loadtest/run/main.ts "$@"
