import type { AppComponent } from '../app-component';
import { ChartParts, ComponentFeature, PodFields } from '../component-feature';
import { Helm } from '../helm/template';
import { leaf, ValuesNode } from '../helm/values';
import { synthesized } from '../helm/escape-hatches';

/**
 * @internal
 * The pod's and the container's security contexts (the "restricted" Pod
 * Security Standard, a read-only root filesystem unless the component
 * writes to it): the fields, the chart's `podSecurityContext` and
 * `securityContext` values, and their bindings.
 */
export class SecurityContexts implements ComponentFeature {
  public readonly name = 'security contexts';

  public pod(c: AppComponent): PodFields {
    return { spec: { securityContext: c.podSecurityContext }, container: { securityContext: c.containerSecurityContext } };
  }

  public values(c: AppComponent): { [key: string]: ValuesNode } {
    return {
      podSecurityContext: leaf('Pod security context ("restricted" Pod Security Standard).', c.podSecurityContext, { type: 'object' }),
      securityContext: leaf('Container security context (read-only root filesystem, no privilege escalation, no capabilities).', c.containerSecurityContext, { type: 'object' }),
    };
  }

  /**
   * The chart's parts; the pod's lists begin with the component's `emptyDir`s
   * and their mounts (the directories it writes to, as the root filesystem is
   * read-only), as the constructs give them.
   */
  public chart(c: AppComponent): ChartParts {
    const spec = synthesized(c.deployment).spec.template.spec;
    const dirs = c.writableDirectories.length;
    return {
      volumes: [{ value: (spec.volumes as unknown[]).slice(0, dirs) }],
      volumeMounts: [{ value: (spec.containers[0].volumeMounts as unknown[]).slice(0, dirs) }],
      deployment: [
        { path: 'spec.template.spec.securityContext', expr: Helm.nindent('toYaml .Values.podSecurityContext') },
        { path: 'spec.template.spec.containers.0.securityContext', expr: Helm.nindent('toYaml .Values.securityContext') },
      ],
    };
  }
}
