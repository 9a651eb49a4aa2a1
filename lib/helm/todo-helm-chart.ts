import { Yaml } from 'cdk8s';
import * as fs from 'fs';
import * as path from 'path';
import { Construct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { AppComponent, DATA_VOLUME, HTTP_PORT_NAME, PART_OF, RECREATE, ROLLING_UPDATE, volumeName } from '../app-component';
import { HTTPS_PORT, TodoBackend } from '../todo-backend';
import { check, Rules } from '../validation';
import { autoscalerSpec, disruptionBudgetSpec, egressToPorts, ingressSpec, networkPolicySpec, resolveAutoscaling } from '../cluster-objects';
import { exceptionAnnotationsTemplate, LintException } from '../lint-exceptions';
import { KUBE_SCORE_IGNORE, KUBE_SCORE_REASON } from '../checks/lint';
import { componentValues, ownSecretVariables } from './chart-values';
import { Binding, Helm, renderTemplate } from './template';
import { defaultValues, renderValuesSchema, renderValuesYaml } from './values';

/**
 * Properties of a {@link TodoHelmChart}.
 */
export interface TodoHelmChartProps {
  /** The component to package: a `TodoBackend` or a `TodoFrontend`. */
  readonly component: AppComponent;

  /**
   * The chart's name (`Chart.yaml` `name`, the `app.kubernetes.io/name` label,
   * and the default release name).
   *
   * @default - the component's name: `todo-backend` or `todo-frontend`
   */
  readonly chartName?: string;

  /**
   * The chart's version (SemVer 2).
   *
   * @default '0.1.0'
   */
  readonly version?: string;

  /**
   * The chart's description.
   *
   * @default - a sentence naming the component
   */
  readonly description?: string;
}

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/**
 * Packages a {@link TodoBackend} or {@link TodoFrontend} as a Helm chart whose
 * values really parameterize it: the templates are the component's own
 * synthesized objects, with the fields of the design's configuration flow
 * replaced by Helm expressions. Rendered with its default values, the chart
 * gives the same Deployment, Service and ConfigMap as the plain manifests.
 *
 * The chart is written by {@link TodoHelmChart.writeTo}; it adds no objects to
 * the plain manifests.
 *
 * @example
 * const todo = new TodoApp(chart, 'todo');
 * const backendChart = new TodoHelmChart(app, 'backend-chart', { component: todo.backend });
 * app.synth();
 * backendChart.writeTo('dist/helm/backend');
 * // helm install todo-backend dist/helm/backend
 */
export class TodoHelmChart extends Construct {
  /** The component packaged. */
  public readonly component: AppComponent;
  /** The chart's name. */
  public readonly chartName: string;
  /** The chart's version. */
  public readonly version: string;
  /** The chart's description. */
  public readonly description: string;

  constructor(scope: Construct, id: string, props: TodoHelmChartProps) {
    super(scope, id);
    this.component = props.component;
    this.chartName = check('chartName', props.chartName ?? props.component.name, Rules.dnsLabel);
    this.version = props.version ?? '0.1.0';
    if (!SEMVER.test(this.version)) {
      throw new Error(`'version' must be a SemVer 2 version such as "0.1.0", got ${JSON.stringify(this.version)}`);
    }
    this.description = props.description
      ?? `The Todo app's ${props.component.role} (${props.component.image.baseImage} image ${props.component.image.name}): Deployment, ${props.component.serviceType} Service, ConfigMap and Secret.`;
  }

  /** The component, when it is a backend (which has a database and its volume). */
  private get backend(): TodoBackend | undefined {
    return this.component instanceof TodoBackend ? this.component : undefined;
  }

  /** The chart's files, by path relative to the chart directory. */
  public files(): { [file: string]: string } {
    const c = this.component;
    const values = componentValues(c);
    const title = `Values of the ${this.chartName} chart`;
    return {
      'Chart.yaml': Yaml.stringify({
        apiVersion: 'v2',
        name: this.chartName,
        description: this.description,
        type: 'application',
        version: this.version,
        appVersion: c.image.tag,
        kubeVersion: '>=1.25.0-0',
      }),
      'values.yaml': renderValuesYaml(values, `Default values for ${this.chartName}, read from the todo-cdk8s constructs.\nChecked by values.schema.json; see NOTES.txt after install.`),
      'values.schema.json': `${JSON.stringify(renderValuesSchema(values, title), undefined, 2)}\n`,
      '.helmignore': HELMIGNORE,
      'templates/_helpers.tpl': this.helpers(),
      'templates/configmap.yaml': this.configMapTemplate(),
      'templates/secret.yaml': this.secretTemplate(),
      'templates/deployment.yaml': this.deploymentTemplate(),
      'templates/service.yaml': this.serviceTemplate(),
      'templates/networkpolicy.yaml': this.networkPolicyTemplate(),
      'templates/ingress.yaml': this.ingressTemplate(),
      'templates/hpa.yaml': this.autoscalerTemplate(),
      'templates/pdb.yaml': this.disruptionBudgetTemplate(),
      ...(this.backend ? { 'templates/pvc.yaml': this.pvcTemplate(this.backend) } : {}),
      'templates/NOTES.txt': this.notes(),
      'templates/tests/test-connection.yaml': this.testConnectionTemplate(),
    };
  }

  /** The default values, as `values.yaml` holds them. */
  public defaultValues(): { [key: string]: unknown } {
    return defaultValues(componentValues(this.component)) as { [key: string]: unknown };
  }

  /** Writes the chart into `dir` (created if needed). */
  public writeTo(dir: string): void {
    for (const [file, content] of Object.entries(this.files())) {
      const target = path.join(dir, file);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, content);
    }
  }

  private include(name: string, indent?: number): string {
    return indent === undefined ? `include "${this.chartName}.${name}" .` : `include "${this.chartName}.${name}" . | nindent ${indent}`;
  }

  /**
   * Bindings every object shares: name, namespace, labels.
   *
   * @param name the template expression of the name: a helper of _helpers.tpl, so
   *   that the object and whatever refers to it share one definition
   * @param labels the helper that renders the labels
   */
  private metadata(name = this.include('fullname'), labels = 'labels'): Binding[] {
    return [
      { path: 'metadata.name', expr: Helm.scalar(`{{ ${name} }}`) },
      { path: 'metadata.namespace', expr: Helm.scalar('{{ .Release.Namespace }}') },
      { path: 'metadata.labels', expr: Helm.nindent(this.include(labels)) },
    ];
  }

  private configMapTemplate(): string {
    return renderTemplate(this.component.configMap.toJson(), [
      ...this.metadata(this.include('configMapName')),
      {
        path: 'data',
        expr: Helm.lines([
          '{{- range $key, $value := .Values.env }}',
          '{{ $key }}: {{ toString $value | quote }}',
          '{{- end }}',
        ]),
      },
    ], { header: 'Non-secret environment: values.env' });
  }

  private secretTemplate(): string {
    const skeleton = { apiVersion: 'v1', kind: 'Secret', metadata: {}, type: 'Opaque', data: {} };
    const lines = [`{{- $existing := (lookup "v1" "Secret" .Release.Namespace (${this.include('secretName')})).data | default dict }}`];
    for (const v of ownSecretVariables(this.component)) {
      const value = `.Values.secrets.${v.name}`;
      lines.push(`{{- if ${value} }}`, `${v.name}: {{ ${value} | b64enc | quote }}`);
      if (!v.optional) {
        lines.push(`{{- else if hasKey $existing "${v.name}" }}`, `${v.name}: {{ index $existing "${v.name}" | quote }}`);
        lines.push('{{- else }}', v.generate
          ? `${v.name}: {{ randAlphaNum 48 | b64enc | quote }}`
          : `{{- fail "secrets.${v.name} is required (or existingSecret naming a Secret that holds it)" }}`);
      }
      lines.push('{{- end }}');
    }
    return renderTemplate(skeleton, [...this.metadata(this.include('secretName')), { path: 'data', expr: Helm.lines(lines) }], {
      condition: 'not .Values.existingSecret',
      header: 'Secret environment: values.secrets, else the existing Secret\'s values (upgrade), else generated (install)',
    });
  }

  private deploymentTemplate(): string {
    const c = this.component;
    const container = 'spec.template.spec.containers.0';
    const own = ownSecretVariables(c);
    const persistence = this.backend ? this.persistenceBindings(this.backend) : [];
    return renderTemplate(c.deployment.toJson(), [
      ...this.metadata(),
      this.lintAnnotations('Deployment'),
      {
        path: 'spec.template.spec.affinity',
        expr: {
          kind: 'optionalBlock',
          condition: '.Values.spreadAcrossNodes',
          template: (n) => [
            'podAntiAffinity:',
            '  preferredDuringSchedulingIgnoredDuringExecution:',
            '    - weight: 100',
            '      podAffinityTerm:',
            '        topologyKey: kubernetes.io/hostname',
            '        labelSelector:',
            '          matchLabels:',
            `            {{- ${this.include('selectorLabels', n + 12)} }}`,
          ].map((l) => `${' '.repeat(n)}${l}`),
        },
      },
      { path: 'spec.replicas', expr: Helm.optional('not .Values.autoscaling.enabled', '{{ .Values.replicaCount | int }}') },
      {
        path: 'spec.template.spec.topologySpreadConstraints',
        expr: {
          kind: 'optionalBlock',
          condition: '.Values.spreadAcrossNodes',
          template: (n) => [
            '- maxSkew: 1',
            '  topologyKey: kubernetes.io/hostname',
            '  whenUnsatisfiable: ScheduleAnyway',
            '  labelSelector:',
            '    matchLabels:',
            `      {{- ${this.include('selectorLabels', n + 6)} }}`,
          ].map((l) => `${' '.repeat(n)}${l}`),
        },
      },
      { path: 'spec.selector.matchLabels', expr: Helm.nindent(this.include('selectorLabels')) },
      { path: 'spec.template.metadata.labels', expr: Helm.nindent(this.include('labels')) },
      {
        path: 'spec.template.metadata.annotations',
        expr: Helm.lines([
          '{{- /* content checksums: a change of config or secrets rolls the pods */}}',
          'checksum/config: {{ include (print $.Template.BasePath "/configmap.yaml") . | sha256sum }}',
          '{{- if not .Values.existingSecret }}',
          'checksum/secret: {{ include (print $.Template.BasePath "/secret.yaml") . | sha256sum }}',
          '{{- end }}',
          '{{- range $key, $value := .Values.image.buildArgs }}',
          'build-args.todo-cdk8s/{{ $key }}: {{ toString $value | quote }}',
          '{{- end }}',
        ]),
      },
      { path: 'spec.template.spec.securityContext', expr: Helm.nindent('toYaml .Values.podSecurityContext') },
      { path: `${container}.image`, expr: Helm.scalar('{{ printf "%s:%s" .Values.image.repository (toString .Values.image.tag) | quote }}') },
      { path: `${container}.imagePullPolicy`, expr: Helm.scalar('{{ .Values.image.pullPolicy | quote }}') },
      { path: `${container}.envFrom.0.configMapRef.name`, expr: Helm.scalar(`{{ ${this.include('configMapName')} }}`) },
      ...c.secretVariables.flatMap((v, i) => (own.includes(v)
        ? [{ path: `${container}.env.${i}.valueFrom.secretKeyRef.name`, expr: Helm.scalar(`{{ ${this.include('secretName')} }}`) }]
        : [])),
      { path: `${container}.startupProbe`, expr: Helm.nindent(`include "${this.chartName}.probe" .Values.probes.startup`) },
      { path: `${container}.livenessProbe`, expr: Helm.nindent(`include "${this.chartName}.probe" .Values.probes.liveness`) },
      { path: `${container}.readinessProbe`, expr: Helm.nindent(`include "${this.chartName}.probe" .Values.probes.readiness`) },
      { path: `${container}.resources`, expr: Helm.nindent('toYaml .Values.resources') },
      { path: `${container}.securityContext`, expr: Helm.nindent('toYaml .Values.securityContext') },
      { path: 'spec.template.spec.terminationGracePeriodSeconds', expr: Helm.scalar('{{ .Values.terminationGracePeriodSeconds | int }}') },
      ...persistence,
    ], {
      header: 'The pods: values.image, values.replicaCount, values.probes, values.resources',
      prelude: this.backend ? [`{{- include "${this.chartName}.validate" . }}`] : [],
    });
  }

  /** The backend's volume, mount and update strategy follow values.persistence. */
  private persistenceBindings(backend: TodoBackend): Binding[] {
    const spec = 'spec.template.spec';
    const literal = (value: unknown) => (Array.isArray(value) && value.length === 0 ? [] : Yaml.stringify(value).replace(/\n$/, '').split('\n'));
    const ownVolumes = new Set(backend.writableDirectories.map(volumeName));
    const emptyDirs = (backend.deployment.toJson().spec.template.spec.volumes as Array<{ name: string }>).filter((v) => ownVolumes.has(v.name));
    const mounts = backend.writableDirectories.map((dir) => ({ mountPath: dir, name: volumeName(dir) }));
    return [
      {
        path: 'spec.strategy',
        expr: Helm.lines([
          '{{- if .Values.persistence.enabled }}',
          ...literal(k8s.toJson_DeploymentStrategy(RECREATE)),
          '{{- else }}',
          ...literal(k8s.toJson_DeploymentStrategy(ROLLING_UPDATE)),
          '{{- end }}',
        ]),
      },
      {
        path: `${spec}.volumes`,
        expr: Helm.lines([
          ...literal(emptyDirs),
          '{{- if .Values.persistence.enabled }}',
          `- name: ${DATA_VOLUME}`,
          '  persistentVolumeClaim:',
          `    claimName: {{ ${this.include('dataClaimName')} }}`,
          '{{- end }}',
        ]),
      },
      {
        path: `${spec}.containers.0.volumeMounts`,
        expr: Helm.lines([
          ...literal(mounts),
          '{{- if .Values.persistence.enabled }}',
          '- mountPath: {{ .Values.persistence.mountPath | quote }}',
          `  name: ${DATA_VOLUME}`,
          '{{- end }}',
        ]),
      },
    ];
  }

  private pvcTemplate(backend: TodoBackend): string {
    const skeleton = backend.persistentVolumeClaim?.toJson()
      ?? { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: {}, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: {} } } };
    return renderTemplate(skeleton, [
      ...this.metadata(this.include('dataClaimName')),
      { path: 'metadata.annotations', expr: Helm.lines(['helm.sh/resource-policy: keep']) },
      { path: 'spec.resources.requests.storage', expr: Helm.scalar('{{ .Values.persistence.size | quote }}') },
      { path: 'spec.storageClassName', expr: Helm.optional('.Values.persistence.storageClass', '{{ .Values.persistence.storageClass | quote }}') },
    ], {
      condition: '.Values.persistence.enabled',
      header: 'The database volume: values.persistence; kept on helm uninstall',
    });
  }

  /**
   * The component's NetworkPolicy, plus a rule that admits the `helm test`
   * pod (by its own labels: nothing of the release selects it) on the same
   * port, so the test passes whatever the other rules admit.
   */
  private networkPolicyTemplate(): string {
    const skeleton = this.component.networkPolicy?.toJson()
      ?? k8s.KubeNetworkPolicy.manifest({ metadata: {}, spec: networkPolicySpec({}, HTTP_PORT_NAME) });
    const egress = this.component.egressRules.map((r) => k8s.toJson_NetworkPolicyEgressRule(r));
    const yaml = (value: unknown) => Yaml.stringify(value).replace(/\n$/, '').split('\n');
    // A key set at install (secrets.ANTHROPIC_API_KEY or existingSecret) needs HTTPS, unless the synthesized rules have it.
    const https = k8s.toJson_NetworkPolicyEgressRule(egressToPorts([HTTPS_PORT]));
    const httpsWhenKeyed = this.backend && !egress.some((r) => JSON.stringify(r) === JSON.stringify(https))
      ? ['{{- if or .Values.secrets.ANTHROPIC_API_KEY .Values.existingSecret }}', ...yaml([https]), '{{- end }}']
      : [];
    const portRule = k8s.toJson_NetworkPolicyIngressRule(networkPolicySpec({}, HTTP_PORT_NAME).ingress![0]);
    const testRule = skeleton.spec.ingress.length;
    skeleton.spec.ingress.push({ from: [{ podSelector: {} }], ...portRule });
    return renderTemplate(skeleton, [
      ...this.metadata(),
      { path: 'spec.podSelector.matchLabels', expr: Helm.nindent(this.include('selectorLabels')) },
      { path: `spec.ingress.${testRule}.from.0.podSelector.matchLabels`, expr: Helm.nindent(this.include('testLabels')) },
      { path: 'spec.policyTypes', expr: Helm.lines(['- Ingress', '{{- if .Values.networkPolicy.egress.enabled }}', '- Egress', '{{- end }}']) },
      {
        path: 'spec.egress',
        expr: {
          kind: 'optionalBlock',
          condition: '.Values.networkPolicy.egress.enabled',
          template: (n) => [
            ...yaml(egress),
            ...httpsWhenKeyed,
            '{{- with .Values.networkPolicy.egress.extraRules }}',
            `{{- toYaml . | nindent ${n} }}`,
            '{{- end }}',
          ].map((l) => `${' '.repeat(n)}${l}`),
        },
      },
    ], {
      condition: '.Values.networkPolicy.enabled',
      header: 'Traffic reaches the pods on their port only, and leaves them for DNS and what they need only: values.networkPolicy',
    });
  }

  private serviceTemplate(): string {
    return renderTemplate(this.component.service.toJson(), [
      ...this.metadata(),
      this.lintAnnotations('Service'),
      { path: 'spec.type', expr: Helm.scalar('{{ .Values.service.type | quote }}') },
      { path: 'spec.selector', expr: Helm.nindent(this.include('selectorLabels')) },
      { path: 'spec.ports.0.port', expr: Helm.scalar('{{ .Values.service.port | int }}') },
      {
        path: 'spec.ports.0.nodePort',
        expr: Helm.optional('and (has .Values.service.type (list "NodePort" "LoadBalancer")) .Values.service.nodePort', '{{ .Values.service.nodePort | int }}'),
      },
    ], { header: 'The Service: values.service' });
  }

  private testConnectionTemplate(): string {
    const pod = k8s.KubePod.manifest({
      metadata: {
        annotations: {
          'helm.sh/hook': 'test',
          'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded',
          ...TEST_POD_EXCEPTIONS,
        },
      },
      spec: {
        automountServiceAccountToken: false,
        restartPolicy: 'Never',
        securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [{
          name: 'wget',
          image: 'busybox:1.36',
          imagePullPolicy: 'IfNotPresent',
          command: ['wget'],
          args: ['-q', '-O', '/dev/null', 'URL'],
          resources: {
            'requests': { 'cpu': k8s.Quantity.fromString('10m'), 'memory': k8s.Quantity.fromString('16Mi'), 'ephemeral-storage': k8s.Quantity.fromString('16Mi') },
            'limits': { 'cpu': k8s.Quantity.fromString('100m'), 'memory': k8s.Quantity.fromString('32Mi'), 'ephemeral-storage': k8s.Quantity.fromString('16Mi') },
          },
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } },
        }],
      },
    });
    return renderTemplate(pod, [
      ...this.metadata(`printf "%s-test-connection" (${this.include('fullname')})`, 'testLabels'),
      { path: 'spec.containers.0.args.3', expr: Helm.scalar(`{{ printf "http://%s:%d%s" (${this.include('fullname')}) (.Values.service.port | int) (${this.include('testPath')}) | quote }}`) },
    ], { header: '`helm test <release>`: requests the Service from inside the cluster' });
  }

  /** The object's lint exceptions, as the values call for them (no annotations when none holds). */
  private lintAnnotations(object: LintException['object']): Binding {
    const helper = `include "${this.chartName}.lintAnnotations.${object}" .`;
    return {
      path: 'metadata.annotations',
      expr: { kind: 'optionalBlock', condition: helper, template: (n) => [`${' '.repeat(n)}{{- ${helper} | trim | nindent ${n} }}`] },
    };
  }

  private helpers(): string {
    const n = this.chartName;
    const lint = (object: LintException['object']) => [
      `{{/* kube-score and kube-linter exceptions of the ${object}, each where the values make it deliberate (README: "Checks and exceptions"). */}}`,
      `{{- define "${n}.lintAnnotations.${object}" -}}`,
      ...exceptionAnnotationsTemplate(object),
      '{{- end }}',
    ].join('\n');
    return `{{/*
Helpers of the ${n} chart (the names and labels of helm create).
*/}}

{{/* The chart name, cut to 63 characters (a DNS label). */}}
{{- define "${n}.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The full name of the objects: the release name when it contains the chart
name, else <release>-<chart>; cut to 63 characters.
*/}}
{{- define "${n}.fullname" -}}
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

{{/* Chart name and version, for the helm.sh/chart label. */}}
{{- define "${n}.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every object: app=<fullname> (kubectl wait/logs -l app=...) and the recommended set. */}}
{{- define "${n}.labels" -}}
helm.sh/chart: {{ include "${n}.chart" . }}
app: {{ include "${n}.fullname" . }}
{{ include "${n}.selectorLabels" . }}
app.kubernetes.io/component: ${this.component.role}
app.kubernetes.io/part-of: ${PART_OF}
app.kubernetes.io/version: {{ regexReplaceAll "^[^A-Za-z0-9]+|[^A-Za-z0-9]+$" (toString .Values.image.tag | trunc 63) "" | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Labels that select the pods. */}}
{{- define "${n}.selectorLabels" -}}
app.kubernetes.io/name: {{ include "${n}.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Labels of the helm test pod: none of the labels the release selects its pods
by (app.kubernetes.io/name and instance, app), so that no Service,
NetworkPolicy, Deployment or budget of the release selects it; the
NetworkPolicy admits it by these.
*/}}
{{- define "${n}.testLabels" -}}
app.kubernetes.io/component: test
todo-cdk8s/test-of: {{ include "${n}.fullname" . }}
{{- end }}

{{/* The ConfigMap with values.env. */}}
{{- define "${n}.configMapName" -}}
{{- printf "%s-config" (include "${n}.fullname" .) }}
{{- end }}

{{/* The Secret the pods read: values.existingSecret, else the chart's own. */}}
{{- define "${n}.secretName" -}}
{{- default (printf "%s-secret" (include "${n}.fullname" .)) .Values.existingSecret }}
{{- end }}

${lint('Deployment')}

${lint('Service')}

{{/* The database volume's claim. */}}
{{- define "${n}.dataClaimName" -}}
{{- printf "%s-data" (include "${n}.fullname" .) }}
{{- end }}
${this.backend ? this.validateHelper() : ''}
{{/* A probe from values.probes.<kind>, on the container port named "${HTTP_PORT_NAME}". */}}
{{- define "${n}.probe" -}}
{{- if eq .type "http" -}}
httpGet:
  path: {{ .path | quote }}
  port: ${HTTP_PORT_NAME}
{{- else -}}
tcpSocket:
  port: ${HTTP_PORT_NAME}
{{- end }}
initialDelaySeconds: {{ .initialDelaySeconds | int }}
periodSeconds: {{ .periodSeconds | int }}
timeoutSeconds: {{ .timeoutSeconds | int }}
failureThreshold: {{ .failureThreshold | int }}
{{- end }}

{{/* The path helm test requests: the readiness path, else the liveness path, else "/". */}}
{{- define "${n}.testPath" -}}
{{- if eq .Values.probes.readiness.type "http" }}{{ .Values.probes.readiness.path }}
{{- else if eq .Values.probes.liveness.type "http" }}{{ .Values.probes.liveness.path }}
{{- else }}/{{ end }}
{{- end }}
`;
  }

  private ingressTemplate(): string {
    const c = this.component;
    const skeleton = c.ingress?.toJson()
      ?? k8s.KubeIngress.manifest({ metadata: {}, spec: ingressSpec({ host: 'todo.example.com', path: '/' }, c.name, HTTP_PORT_NAME) });
    const rule = 'spec.rules.0';
    return renderTemplate(skeleton, [
      ...this.metadata(),
      { path: 'spec.ingressClassName', expr: Helm.optional('.Values.ingress.className', '{{ .Values.ingress.className | quote }}') },
      {
        path: 'spec.tls',
        expr: Helm.optionalLines('.Values.ingress.tls.secretName', [
          '- hosts:',
          '    - {{ .Values.ingress.host | quote }}',
          '  secretName: {{ .Values.ingress.tls.secretName | quote }}',
        ]),
      },
      { path: `${rule}.host`, expr: Helm.scalar('{{ .Values.ingress.host | quote }}') },
      { path: `${rule}.http.paths.0.path`, expr: Helm.scalar('{{ .Values.ingress.path | quote }}') },
      { path: `${rule}.http.paths.0.backend.service.name`, expr: Helm.scalar(`{{ ${this.include('fullname')} }}`) },
    ], { condition: '.Values.ingress.enabled', header: 'Host and path to the Service: values.ingress' });
  }

  private autoscalerTemplate(): string {
    const c = this.component;
    const skeleton = c.autoscaler?.toJson()
      ?? k8s.KubeHorizontalPodAutoscalerV2.manifest({ metadata: {}, spec: autoscalerSpec(resolveAutoscaling('autoscaling', {}), c.name) });
    return renderTemplate(skeleton, [
      ...this.metadata(),
      { path: 'spec.scaleTargetRef.name', expr: Helm.scalar(`{{ ${this.include('fullname')} }}`) },
      { path: 'spec.minReplicas', expr: Helm.scalar('{{ .Values.autoscaling.minReplicas | int }}') },
      { path: 'spec.maxReplicas', expr: Helm.scalar('{{ .Values.autoscaling.maxReplicas | int }}') },
      { path: 'spec.metrics.0.resource.target.averageUtilization', expr: Helm.scalar('{{ .Values.autoscaling.targetCPUUtilizationPercentage | int }}') },
    ], { condition: '.Values.autoscaling.enabled', header: 'CPU autoscaling: values.autoscaling' });
  }

  private disruptionBudgetTemplate(): string {
    const c = this.component;
    const skeleton = c.disruptionBudget?.toJson()
      ?? k8s.KubePodDisruptionBudget.manifest({ metadata: {}, spec: disruptionBudgetSpec(1, {}) });
    return renderTemplate(skeleton, [
      ...this.metadata(),
      { path: 'spec.minAvailable', expr: Helm.scalar('{{ .Values.podDisruptionBudget.minAvailable | int }}') },
      { path: 'spec.selector.matchLabels', expr: Helm.nindent(this.include('selectorLabels')) },
    ], { condition: '.Values.podDisruptionBudget.enabled', header: 'Pods kept through node drains: values.podDisruptionBudget' });
  }

  /** Checks of the backend's values that a schema cannot express; `helm template` and `helm install` fail with the message. */
  private validateHelper(): string {
    const n = this.chartName;
    return `
{{/* SQLite has one writer, and its file must be on the volume exactly when there is one. */}}
{{- define "${n}.validate" -}}
{{- $url := toString (index .Values.env "DATABASE_URL" | default "") }}
{{- $onVolume := hasPrefix (printf "sqlite:///%s/" .Values.persistence.mountPath) $url }}
{{- if and (hasPrefix "sqlite" $url) (or (gt (int .Values.replicaCount) 1) .Values.autoscaling.enabled) }}
{{- fail (printf "replicaCount must be 0 or 1 with SQLite (env.DATABASE_URL=%s): each pod would get its own database or fight over one ReadWriteOnce volume; use PostgreSQL for more replicas (synthesize with BackendDatabase.postgres or the cluster profile), got %d" $url (int .Values.replicaCount)) }}
{{- end }}
{{- if and .Values.persistence.enabled (hasPrefix "sqlite" $url) (not $onVolume) }}
{{- fail (printf "env.DATABASE_URL must point under persistence.mountPath (%s) when persistence.enabled is true, e.g. sqlite:///%s/todoapp.db, got %s" .Values.persistence.mountPath .Values.persistence.mountPath $url) }}
{{- end }}
{{- if and (not .Values.persistence.enabled) $onVolume }}
{{- fail (printf "persistence.enabled is false but env.DATABASE_URL (%s) points at the volume; set env.DATABASE_URL=sqlite:///./todoapp.db and securityContext.readOnlyRootFilesystem=false for the ephemeral database" $url) }}
{{- end }}
{{- end }}
`;
  }

  private notes(): string {
    const n = this.chartName;
    return `{{- $fullname := include "${n}.fullname" . -}}
${this.component.role === 'frontend' ? 'The Todo app frontend' : 'The Todo app backend'} is installed as {{ .Release.Name }} in namespace {{ .Release.Namespace }}.

1. Get the application URL by running these commands:
{{- if .Values.ingress.enabled }}
  http{{ if .Values.ingress.tls.secretName }}s{{ end }}://{{ .Values.ingress.host }}{{ if ne .Values.ingress.path "/" }}{{ .Values.ingress.path }}{{ end }}
{{- else if contains "NodePort" .Values.service.type }}
  export NODE_PORT=$(kubectl get --namespace {{ .Release.Namespace }} -o jsonpath="{.spec.ports[0].nodePort}" services {{ $fullname }})
  export NODE_IP=$(kubectl get nodes --namespace {{ .Release.Namespace }} -o jsonpath="{.items[0].status.addresses[0].address}")
  echo http://$NODE_IP:$NODE_PORT
  On Minikube: minikube service {{ $fullname }} --namespace {{ .Release.Namespace }} --url
{{- else if contains "LoadBalancer" .Values.service.type }}
     NOTE: It may take a few minutes for the LoadBalancer IP to be available.
           You can watch its status by running 'kubectl get --namespace {{ .Release.Namespace }} svc -w {{ $fullname }}'
  export SERVICE_IP=$(kubectl get svc --namespace {{ .Release.Namespace }} {{ $fullname }} --template "{{"{{ range (index .status.loadBalancer.ingress 0) }}{{.}}{{ end }}"}}")
  echo http://$SERVICE_IP:{{ .Values.service.port }}
{{- else }}
  kubectl --namespace {{ .Release.Namespace }} port-forward service/{{ $fullname }} 8080:{{ .Values.service.port }}
  echo "Visit http://127.0.0.1:8080"
{{- end }}

2. Inside the cluster it is http://{{ $fullname }}.{{ .Release.Namespace }}.svc.cluster.local:{{ .Values.service.port }}
   Pods: kubectl get pods --namespace {{ .Release.Namespace }} -l app={{ $fullname }}
{{- if .Values.image.buildArgs }}

3. The image must be built with the URLs users reach the app at (they are baked
   into its JavaScript bundle):
{{- range $key, $value := .Values.image.buildArgs }}
     {{ $key }}={{ $value }}
{{- end }}
   eval $(minikube docker-env)
   docker build --tag {{ .Values.image.repository }}:{{ .Values.image.tag }}{{ range $key, $value := .Values.image.buildArgs }} --build-arg {{ $key }}={{ $value }}{{ end }} ${this.component.image.buildContext}
   When the backend's NodePort or the node address changes, set image.buildArgs
   to match, rebuild, and upgrade this release.
{{- end }}
{{- if not .Values.existingSecret }}

Secrets: kept in Secret {{ include "${n}.secretName" . }}; generated on first install unless set
with --set secrets.<NAME>=..., and kept on upgrade.
{{- end }}
`;
  }
}

/**
 * The `helm test` pod's deliberate exceptions: it makes one request and
 * exits. The component's NetworkPolicy admits it by its labels.
 */
const TEST_POD_EXCEPTIONS = {
  [KUBE_SCORE_IGNORE]: 'pod-networkpolicy,container-image-pull-policy',
  [`${KUBE_SCORE_REASON}pod-networkpolicy`]: 'the helm test pod makes one request to the Service and exits; the component\'s NetworkPolicy admits it',
  [`${KUBE_SCORE_REASON}container-image-pull-policy`]: 'busybox:1.36 is a fixed tag; IfNotPresent spares a registry round trip on every helm test',
};

const HELMIGNORE = `# Patterns to ignore when building packages.
# This supports shell glob matching, relative path matching, and
# negation (prefixed with !). Only one pattern per line.
.DS_Store
# Common VCS dirs
.git/
.gitignore
.bzr/
.bzrignore
.hg/
.hgignore
.svn/
# Common backup files
*.swp
*.bak
*.tmp
*.orig
*~
# Various IDEs
.project
.idea/
*.tmproj
.vscode/
`;
