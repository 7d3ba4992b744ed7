#!/usr/bin/env bash
# `pnpm replicas`: install, start PostgreSQL/Redis/Kafka with the infra script unless PG_URL,
# REDIS_URL and KAFKA_BROKERS point elsewhere, then run the replica mode until Ctrl-C.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ensure_install
if [[ -z "${PG_URL:-}" || -z "${REDIS_URL:-}" || -z "${KAFKA_BROKERS:-}" ]]; then
  log "starting PostgreSQL, Redis and Kafka (scripts/infra up)"
  bash scripts/infra up >/dev/null
  eval "$(bash scripts/infra env)"
fi
# The runtime itself, not the node_modules/.bin/node shell wrapper: signals must reach it.
exec "$(node -p process.execPath)" scripts/replicas.ts "$@"
