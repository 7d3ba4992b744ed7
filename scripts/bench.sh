#!/usr/bin/env bash
# Benchmarks that need the real servers: install, start the infra unless the connection settings
# are already exported, then run the benchmark script with the pinned Node.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ensure_install
if [[ -z "${PG_URL:-}" || -z "${REDIS_URL:-}" || -z "${KAFKA_BROKERS:-}" ]]; then
  bash scripts/infra up >/dev/null
  eval "$(bash scripts/infra env)"
fi
script="$1"; shift
exec node "$script" "$@"
