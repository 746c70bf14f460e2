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
      containers:
        - name: legacy-app
          ...                      # connects to ftp://127.0.0.1:2121 (listener.port)
        {{- include "ftps-gateway.sidecar.container" $ftpsGateway | nindent 8 }}
      volumes:
        {{- include "ftps-gateway.sidecar.volumes" $ftpsGateway | nindent 8 }}

The gateway then listens on 127.0.0.1 only (control and passive ports), and announces 127.0.0.1 in 227 replies.
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
Pod annotations: the checksum of the gateway's config (a change rolls your pods) and the mesh exclusions.
*/}}
{{- define "ftps-gateway.sidecar.annotations" -}}
{{- include "ftps-gateway.sidecar.check" . }}
{{- include "ftps-gateway.podAnnotations" . }}
{{- end }}
