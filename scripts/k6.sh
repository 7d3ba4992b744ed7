#!/usr/bin/env bash
# Builds the k6 binary the load tests run (.tools/bin/k6, pinned version) and prints its path.
# Idempotent: does nothing when the binary is there and reports the pinned version.
#
#   bash scripts/k6.sh            # build if needed, print the path
#   K6_VERSION=v2.2.0 K6_TOOLS_DIR=/elsewhere bash scripts/k6.sh
#
# Why a throwaway module instead of `go install go.k6.io/k6/v2@v2.2.0`: `go install pkg@version`
# asks the proxy for the module's version list (/@v/list), which the module mirror of our build
# machines answers with 404. Requiring the exact version in a go.mod needs only /@v/<version>.*,
# which works. Needs Go >= 1.25 and the Go module proxy (about 1.5 min cold, see docs/loadtesting.md).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="${K6_VERSION:-v2.2.0}"
tools="${K6_TOOLS_DIR:-$root/.tools}"
bin="$tools/bin/k6"

log() { printf '\033[1m[k6]\033[0m %s\n' "$*" >&2; }

installed_version() { "$bin" version 2>/dev/null | awk '{print $2; exit}'; }

if [[ -x "$bin" && "$(installed_version)" == "$version" ]]; then
  echo "$bin"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  log "Go (>= 1.25) is needed to build k6 $version: install it (Debian: golang from backports, or go.dev/dl) and retry"
  exit 1
fi

build="$tools/k6build"
mkdir -p "$build" "$tools/bin"
cat >"$build/go.mod" <<EOF
module k6build

go 1.25

require go.k6.io/k6/v2 $version
EOF
cat >"$build/tools.go" <<'EOF'
//go:build tools

package tools

import _ "go.k6.io/k6/v2"
EOF
rm -f "$build/go.sum"

log "building k6 $version into $bin (Go module proxy; about 1.5 min on a fresh machine)"
started=$SECONDS
(
  cd "$build"
  GOPROXY="${GOPROXY:-https://proxy.golang.org}" GOFLAGS="-mod=mod -buildvcs=false" CGO_ENABLED=0 \
    go build -trimpath -o "$bin.tmp" go.k6.io/k6/v2
)
mv -f "$bin.tmp" "$bin"
have="$(installed_version)"
if [[ "$have" != "$version" ]]; then
  log "built binary reports '$have', expected $version"
  exit 1
fi
log "k6 $version ready in $((SECONDS - started)) s"
echo "$bin"
