import { Helm, renderTemplate } from '../../lib/helm';

const obj = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'svc', labels: { a: 'b' } },
  spec: { type: 'NodePort', ports: [{ name: 'http', nodePort: 30000, port: 80 }], selector: { a: 'b' } },
};

describe('renderTemplate', () => {
  test('scalars stay unquoted, blocks get their indentation, optional keys their condition', () => {
    expect(renderTemplate(obj, [
      { path: 'metadata.name', expr: Helm.scalar('{{ .Release.Name }}') },
      { path: 'metadata.labels', expr: Helm.nindent('include "x.labels" .') },
      { path: 'spec.ports.0.port', expr: Helm.scalar('{{ .Values.port | int }}') },
      { path: 'spec.ports.0.nodePort', expr: Helm.optional('.Values.nodePort', '{{ .Values.nodePort | int }}') },
      { path: 'spec.selector', expr: Helm.lines(['{{- range $k, $v := .Values.sel }}', '{{ $k }}: {{ $v | quote }}', '{{- end }}']) },
    ], { header: 'a Service' })).toBe(`# a Service
apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}
  labels:
    {{- include "x.labels" . | nindent 4 }}
spec:
  type: NodePort
  ports:
    - name: http
      {{- if .Values.nodePort }}
      nodePort: {{ .Values.nodePort | int }}
      {{- end }}
      port: {{ .Values.port | int }}
  selector:
    {{- range $k, $v := .Values.sel }}
    {{ $k }}: {{ $v | quote }}
    {{- end }}
`);
  });

  test('a missing path is created; a condition wraps the whole object', () => {
    expect(renderTemplate({ kind: 'X', metadata: {} }, [{ path: 'metadata.namespace', expr: Helm.scalar('{{ .Release.Namespace }}') }], { condition: '.Values.enabled' }))
      .toBe('{{- if .Values.enabled }}\nkind: X\nmetadata:\n  namespace: {{ .Release.Namespace }}\n{{- end }}\n');
  });

  test('list items can be scalars', () => {
    expect(renderTemplate({ args: ['a', 'b'] }, [{ path: 'args.1', expr: Helm.scalar('{{ .Values.b | quote }}') }])).toBe('args:\n  - a\n  - {{ .Values.b | quote }}\n');
  });

  describe('fails when', () => {
    test('an optional field is the first of a list item', () => {
      expect(() => renderTemplate(obj, [{ path: 'spec.ports.0.name', expr: Helm.optional('x', 'y') }])).toThrow('optional field name cannot be the first field of a list item');
    });
    test('a path crosses a scalar', () => {
      expect(() => renderTemplate(obj, [{ path: 'spec.type.x', expr: Helm.scalar('y') }])).toThrow('cannot bind spec.type.x: type is not an object');
    });
  });
});

describe('Helm.value and Helm.parts: a field rendered from the constructs\' own value', () => {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { volumes: [{ name: 'tmp', emptyDir: {} }] } };

  test('a value keeps its own bindings, indented under the key, under its condition', () => {
    const spread = [{ maxSkew: 1, labelSelector: { matchLabels: {} } }];
    expect(renderTemplate(pod, [
      { path: 'spec.topologySpreadConstraints', expr: Helm.optionalValue('.Values.spread', spread, [{ path: '0.labelSelector.matchLabels', expr: Helm.nindent('include "x.sel" .') }]) },
    ])).toBe(`apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  volumes:
    - name: tmp
      emptyDir: {}
  {{- if .Values.spread }}
  topologySpreadConstraints:
    - maxSkew: 1
      labelSelector:
        matchLabels:
          {{- include "x.sel" . | nindent 10 }}
  {{- end }}
`);
  });

  test('parts: always, when, when with otherwise; an empty list adds no line', () => {
    expect(renderTemplate(pod, [
      {
        path: 'spec.volumes',
        expr: Helm.parts([
          { value: [] },
          { value: [{ name: 'tmp', emptyDir: {} }] },
          { when: '.Values.data', value: [{ name: 'data', claim: '' }], bindings: [{ path: '0.claim', expr: Helm.scalar('{{ .Values.claim | quote }}') }] },
        ]),
      },
      { path: 'spec.strategy', expr: Helm.parts([{ when: '.Values.data', value: { type: 'Recreate' }, otherwise: { type: 'RollingUpdate' } }]) },
    ])).toBe(`apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  volumes:
    - name: tmp
      emptyDir: {}
    {{- if .Values.data }}
    - name: data
      claim: {{ .Values.claim | quote }}
    {{- end }}
  strategy:
    {{- if .Values.data }}
    type: Recreate
    {{- else }}
    type: RollingUpdate
    {{- end }}
`);
  });

  test('a part may be template lines (values a user gives as they are), indented as the list, under its condition', () => {
    expect(renderTemplate(pod, [{
      path: 'spec.volumes',
      expr: Helm.parts([
        { value: [{ name: 'tmp', emptyDir: {} }] },
        { template: (n) => ['{{- with .Values.extraVolumes }}', `{{- toYaml . | nindent ${n} }}`, '{{- end }}'] },
        { when: '.Values.more', template: () => ['- name: more', '  emptyDir: {}'] },
      ]),
    }])).toBe(`apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  volumes:
    - name: tmp
      emptyDir: {}
    {{- with .Values.extraVolumes }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
    {{- if .Values.more }}
    - name: more
      emptyDir: {}
    {{- end }}
`);
  });

  test('a binding inside a value that does not land fails', () => {
    expect(() => renderTemplate(pod, [{ path: 'spec.x', expr: Helm.value(['a'], [{ path: '0.b', expr: Helm.scalar('{{ 1 }}') }]) }])).toThrow(/cannot bind 0\.b: 0 is not an object/);
  });
});
