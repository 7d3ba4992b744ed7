#!/usr/bin/env bash
# Offline checks of everything under deploy/ and the images (CI runs this through
# deploy/test/k8s-validate.test.ts, inside `pnpm test`):
#   1. helm lint --strict of the chart with the dev and the prod values (values.schema.json included)
#   2. helm template for both, then kubeconform -strict against the JSON Schemas of Kubernetes and of
#      the KEDA / prometheus-operator CRDs (scripts/k8s-tools.sh): an unknown or misspelt field fails
#   3. deploy/rendered/ is what the chart renders now (scripts/k8s-render.sh rewrites it), and the
#      cluster add-on manifests of deploy/cluster/ validate too
#   4. the PromQL of the alert rules and of every dashboard panel (deploy/tools/promcheck)
#   5. hadolint on the services' Dockerfiles; docker-compose.yml loaded as `docker compose` would
#      (deploy/tools/composecheck)
# Exits non-zero on the first failing step.
#
#   scripts/k8s-validate.sh                  everything above
#   scripts/k8s-validate.sh --files F...     only kubeconform, on the given manifests
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
eval "$(bash scripts/k8s-tools.sh --env)"

chart=deploy/helm/mealpeak
environments=(dev prod)

say() { printf '\033[1m[k8s-validate]\033[0m %s\n' "$*" >&2; }

kubeconform_strict() {
  "$KUBECONFORM" -strict -summary -output text \
    -kubernetes-version "$KUBERNETES_VERSION" \
    -schema-location "$K8S_SCHEMA_LOCATION" \
    -schema-location "$CRD_SCHEMA_LOCATION" \
    "$@"
}

if [[ "${1:-}" == "--files" ]]; then
  shift
  [[ $# -gt 0 ]] || {
    say "--files needs at least one manifest"
    exit 2
  }
  kubeconform_strict "$@"
  exit
fi

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

for env in "${environments[@]}"; do
  # prod.yaml has no image tag (the install gives it; the chart refuses production without one).
  args=()
  [[ "$env" == prod ]] && args=(--set "image.tag=$RENDER_IMAGE_TAG")
  say "helm lint ($env)"
  "$HELM" lint "$chart" --strict --quiet --kube-version "$KUBERNETES_VERSION" -f "deploy/values/$env.yaml" "${args[@]}" >"$out/lint-$env.txt" 2>&1 || {
    cat "$out/lint-$env.txt" >&2
    exit 1
  }
  say "helm template ($env)"
  "$HELM" template mealpeak "$chart" --namespace "mealpeak-$env" --kube-version "$KUBERNETES_VERSION" \
    -f "deploy/values/$env.yaml" "${args[@]}" >"$out/$env.yaml"
  say "kubeconform -strict ($env, Kubernetes $KUBERNETES_VERSION, KEDA $KEDA_VERSION, prometheus-operator $PROMETHEUS_OPERATOR_VERSION)"
  kubeconform_strict "$out/$env.yaml"
done

say "deploy/rendered is up to date"
bash scripts/k8s-render.sh --check

say "kubeconform -strict (deploy/cluster manifests)"
kubeconform_strict deploy/cluster/overprovisioning.yaml

say "alert rules and dashboards (PromQL)"
"$PROMCHECK" -rules "$chart/files/prometheus/rules.yaml" "$chart"/files/dashboards/*.json

say "hadolint services/*/Dockerfile"
"$HADOLINT" --no-color --config deploy/hadolint.yaml services/*/Dockerfile

say "docker-compose.yml"
"$COMPOSECHECK" docker-compose.yml

say "all deployment checks passed"
