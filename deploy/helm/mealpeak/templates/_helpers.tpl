{{/*
Names, labels and the small computations every per-service template shares. Templates loop over
the services with `include "mealpeak.services" .`, which yields the enabled ones in a fixed order.
*/}}

{{- define "mealpeak.fullname" -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Resource name of one service: <fullname>-<service>. Context: dict "root" $ "name" $name. */}}
{{- define "mealpeak.name" -}}
{{- printf "%s-%s" (include "mealpeak.fullname" .root) .name -}}
{{- end -}}

{{/* Enabled services, in a stable order, as a JSON list (templates: fromJsonArray). */}}
{{- define "mealpeak.services" -}}
{{- $names := list -}}
{{- range $name := list "gateway" "order" "merchant" "rider-dispatch" -}}
{{- $svc := index $.Values.services $name -}}
{{- if $svc.enabled -}}
{{- $names = append $names $name -}}
{{- end -}}
{{- end -}}
{{- toJson $names -}}
{{- end -}}

{{- define "mealpeak.selectorLabels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{- define "mealpeak.labels" -}}
{{ include "mealpeak.selectorLabels" . }}
app.kubernetes.io/component: {{ .name }}
app.kubernetes.io/part-of: mealpeak
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end -}}

{{/* Labels of chart-wide resources (Secret, PrometheusRule, dashboards). */}}
{{- define "mealpeak.commonLabels" -}}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: mealpeak
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/*
<registry>/<service>:<tag>. An empty image.tag falls back to the chart's appVersion outside
production only: in production that fallback is a release nobody chose (the appVersion is not
bumped per release), so a `helm upgrade` that forgot the tag, such as one raising a replica count
at the peak, would roll every service back to it or into ImagePullBackOff. Refused instead.
Context: dict "root" $ "name" $name.
*/}}
{{- define "mealpeak.image" -}}
{{- $tag := .root.Values.image.tag -}}
{{- if and (not $tag) (eq .root.Values.nodeEnv "production") -}}
{{- fail (printf "image.tag is empty: with nodeEnv production the chart does not fall back to its appVersion (%s), which would roll every service to an image nobody released. Give the running release's tag on every install and upgrade (--set image.tag=<release>; `helm get values <release>` shows it), or, to change one value of a running release, `helm upgrade --reuse-values --set ...` from a checkout of that release's own chart (from a newer chart: --reset-then-reuse-values; docs/operations.md, Changing a value in an incident)" .root.Chart.AppVersion) -}}
{{- end -}}
{{- printf "%s/%s:%s" .root.Values.image.registry .name (default .root.Chart.AppVersion $tag) -}}
{{- end -}}

{{- define "mealpeak.secretName" -}}
{{- default (printf "%s-secrets" (include "mealpeak.fullname" .)) .Values.secrets.existingSecret -}}
{{- end -}}

{{/* dns:/// target of a gRPC service: grpc-js resolves every pod IP behind the headless Service. */}}
{{- define "mealpeak.grpcTarget" -}}
{{- $target := index .root.Values.services .target -}}
{{- if not $target.enabled -}}
{{- fail (printf "services.%s.grpcTargets points at %s, which is disabled" .name .target) -}}
{{- end -}}
{{- if ne $target.protocol "grpc" -}}
{{- fail (printf "services.%s.grpcTargets points at %s, which does not speak gRPC" .name .target) -}}
{{- end -}}
{{- printf "dns:///%s.%s.svc.%s:%d" (include "mealpeak.name" (dict "root" .root "name" .target)) .root.Release.Namespace .root.Values.clusterDomain (int $target.ports.grpc) -}}
{{- end -}}

{{/*
The shutdown timings one service runs with, as JSON {"timeoutMs", "drainDelayMs"}: .Values.shutdown,
unless the service's `config` sets SHUTDOWN_TIMEOUT_MS or SHUTDOWN_DRAIN_DELAY_MS (its ConfigMap
lets `config` win, so the process runs with those). The drain delay is spent inside the timeout
(readiness off, wait, then the shutdown steps): at or above it, nothing is left to drain with.
Context: dict "root" $ "name" $name.
*/}}
{{- define "mealpeak.shutdown" -}}
{{- $s := .root.Values.shutdown -}}
{{- $config := (index .root.Values.services .name).config | default dict -}}
{{- $out := dict "timeoutMs" (int $s.timeoutMs) "drainDelayMs" (int $s.drainDelayMs) -}}
{{- $from := dict "timeoutMs" "shutdown.timeoutMs" "drainDelayMs" "shutdown.drainDelayMs" -}}
{{- range $key, $var := dict "timeoutMs" "SHUTDOWN_TIMEOUT_MS" "drainDelayMs" "SHUTDOWN_DRAIN_DELAY_MS" -}}
{{- if hasKey $config $var -}}
{{- $value := index $config $var | toString -}}
{{- $_ := set $from $key (printf "services.%s.config.%s" $.name $var) -}}
{{- if not (regexMatch "^[0-9]+$" $value) -}}
{{- fail (printf "%s must be a whole number of milliseconds, not %q" (index $from $key) $value) -}}
{{- end -}}
{{- $_ := set $out $key (atoi $value) -}}
{{- end -}}
{{- end -}}
{{- if ge (int $out.drainDelayMs) (int $out.timeoutMs) -}}
{{- fail (printf "%s (%d) must be below %s (%d): the drain delay is spent inside the shutdown timeout, and would leave no time to drain" $from.drainDelayMs (int $out.drainDelayMs) $from.timeoutMs (int $out.timeoutMs)) -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}

{{/*
The pod's grace period must cover the preStop sleep plus the whole in-process shutdown
(SHUTDOWN_TIMEOUT_MS, after which close-with-grace exits anyway), or the kubelet kills the process
mid-drain. Computed, not configured, so the two cannot drift apart: from the service's own timeout
when its `config` overrides it. Context: dict "root" $ "name" $name.
*/}}
{{- define "mealpeak.terminationGracePeriodSeconds" -}}
{{- $s := .root.Values.shutdown -}}
{{- $timeoutMs := (include "mealpeak.shutdown" . | fromJson).timeoutMs -}}
{{- $timeoutSeconds := div (add (int $timeoutMs) 999) 1000 -}}
{{- add (int $s.preStopSleepSeconds) $timeoutSeconds (int $s.marginSeconds) -}}
{{- end -}}

{{/*
TRUST_PROXY=uniquelocal (the chart's default for the gateway) believes X-Forwarded-For from any
private address: safe only when nothing but the ingress controller can reach the HTTP port, which
is what networkPolicy.ingressFrom says. In production the chart refuses the keyword while the port
is open to everyone (an empty ingressFrom, or no NetworkPolicy): any pod or host of the private
network could pick its own rate-limit address. An explicit CIDR list is taken as the operator's
decision (the controller's pod range, the documented alternative). Context: dict "root" $ "name" $name.
*/}}
{{- define "mealpeak.checkTrustProxy" -}}
{{- $root := .root -}}
{{- $svc := index $root.Values.services .name -}}
{{- $config := $svc.config | default dict -}}
{{- if and (eq $root.Values.nodeEnv "production") (eq $svc.protocol "http") (hasKey $config "TRUST_PROXY") -}}
{{- $entries := list -}}
{{- range $entry := splitList "," (index $config "TRUST_PROXY" | toString) -}}
{{- $entries = append $entries (trim $entry | lower) -}}
{{- end -}}
{{- $open := or (not $root.Values.networkPolicy.enabled) (not $root.Values.networkPolicy.ingressFrom) -}}
{{- if and (has "uniquelocal" $entries) $open -}}
{{- fail (printf "services.%s.config.TRUST_PROXY includes uniquelocal, but %s: every pod and host of the private network can reach the HTTP port and write its own X-Forwarded-For, so choose its rate-limit address. Set networkPolicy.ingressFrom to the ingress controller (e.g. - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}), or TRUST_PROXY to the controller's pod CIDR (docs/operations.md, Install)" .name (ternary "networkPolicy.ingressFrom is empty (anywhere)" "networkPolicy.enabled is false" $root.Values.networkPolicy.enabled)) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
A Kafka consumer group never has more useful members than its topic has partitions: the replicas a
service with a `kafka` block may reach (autoscaling.maxReplicas, whichever the autoscaler, or
`replicas` without one) must fit. The rollout surge is not counted: its extra member idles only
while a rollout step lasts (as do members still stopping), and counting it would cost the peak
a consumer. Context: dict "root" $ "name" $name.
*/}}
{{- define "mealpeak.checkPartitions" -}}
{{- $svc := index .root.Values.services .name -}}
{{- $partitions := index .root.Values.kafka.partitions $svc.kafka.topic -}}
{{- if not $partitions -}}
{{- fail (printf "services.%s.kafka.topic %s is not listed in kafka.partitions" .name $svc.kafka.topic) -}}
{{- end -}}
{{- if $svc.autoscaling.enabled -}}
{{- if gt (int $svc.autoscaling.maxReplicas) (int $partitions) -}}
{{- fail (printf "services.%s.autoscaling.maxReplicas (%d) exceeds the %d partitions of %s: the extra consumers would sit idle" .name (int $svc.autoscaling.maxReplicas) (int $partitions) $svc.kafka.topic) -}}
{{- end -}}
{{- else if gt (int $svc.replicas) (int $partitions) -}}
{{- fail (printf "services.%s.replicas (%d) exceeds the %d partitions of %s: the extra consumers would sit idle" .name (int $svc.replicas) (int $partitions) $svc.kafka.topic) -}}
{{- end -}}
{{- end -}}
