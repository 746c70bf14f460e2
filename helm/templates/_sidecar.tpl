{{/*
Sidecar mode: named templates for your own chart, which lists ftps-gateway as a dependency with mode: sidecar.
The dependency renders the ConfigMap; these put the gateway container, its volumes and its pod annotations into
your pod. Call them with the dependency's own context, .Subcharts (Helm 3.7 and later):

  {{- $ftpsGateway := index .Subcharts "ftps-gateway" }}
  template:
    metadata:
      annotations:
        {{- include "ftps-gateway.sidecar.annotations" $ftpsGateway | nindent 8 }}
    spec:
      enableServiceLinks: false    # see below
      containers:
        - name: legacy-app
          ...                      # connects to ftp://127.0.0.1:2121 (listener.port)
        {{- include "ftps-gateway.sidecar.container" $ftpsGateway | nindent 8 }}
      volumes:
        {{- include "ftps-gateway.sidecar.volumes" $ftpsGateway | nindent 8 }}

The gateway then listens on 127.0.0.1 only (control and passive ports), and announces 127.0.0.1 in 227 replies.

enableServiceLinks: false. Unless a pod says otherwise, Kubernetes gives each of its containers Docker-link style
variables for every Service in the namespace: a Service "ftpgw" becomes FTPGW_PORT=tcp://10.96.0.17:21,
FTPGW_SERVICE_HOST=..., FTPGW_PORT_21_TCP_ADDR=..., and a Service "ftpgw-metrics" FTPGW_METRICS_PORT=tcp://...
Those names start with FTPGW_, the prefix of the gateway's environment overrides, and gateways that predate
service-link filtering refuse them as config errors and exit 2: the pod restarts forever. The chart's own
Deployment sets it; in your pod only you can. Nothing in the gateway needs those variables (it reaches its
upstream by DNS name).

Config changes reach the running sidecar without a restart: the kubelet updates the mounted ConfigMap and the
gateway reloads the file (README, "Reloading the configuration"). The annotations template adds a checksum that
rolls your pods on every config change only with restartOnConfigChange: true.
*/}}

{{- define "ftps-gateway.sidecar.check" -}}
{{- if ne .Values.mode "sidecar" }}
{{- fail "the ftps-gateway.sidecar.* templates need mode: sidecar in the ftps-gateway values (it renders the ConfigMap they mount and binds the gateway to 127.0.0.1)" }}
{{- end }}
{{- end }}

{{/*
The gateway container, as one item of a containers list.
*/}}
{{- define "ftps-gateway.sidecar.container" -}}
{{- include "ftps-gateway.sidecar.check" . }}
{{- include "ftps-gateway.container" . }}
{{- end }}

{{/*
The volumes of the gateway container, as items of a volumes list.
*/}}
{{- define "ftps-gateway.sidecar.volumes" -}}
{{- include "ftps-gateway.sidecar.check" . }}
{{- include "ftps-gateway.volumes" . }}
{{- end }}

{{/*
Pod annotations: the mesh exclusions, and with restartOnConfigChange the checksum of the gateway's config (a change
then rolls your pods).
*/}}
{{- define "ftps-gateway.sidecar.annotations" -}}
{{- include "ftps-gateway.sidecar.check" . }}
{{- include "ftps-gateway.podAnnotations" . }}
{{- end }}
