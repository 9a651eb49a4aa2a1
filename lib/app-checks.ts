import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { checkNodePorts, checkUniqueNames, describe, Finding, Manifest, runAllChecks } from './checks';
import { checkOneWorkloadPerSelector } from './checks/selectors';
import { checkLint, exceptionsWithoutReason } from './checks/lint';
import { check, nodePortOtherThan, show } from './validation';

/** The id of the one {@link AppChecks} construct at the root of an app. */
export const APP_CHECKS_ID = 'todo-cdk8s-checks';

/**
 * What {@link AppChecks} needs of a component: its subtree, the Secrets its
 * pods read that it does not create, and what must differ between any two
 * components of an app (for errors that name the prop).
 */
export interface CheckedComponent extends IConstruct {
  /** `backend` or `frontend`: the prefix of its props in messages. */
  readonly role: string;
  /** The name of its objects. */
  readonly name: string;
  readonly namespace: string;
  readonly nodePort?: number;
  readonly externalSecrets: readonly string[];
  readonly externalConfigMaps: readonly string[];
  readonly externalClaims: readonly string[];
}

/** Apps whose synth runs the checks itself ({@link synthesize}), on every object. */
const checkedElsewhere = new WeakSet<IConstruct>();

/**
 * The checks of `lib/checks` as cdk8s validation, once per app: the first
 * component built in an app adds this construct at the app's root
 * (`todo-cdk8s-checks`), and every component registers with it. cdk8s runs
 * the validation of every construct before `app.synth()`, `app.synthYaml()`
 * or `Testing.synth(chart)` writes or returns anything, so a failed check
 * leaves no output; each finding is one error line naming the object, the
 * field and the rule.
 *
 * The checks read every object of the app (all charts, the components' and
 * the user's, after JSON patches), and report:
 * - clashes between any two objects of the app: the same kind, namespace
 *   and name; the same nodePort (NodePorts are cluster-wide, so across
 *   namespaces too); a selector that picks the pods of more than one
 *   workload;
 * - every other finding of {@link runAllChecks} (references, probes,
 *   selectors, secret-looking ConfigMap keys, the restricted Pod Security
 *   Standard...), and the kube-score and kube-linter rules
 *   (`lib/checks/lint.ts`), on the components' own objects. A lint finding
 *   is excused as the tools do, by an annotation with a reason on the object.
 */
export class AppChecks extends Construct {
  /** The checks of the app `scope` is in, added at its root on first use. */
  public static of(scope: IConstruct): AppChecks {
    const root = scope.node.root;
    const existing = root.node.tryFindChild(APP_CHECKS_ID);
    if (existing instanceof AppChecks) {
      return existing;
    }
    if (existing !== undefined) {
      throw new Error(`the app already has a construct with id '${APP_CHECKS_ID}' that is not todo-cdk8s' checks (two copies of todo-cdk8s in one app?); use one copy of the package`);
    }
    return new AppChecks(root);
  }

  private readonly components: CheckedComponent[] = [];
  /** How deep inside the app's own `synth()` or `synthYaml()` we are. */
  private synthDepth = 0;
  /** Whether the checks passed earlier in the synth under way. */
  private passedInThisSynth = false;

  private constructor(root: IConstruct) {
    super(root as Construct, APP_CHECKS_ID);
    // cdk8s validates the whole app once in app.synth() and again for each chart it writes
    // (chart.toJson() validates the app too): the checks run on the first and are not repeated
    // within the same synth, where nothing can change between them.
    const app = root as unknown as { [method: string]: unknown };
    for (const method of ['synth', 'synthYaml']) {
      const original = app[method];
      if (typeof original === 'function') {
        app[method] = (...args: unknown[]) => {
          this.synthDepth++;
          try {
            return original.apply(root, args);
          } finally {
            if (--this.synthDepth === 0) this.passedInThisSynth = false;
          }
        };
      }
    }
    this.node.addValidation({ validate: () => this.validate() });
  }

  private validate(): string[] {
    if (checkedElsewhere.has(this.node.root) || (this.synthDepth > 0 && this.passedInThisSynth)) {
      return [];
    }
    const errors = this.findings().map(formatFinding);
    this.passedInThisSynth = this.synthDepth > 0 && errors.length === 0;
    return errors;
  }

  /**
   * Adds a component whose objects are checked as its own. Throws, naming
   * the prop, when it clashes with a component registered before: the same
   * name in the same namespace (its Deployment, Service, ConfigMap and
   * Secret would be the other's), or the same nodePort anywhere in the app
   * (NodePorts are cluster-wide).
   */
  public register(component: CheckedComponent): void {
    // A sibling (the other component of a TodoApp) is named by its prop alone; any other by its path too.
    const ref = (other: CheckedComponent, prop: string) => (other.node.scope === component.node.scope
      ? `'${other.role}.${prop}'`
      : `'${other.role}.${prop}' of the ${other.role} at '${other.node.path}'`);
    const sameName = this.components.find((c) => c.namespace === component.namespace && c.name === component.name);
    if (sameName) {
      throw new Error(`'${component.role}.name' must differ from ${ref(sameName, 'name')} (they name Deployments, Services, ConfigMaps and Secrets in one namespace, ${show(component.namespace)}), got ${show(component.name)} for both; give one another name, or put it in a Chart with another namespace`);
    }
    const samePort = component.nodePort === undefined ? undefined : this.components.find((c) => c.nodePort === component.nodePort);
    if (samePort) {
      check(`${component.role}.nodePort`, component.nodePort, nodePortOtherThan(samePort.nodePort, ref(samePort, 'nodePort')));
    }
    this.components.push(component);
  }

  /** The findings the validation reports, in the order of {@link runAllChecks}, then lint. */
  public findings(): Finding[] {
    const json = new Map(this.node.root.node.findAll().filter(ApiObject.isApiObject).map((o) => [o, o.toJson() as Manifest]));
    const objects = [...json.values()];
    const own = new Set(this.components.flatMap((c) => c.node.findAll().filter(ApiObject.isApiObject)).map((o) => describe(json.get(o) ?? o.toJson())));
    const key = (f: Finding) => `${f.object}\u0000${f.field}\u0000${f.message}`;
    // Every rule but the nodePorts' compares objects of one namespace: run them namespace by
    // namespace, so an app of many charts costs in proportion to its objects.
    const namespaces = new Map<string, Manifest[]>();
    for (const o of objects) {
      const ns = o.metadata?.namespace ?? 'default';
      namespaces.set(ns, [...(namespaces.get(ns) ?? []), o]);
    }
    const each = <F extends Finding>(rule: (objects: Manifest[]) => F[]): F[] => [...namespaces.values()].flatMap(rule);
    const nodePorts = checkNodePorts(objects);
    const clashes = new Set([...each(checkUniqueNames), ...nodePorts, ...each(checkOneWorkloadPerSelector)].map(key));
    const external = (names: (c: CheckedComponent) => readonly string[]) => [...new Set(this.components.flatMap(names))];
    const options = { externalSecrets: external((c) => c.externalSecrets), externalConfigMaps: external((c) => c.externalConfigMaps), externalClaims: external((c) => c.externalClaims) };
    const findings = [
      ...[...each((o) => runAllChecks(o, options)), ...nodePorts].filter((f) => own.has(f.object) || clashes.has(key(f))),
      ...each((o) => checkLint(o)).filter((f) => own.has(f.object)).map((f) => ({ ...f, message: `${f.message} (if deliberate: excuseLintFinding(<the object>, '${f.check}', '<reason>'))` })),
      ...exceptionsWithoutReason(objects.filter((o) => own.has(describe(o)))),
    ];
    const unique = new Map(findings.map((f) => [key(f), f]));
    return [...unique.values()];
  }
}

function formatFinding(f: Finding): string {
  return `${f.object} ${f.field}: ${f.message}`;
}

/**
 * Leaves the checks of the app `scope` is in to the caller, which runs
 * them on every object itself ({@link synthesize} does, before it writes).
 */
export function checkAppElsewhere(scope: IConstruct): void {
  checkedElsewhere.add(scope.node.root);
}
