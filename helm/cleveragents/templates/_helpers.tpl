{{/* The chart's name, shortened to what Kubernetes names allow. */}}
{{- define "cleveragents.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's resources are named after the release, or fullnameOverride. */}}
{{- define "cleveragents.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "cleveragents.selectorLabels" -}}
app.kubernetes.io/name: {{ include "cleveragents.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "cleveragents.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "cleveragents.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: cleveragents
{{- end }}

{{- define "cleveragents.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{- define "cleveragents.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "cleveragents.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* http or https, for probes and the ServiceMonitor. */}}
{{- define "cleveragents.scheme" -}}
{{- if .Values.tls.enabled }}HTTPS{{ else }}HTTP{{ end }}
{{- end }}

{{/*
The server's configuration file (mounted from the ConfigMap): the operator's `config` values,
then what the chart owns (bind address, port, TLS or a TLS proxy in front, JSON logs, migrations).
*/}}
{{- define "cleveragents.configFile" -}}
{{- $owned := dict
  "mode" "production"
  "http" (dict "host" "0.0.0.0" "port" (int .Values.containerPort) "behindTlsProxy" (not .Values.tls.enabled))
  "database" (dict "migrateOnStart" (not .Values.migrations.job))
  "log" (dict "format" "json")
  "shutdown" (dict "gracePeriodSeconds" (int .Values.shutdownGracePeriodSeconds))
-}}
{{- $config := mustMergeOverwrite (deepCopy .Values.config) $owned -}}
{{- toYaml $config }}
{{- end }}

{{/*
Environment shared by the server and the migration job: secrets come from existing Secrets,
never from values.
*/}}
{{- define "cleveragents.secretEnv" -}}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ required "secrets.databaseUrl.name is required: a Secret holding the PostgreSQL URL" .Values.secrets.databaseUrl.name }}
      key: {{ .Values.secrets.databaseUrl.key }}
{{- end }}

{{- define "cleveragents.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.securityContext.runAsUser }}
runAsGroup: {{ .Values.securityContext.runAsGroup }}
fsGroup: {{ .Values.securityContext.runAsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "cleveragents.containerSecurityContext" -}}
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
runAsNonRoot: true
runAsUser: {{ .Values.securityContext.runAsUser }}
runAsGroup: {{ .Values.securityContext.runAsGroup }}
capabilities:
  drop: [ALL]
{{- end }}
