{{/*
The ConfigMap data of one service, as sorted KEY: "value" lines: shared settings, ports, shutdown
timings, Kafka, gRPC targets, then the service's own `config` (which wins).
*/}}
{{- define "mealpeak.env" -}}
{{- $root := .root -}}
{{- $svc := index $root.Values.services .name -}}
{{- $env := dict
  "NODE_ENV" $root.Values.nodeEnv
  "LOG_LEVEL" $root.Values.logLevel
  "OTEL_SERVICE_NAME" .name
  "OPS_PORT" (int $svc.ports.ops)
  "SHUTDOWN_TIMEOUT_MS" (int $root.Values.shutdown.timeoutMs)
  "SHUTDOWN_DRAIN_DELAY_MS" (int $root.Values.shutdown.drainDelayMs)
-}}
{{- if $root.Values.nodeOptions -}}
{{- $_ := set $env "NODE_OPTIONS" $root.Values.nodeOptions -}}
{{- end -}}
{{- if $root.Values.telemetry.otlpEndpoint -}}
{{- $_ := set $env "OTEL_EXPORTER_OTLP_ENDPOINT" $root.Values.telemetry.otlpEndpoint -}}
{{- end -}}
{{- if eq $svc.protocol "http" -}}
{{- $_ := set $env "HTTP_PORT" (int $svc.ports.http) -}}
{{- else -}}
{{- $_ := set $env "GRPC_PORT" (int $svc.ports.grpc) -}}
{{- end -}}
{{- if hasKey $svc.secretEnv "REDIS_URL" -}}
{{- $_ := set $env "REDIS_KEY_PREFIX" $root.Values.redisKeyPrefix -}}
{{- end -}}
{{- if $svc.kafka -}}
{{- $_ := set $env "KAFKA_BROKERS" $root.Values.kafka.brokers -}}
{{- $_ := set $env "KAFKA_TOPIC_PREFIX" $root.Values.kafka.topicPrefix -}}
{{- end -}}
{{- range $var, $target := $svc.grpcTargets -}}
{{- $_ := set $env $var (include "mealpeak.grpcTarget" (dict "root" $root "name" $.name "target" $target)) -}}
{{- end -}}
{{- $env = merge (deepCopy ($svc.config | default dict)) $env -}}
{{- range $key := keys $env | sortAlpha }}
{{ $key }}: {{ index $env $key | toString | quote }}
{{- end -}}
{{- end -}}
