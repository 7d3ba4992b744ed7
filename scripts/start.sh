#!/usr/bin/env bash
# `pnpm start`: install, then run the whole platform in one process (scripts/platform/local.ts):
# embedded PostgreSQL and in-process stand-ins for Kafka and Redis unless PG_URL, KAFKA_BROKERS
# and REDIS_URL name real servers. Flags pass through, e.g. `pnpm start --demo`.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ensure_install
exec node --import @mealpeak/telemetry/register scripts/platform/local.ts "$@"
