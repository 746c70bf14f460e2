{{/*
The chart name.
*/}}
{{- define "ftps-gateway.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name of the resources: release name plus chart name, truncated to 63 characters (DNS label). Per-pod
Services append "-N", so keep release names short when scaleOut.perPodServices is on.
*/}}
{{- define "ftps-gateway.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := include "ftps-gateway.name" . }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Chart name and version, for the helm.sh/chart label.
*/}}
{{- define "ftps-gateway.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels of every resource.
*/}}
{{- define "ftps-gateway.labels" -}}
helm.sh/chart: {{ include "ftps-gateway.chart" . }}
{{ include "ftps-gateway.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
Labels that select the gateway pods.
*/}}
{{- define "ftps-gateway.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ftps-gateway.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
The ServiceAccount the pods run as.
*/}}
{{- define "ftps-gateway.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "ftps-gateway.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The image reference: [registry/]repository:tag[@digest].
*/}}
{{- define "ftps-gateway.image" -}}
{{- with .Values.image.registry }}{{ . }}/{{ end }}
{{- .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- with .Values.image.digest }}@{{ . }}{{ end }}
{{- end }}

{{/*
The passive port range as JSON {"first": N, "last": M}; fails with a message naming the value when it is wrong.
Service ports, hostPorts, NetworkPolicy, mesh annotations and alerts are all generated from this one value.
*/}}
{{- define "ftps-gateway.passiveRange" -}}
{{- $text := toString .Values.listener.passivePorts }}
{{- if not (regexMatch "^[0-9]{1,5}(-[0-9]{1,5})?$" $text) }}
{{- fail (printf "listener.passivePorts: expected FIRST-LAST, e.g. 30000-30039, got %q" $text) }}
{{- end }}
{{- $parts := splitList "-" $text }}
{{- $first := atoi (first $parts) }}
{{- $last := atoi (last $parts) }}
{{- if or (lt $first 1) (gt $last 65535) (gt $first $last) }}
{{- fail (printf "listener.passivePorts: %q is not a range of ports within 1-65535 (first <= last)" $text) }}
{{- end }}
{{- dict "first" $first "last" $last | toJson }}
{{- end }}

{{/*
Every passive port, one per line.
*/}}
{{- define "ftps-gateway.passivePortList" -}}
{{- $range := include "ftps-gateway.passiveRange" . | fromJson }}
{{- range $port := untilStep (int $range.first) (int (add1 $range.last)) 1 }}
{{ $port }}
{{- end }}
{{- end }}

{{/*
The upstream control port the gateway dials: upstream.port, or 21 (explicit) / 990 (implicit).
*/}}
{{- define "ftps-gateway.upstreamPort" -}}
{{- if .Values.upstream.port }}{{ .Values.upstream.port }}{{ else if eq .Values.upstream.tls "implicit" }}990{{ else }}21{{ end }}
{{- end }}

{{/*
"true" when the upstream CA comes from a Secret or ConfigMap.
*/}}
{{- define "ftps-gateway.caEnabled" -}}
{{- if or .Values.upstream.ca.secretName .Values.upstream.ca.configMapName }}true{{ end }}
{{- end }}

{{/*
Where the upstream CA bundle is mounted, and so the caFile of gateway.yaml.
*/}}
{{- define "ftps-gateway.caFile" -}}
/etc/ftps-gateway/upstream-ca/ca.pem
{{- end }}

{{/*
Where the listener's certificate Secret is mounted: as a whole directory (never subPath), so the kubelet's atomic
symlink swap on rotation (cert-manager renewing the Secret) reaches the files and the gateway's certificate reload
(listeners[].certReloadSeconds) picks the new certificate up for new handshakes.
*/}}
{{- define "ftps-gateway.listenerTlsDir" -}}
/etc/ftps-gateway/listener-tls
{{- end }}

{{/*
The config file the gateway reads: a key of the chart's ConfigMap, or of existingConfig's ConfigMap or Secret.
*/}}
{{- define "ftps-gateway.configFile" -}}
{{- $existing := .Values.existingConfig }}
{{- if or $existing.configMapName $existing.secretName }}
{{- printf "/etc/ftps-gateway/config/%s" $existing.key }}
{{- else if and (eq .Values.mode "gateway") .Values.scaleOut.perPodServices.enabled }}
{{- "/etc/ftps-gateway/config/$(POD_NAME).yaml" }}
{{- else }}
{{- "/etc/ftps-gateway/config/gateway.yaml" }}
{{- end }}
{{- end }}

{{/*
"true" when the rollout uses hostPorts (listener.passiveAddress.source hostIP in gateway mode): one such pod per
node, so a rollout must stop an old pod before it starts a new one.
*/}}
{{- define "ftps-gateway.hostPorts" -}}
{{- $v := .Values }}
{{- if and (eq $v.mode "gateway") (not $v.scaleOut.perPodServices.enabled) (eq $v.listener.passiveAddress.source "hostIP") }}true{{ end }}
{{- end }}

{{/*
Checks that span several values (values.schema.json checks each value alone). Rendered by the ConfigMap, which
exists in both modes, so every install runs them.
*/}}
{{- define "ftps-gateway.validate" -}}
{{- $v := .Values }}
{{- $range := include "ftps-gateway.passiveRange" . | fromJson }}
{{- $first := int $range.first }}
{{- $last := int $range.last }}
{{- $gateway := eq $v.mode "gateway" }}
{{- $perPod := and $gateway $v.scaleOut.perPodServices.enabled }}
{{- if and (ge (int $v.listener.port) $first) (le (int $v.listener.port) $last) }}
{{- fail (printf "listener.port %d lies inside listener.passivePorts %s" (int $v.listener.port) $v.listener.passivePorts) }}
{{- end }}
{{- if and $v.metrics.enabled (or (eq (int $v.metrics.port) (int $v.listener.port)) (and (ge (int $v.metrics.port) $first) (le (int $v.metrics.port) $last))) }}
{{- fail (printf "metrics.port %d collides with listener.port or listener.passivePorts" (int $v.metrics.port)) }}
{{- end }}
{{- if and $gateway (gt (sub $last $first) 98) }}
{{- fail (printf "listener.passivePorts %s has %d ports; a Service takes at most 99 passive ports plus the control port (an EndpointSlice holds at most 100 ports): shorten the range and add replicas (README: Scale-out)" $v.listener.passivePorts (add1 (sub $last $first))) }}
{{- end }}
{{- if and (eq $v.listener.passiveAddress.source "value") (not $v.listener.passiveAddress.value) (not $perPod) (ne $v.mode "sidecar") }}
{{- fail "listener.passiveAddress.source is \"value\" but listener.passiveAddress.value is empty: set the IPv4 address clients reach the Service at" }}
{{- end }}
{{- if and $v.upstream.ca.secretName $v.upstream.ca.configMapName }}
{{- fail "upstream.ca: set secretName or configMapName, not both" }}
{{- end }}
{{- if and $v.existingConfig.configMapName $v.existingConfig.secretName }}
{{- fail "existingConfig: set configMapName or secretName, not both" }}
{{- end }}
{{- if and (or $v.existingConfig.configMapName $v.existingConfig.secretName) $perPod }}
{{- fail "existingConfig cannot be combined with scaleOut.perPodServices: each pod needs its own generated config" }}
{{- end }}
{{- if and $v.listener.certificate.secretName (eq $v.listener.tls "none") }}
{{- fail "listener.certificate.secretName is set but listener.tls is none: set listener.tls explicit or implicit" }}
{{- end }}
{{- $lbPorts := add 1 (add1 (sub $last $first)) }}
{{- if and $gateway (eq $v.service.type "LoadBalancer") (gt (int $v.service.loadBalancerPortLimit) 0) (gt (int $lbPorts) (int $v.service.loadBalancerPortLimit)) }}
{{- fail (printf "a LoadBalancer Service with the control port and listener.passivePorts %s needs %d listeners, above service.loadBalancerPortLimit %d (AWS NLB: 50 listeners per load balancer by default): shorten the range (and add replicas) or raise the limit if your provider allows it" $v.listener.passivePorts (int $lbPorts) (int $v.service.loadBalancerPortLimit)) }}
{{- end }}
{{- if and (include "ftps-gateway.hostPorts" .) $v.strategy.rollingUpdate }}
{{- if eq (toString $v.strategy.rollingUpdate.maxUnavailable) "0" }}
{{- fail "strategy.rollingUpdate.maxUnavailable 0 with listener.passiveAddress.source hostIP: a new pod needs the hostPorts an old pod holds, so with as many replicas as nodes the rollout never finishes; leave strategy empty (maxSurge 0, maxUnavailable 1)" }}
{{- end }}
{{- end }}
{{- if and $v.serviceMonitor.enabled (not $v.metrics.enabled) }}
{{- fail "serviceMonitor.enabled needs metrics.enabled" }}
{{- end }}
{{- if $perPod }}
{{- if ne $v.service.type "LoadBalancer" }}
{{- fail "scaleOut.perPodServices needs service.type LoadBalancer: each pod gets its own address" }}
{{- end }}
{{- if not $v.scaleOut.perPodServices.addresses }}
{{- fail "scaleOut.perPodServices.addresses: give one IPv4 address per pod" }}
{{- end }}
{{- if $v.autoscaling.enabled }}
{{- fail "autoscaling cannot be combined with scaleOut.perPodServices: every pod needs its own address and Service" }}
{{- end }}
{{- else if and $gateway (or (gt (int $v.replicas) 1) $v.autoscaling.enabled) (eq $v.listener.passiveAddress.source "value") }}
{{- fail "more than one replica with listener.passiveAddress.source \"value\": every pod would announce the same Service address, and Kubernetes keeps client-IP affinity per port (kubernetes/kubernetes#103000), so data connections would reach other pods. Use source podIP or hostIP, or scaleOut.perPodServices (README: Scale-out)" }}
{{- end }}
{{- end }}

{{/*
The passive address written into gateway.yaml: 127.0.0.1 in sidecar mode, a per-pod address (.passiveAddress of
the context), or listener.passiveAddress.value. podIP and hostIP come from the Downward API as the environment
override FTPGW_LISTENERS_0_PASSIVEADDRESS instead; auto writes none.
*/}}
{{- define "ftps-gateway.configPassiveAddress" -}}
{{- if eq .Values.mode "sidecar" }}127.0.0.1
{{- else if .passiveAddress }}{{ .passiveAddress }}
{{- else if eq .Values.listener.passiveAddress.source "value" }}{{ .Values.listener.passiveAddress.value }}
{{- end }}
{{- end }}

{{/*
gateway.yaml: generated from the chart's values (listener, upstream, timeouts, metrics, logging), then the
`config:` block laid over it, so every key of the gateway's configuration reference can be given. Lists replace
lists; maps merge key by key (two levels: `upstream.servers`, `limits.maxSessions`, ...), and false or 0 in
`config:` win too. `config.upstreams` replaces the generated `upstream:`; `config.upstream.servers` replaces its
host/port. `config.listeners` may hold one entry, merged into the chart's listener, whose host, port and passive
ports stay the chart's (the Service and container ports follow them). Only keys the gateway knows: it rejects
unknown keys, and the test renders every ci/ scenario through the gateway's own config check.
*/}}
{{- define "ftps-gateway.config" -}}
{{- $v := .Values -}}
{{- $sidecar := eq $v.mode "sidecar" -}}
{{- $listener := dict "name" $v.listener.name "host" (ternary "127.0.0.1" "0.0.0.0" $sidecar) "port" (int $v.listener.port)
    "tls" $v.listener.tls "passivePorts" (toString $v.listener.passivePorts) "allowForeignActive" $v.listener.allowForeignActive }}
{{- with include "ftps-gateway.configPassiveAddress" . }}
{{- $_ := set $listener "passiveAddress" . }}
{{- end }}
{{- if $v.listener.certificate.secretName }}
{{- $_ := set $listener "certFile" (printf "%s/%s" (include "ftps-gateway.listenerTlsDir" .) $v.listener.certificate.certKey) }}
{{- $_ := set $listener "keyFile" (printf "%s/%s" (include "ftps-gateway.listenerTlsDir" .) $v.listener.certificate.keyKey) }}
{{- end }}
{{- if $v.listener.acceptProxyProtocol }}
{{- $_ := set $listener "acceptProxyProtocol" true }}
{{- end }}
{{- with $v.listener.allowClients }}
{{- $_ := set $listener "allowClients" . }}
{{- end }}
{{- $upstream := dict "host" $v.upstream.host "port" (include "ftps-gateway.upstreamPort" . | int) "tls" $v.upstream.tls
    "protocols" $v.upstream.protocols "dataMode" $v.upstream.dataMode }}
{{- with $v.upstream.serverName }}
{{- $_ := set $upstream "serverName" . }}
{{- end }}
{{- if include "ftps-gateway.caEnabled" . }}
{{- $_ := set $upstream "caFile" (include "ftps-gateway.caFile" .) }}
{{- end }}
{{- with $v.upstream.pinSha256 }}
{{- $_ := set $upstream "pinSha256" . }}
{{- end }}
{{- if $v.upstream.ccc }}
{{- $_ := set $upstream "ccc" true }}
{{- end }}
{{- if $v.upstream.clientCertificate.secretName }}
{{- $_ := set $upstream "clientCertFile" (printf "/etc/ftps-gateway/upstream-client/%s" $v.upstream.clientCertificate.certKey) }}
{{- $_ := set $upstream "clientKeyFile" (printf "/etc/ftps-gateway/upstream-client/%s" $v.upstream.clientCertificate.keyKey) }}
{{- end }}
{{- $config := dict "listeners" (list $listener) "upstream" $upstream
    "timeouts" (dict "connectSeconds" (int $v.timeouts.connectSeconds) "idleSeconds" (int $v.timeouts.idleSeconds) "dataConnectSeconds" (int $v.timeouts.dataConnectSeconds))
    "metrics" (dict "enabled" $v.metrics.enabled "host" "0.0.0.0" "port" (int $v.metrics.port))
    "logLevel" $v.logLevel "logFormat" $v.logFormat
    "shutdownGraceSeconds" (max 1 (sub (sub (int $v.terminationGracePeriodSeconds) (int $v.lifecycle.preStopSleepSeconds)) 5)) }}
{{- if $v.admin.tokenSecret.name }}
{{- $_ := set $config "admin" (dict "tokenFile" (printf "/etc/ftps-gateway/admin/%s" $v.admin.tokenSecret.key)) }}
{{- end }}
{{- $user := deepCopy ($v.config | default dict) }}
{{- with $user.listeners }}
{{- if ne (len .) 1 }}
{{- fail "config.listeners: give at most one entry (one listener per release: install the chart again for another); it is merged into the chart's listener" }}
{{- end }}
{{- range $key, $value := first . }}
{{- if has $key (list "host" "port" "passivePorts" "passiveAddress") }}
{{- fail (printf "config.listeners[0].%s: set it with listener.* (listener.port, listener.passivePorts, listener.passiveAddress): the Service, the container ports and the Downward API follow those values" $key) }}
{{- end }}
{{- $_ := set $listener $key $value }}
{{- end }}
{{- $_ := unset $user "listeners" }}
{{- end }}
{{- if hasKey $user "upstreams" }}
{{- $_ := unset $config "upstream" }}
{{- else if and (kindIs "map" $user.upstream) (hasKey $user.upstream "servers") }}
{{- $_ := unset $upstream "host" }}
{{- $_ := unset $upstream "port" }}
{{- end }}
{{- range $key, $value := $user }}
{{- if and (kindIs "map" $value) (kindIs "map" (get $config $key)) }}
{{- $section := get $config $key }}
{{- range $key2, $value2 := $value }}
{{- $_ := set $section $key2 $value2 }}
{{- end }}
{{- else }}
{{- $_ := set $config $key $value }}
{{- end }}
{{- end -}}
# Generated by the ftps-gateway chart from its values; FTPGW_* environment variables override keys of this file.
{{ toYaml $config }}
{{- end }}

{{/*
The data of the ConfigMap: gateway.yaml, plus one <pod name>.yaml per pod with scaleOut.perPodServices (pod N
announces addresses[N]; the container picks its file by its pod name).
*/}}
{{- define "ftps-gateway.configData" -}}
gateway.yaml: |
  {{- include "ftps-gateway.config" . | nindent 2 }}
{{- if and (eq .Values.mode "gateway") .Values.scaleOut.perPodServices.enabled }}
{{- $fullname := include "ftps-gateway.fullname" . }}
{{- range $i, $address := .Values.scaleOut.perPodServices.addresses }}
{{ printf "%s-%d.yaml" $fullname $i }}: |
  {{- include "ftps-gateway.config" (dict "Values" $.Values "Release" $.Release "passiveAddress" $address) | nindent 2 }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Expands port specifications ("21", "40000-40010") into single ports, comma-separated (istio wants single ports).
*/}}
{{- define "ftps-gateway.expandPorts" -}}
{{- $out := list }}
{{- range $spec := . }}
{{- $parts := splitList "-" (toString $spec) }}
{{- range $port := untilStep (atoi (first $parts)) (add1 (atoi (last $parts)) | int) 1 }}
{{- $out = append $out (toString $port) }}
{{- end }}
{{- end }}
{{- join "," $out }}
{{- end }}

{{/*
Pod annotations: the mesh exclusions, and with restartOnConfigChange the config checksum (a changed config rolls
the pods). Without it a changed ConfigMap reaches running pods through the kubelet (within its sync period, about
a minute) and the gateway's own file reload (checked every 5 s), with no session ended.
*/}}
{{- define "ftps-gateway.podAnnotations" -}}
{{- if and .Values.restartOnConfigChange (not (or .Values.existingConfig.configMapName .Values.existingConfig.secretName)) }}
checksum/config: {{ include "ftps-gateway.configData" . | sha256sum }}
{{- end }}
{{- $upstreamPorts := .Values.mesh.upstreamPorts | default (list (include "ftps-gateway.upstreamPort" .)) }}
{{- $gateway := eq .Values.mode "gateway" }}
{{- if .Values.mesh.linkerd.enabled }}
{{- if $gateway }}
config.linkerd.io/skip-inbound-ports: {{ printf "%d,%s" (int .Values.listener.port) (toString .Values.listener.passivePorts) | quote }}
{{- end }}
config.linkerd.io/skip-outbound-ports: {{ join "," $upstreamPorts | quote }}
{{- end }}
{{- if .Values.mesh.istio.enabled }}
{{- if $gateway }}
traffic.sidecar.istio.io/excludeInboundPorts: {{ include "ftps-gateway.expandPorts" (list (toString .Values.listener.port) (toString .Values.listener.passivePorts)) | quote }}
{{- end }}
traffic.sidecar.istio.io/excludeOutboundPorts: {{ include "ftps-gateway.expandPorts" $upstreamPorts | quote }}
{{- end }}
{{- end }}

{{/*
One probe: the values' timing with an HTTP check of the metrics endpoint, or a TCP check of the control port
when metrics are off. Context: (dict "root" $ "path" "/healthz" "timing" .Values.livenessProbe).
*/}}
{{- define "ftps-gateway.probe" -}}
{{- $probe := deepCopy .timing }}
{{- if .root.Values.metrics.enabled }}
{{- $_ := set $probe "httpGet" (dict "path" .path "port" "ftpgw-metrics") }}
{{- else }}
{{- $_ := set $probe "tcpSocket" (dict "port" "ftp") }}
{{- end }}
{{- toYaml $probe }}
{{- end }}

{{/*
The gateway container (both modes). In sidecar mode the FTP listener binds 127.0.0.1, so no FTP port is declared.
*/}}
{{- define "ftps-gateway.container" -}}
{{- $v := .Values }}
{{- $sidecar := eq $v.mode "sidecar" }}
{{- $perPod := and (not $sidecar) $v.scaleOut.perPodServices.enabled }}
{{- $source := $v.listener.passiveAddress.source }}
{{- $downward := and (not $sidecar) (not $perPod) (has $source (list "podIP" "hostIP")) }}
{{- $hostPorts := and $downward (eq $source "hostIP") }}
{{- $probes := or $v.metrics.enabled (not $sidecar) -}}
- name: ftps-gateway
  image: {{ include "ftps-gateway.image" . | quote }}
  imagePullPolicy: {{ $v.image.pullPolicy }}
  {{- if and $sidecar $v.sidecar.nativeSidecar }}
  # a native sidecar: list it under initContainers
  restartPolicy: Always
  {{- end }}
  args:
    - --config
    - {{ include "ftps-gateway.configFile" . }}
  {{- if or $perPod $downward $v.extraEnv $v.upstream.pinSha256Secret.name }}
  env:
    {{- if $perPod }}
    - name: POD_NAME
      valueFrom:
        fieldRef:
          fieldPath: metadata.name
    {{- end }}
    {{- if $downward }}
    # the address announced in 227 replies (overrides listeners[0].passiveAddress)
    - name: FTPGW_LISTENERS_0_PASSIVEADDRESS
      valueFrom:
        fieldRef:
          fieldPath: status.{{ $source }}
    {{- end }}
    {{- with $v.upstream.pinSha256Secret }}
    {{- if .name }}
    # the upstream's pins, comma-separated (overrides upstream.pinSha256)
    - name: FTPGW_UPSTREAM_PINSHA256
      valueFrom:
        secretKeyRef:
          name: {{ .name }}
          key: {{ .key }}
    {{- end }}
    {{- end }}
    {{- with $v.extraEnv }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- end }}
  {{- with $v.extraEnvFrom }}
  envFrom:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- if or (not $sidecar) $v.metrics.enabled }}
  ports:
    {{- if not $sidecar }}
    - name: ftp
      containerPort: {{ int $v.listener.port }}
      protocol: TCP
    {{- end }}
    {{- if $hostPorts }}
    {{- range $port := include "ftps-gateway.passivePortList" . | trim | splitList "\n" }}
    - name: pasv-{{ $port }}
      containerPort: {{ $port }}
      hostPort: {{ $port }}
      protocol: TCP
    {{- end }}
    {{- end }}
    {{- if $v.metrics.enabled }}
    - name: ftpgw-metrics
      containerPort: {{ int $v.metrics.port }}
      protocol: TCP
    {{- end }}
  {{- end }}
  {{- if $probes }}
  startupProbe:
    {{- include "ftps-gateway.probe" (dict "root" . "path" "/healthz" "timing" $v.startupProbe) | nindent 4 }}
  livenessProbe:
    {{- include "ftps-gateway.probe" (dict "root" . "path" "/healthz" "timing" $v.livenessProbe) | nindent 4 }}
  readinessProbe:
    {{- /* a sidecar's readiness is its pod's: an unreachable upstream must not take the pod out of its Services */}}
    {{- include "ftps-gateway.probe" (dict "root" . "path" (ternary "/healthz" "/readyz" $sidecar) "timing" $v.readinessProbe) | nindent 4 }}
  {{- end }}
  {{- if gt (int $v.lifecycle.preStopSleepSeconds) 0 }}
  lifecycle:
    # keeps serving while the pod's endpoints leave Services and load balancers (and, as a sidecar, while the
    # other containers finish), then SIGTERM stops it
    preStop:
      {{- if $v.lifecycle.useSleepAction }}
      sleep:
        seconds: {{ int $v.lifecycle.preStopSleepSeconds }}
      {{- else }}
      exec:
        command: ["sleep", "{{ int $v.lifecycle.preStopSleepSeconds }}"]
      {{- end }}
  {{- end }}
  {{- with $v.resources }}
  resources:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- $securityContext := deepCopy $v.securityContext }}
  {{- if lt (int $v.listener.port) 1024 }}
  {{- $capabilities := $securityContext.capabilities | default dict }}
  {{- $_ := set $capabilities "add" (list "NET_BIND_SERVICE") }}
  {{- $_ := set $securityContext "capabilities" $capabilities }}
  {{- end }}
  securityContext:
    {{- toYaml $securityContext | nindent 4 }}
  volumeMounts:
    - name: ftps-gateway-config
      mountPath: /etc/ftps-gateway/config
      readOnly: true
    {{- if include "ftps-gateway.caEnabled" . }}
    - name: ftps-gateway-upstream-ca
      mountPath: /etc/ftps-gateway/upstream-ca
      readOnly: true
    {{- end }}
    {{- if $v.listener.certificate.secretName }}
    - name: ftps-gateway-listener-tls
      mountPath: {{ include "ftps-gateway.listenerTlsDir" . }}
      readOnly: true
    {{- end }}
    {{- if $v.upstream.clientCertificate.secretName }}
    - name: ftps-gateway-upstream-client
      mountPath: /etc/ftps-gateway/upstream-client
      readOnly: true
    {{- end }}
    {{- if $v.admin.tokenSecret.name }}
    - name: ftps-gateway-admin
      mountPath: /etc/ftps-gateway/admin
      readOnly: true
    {{- end }}
    {{- range $v.files }}
    - name: ftps-gateway-files-{{ .name }}
      mountPath: /etc/ftps-gateway/files/{{ .name }}
      readOnly: true
    {{- end }}
    - name: ftps-gateway-tmp
      mountPath: /tmp
    {{- with $v.extraVolumeMounts }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
{{- end }}

{{/*
The volumes the gateway container mounts: its config, the upstream CA bundle, a writable /tmp.
*/}}
{{- define "ftps-gateway.volumes" -}}
{{- $v := .Values }}
- name: ftps-gateway-config
  {{- if $v.existingConfig.secretName }}
  secret:
    secretName: {{ $v.existingConfig.secretName }}
  {{- else }}
  configMap:
    name: {{ $v.existingConfig.configMapName | default (include "ftps-gateway.fullname" .) }}
  {{- end }}
{{- with $v.listener.certificate.secretName }}
- name: ftps-gateway-listener-tls
  secret:
    secretName: {{ . }}
{{- end }}
{{- with $v.upstream.clientCertificate.secretName }}
- name: ftps-gateway-upstream-client
  secret:
    secretName: {{ . }}
{{- end }}
{{- with $v.admin.tokenSecret.name }}
- name: ftps-gateway-admin
  secret:
    secretName: {{ . }}
{{- end }}
{{- range $v.files }}
- name: ftps-gateway-files-{{ .name }}
  {{- if .secretName }}
  secret:
    secretName: {{ .secretName }}
  {{- else }}
  configMap:
    name: {{ .configMapName }}
  {{- end }}
{{- end }}
{{- with .Values.upstream.ca }}
{{- if .secretName }}
- name: ftps-gateway-upstream-ca
  secret:
    secretName: {{ .secretName }}
    items:
      - key: {{ .key }}
        path: ca.pem
{{- else if .configMapName }}
- name: ftps-gateway-upstream-ca
  configMap:
    name: {{ .configMapName }}
    items:
      - key: {{ .key }}
        path: ca.pem
{{- end }}
{{- end }}
- name: ftps-gateway-tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpSizeLimit }}
{{- end }}
