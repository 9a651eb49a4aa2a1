/**
 * The environment variables a kind of component declares, once each: its
 * plain variables set from a prop and its secret variables. The component
 * reads them from its props (its ConfigMap and its Secret); the default app
 * derives from the same declarations its `TODO_*` settings
 * (lib/settings.ts), the secrets it reads from the environment and the keys
 * its secrets file keeps (lib/secret-store.ts). Adding a variable is one
 * entry here, in the component's own file, beside its prop.
 */

import type { SecretVariable } from './app-component';
import { check, Rule } from './validation';

/** The default app's `TODO_*` setting of a variable. */
export interface VariableSetting {
  /** The environment variable the default app reads (`TODO_ANTHROPIC_MODEL`). */
  readonly variable: string;
  /** What it sets: the README's settings table says the same (checked by its test). */
  readonly description: string;
  /** A value other than the default, which the tests set and find in the built app. */
  readonly example: string;
}

/** A plain variable of the component's ConfigMap whose value is a prop, checked against a rule. */
export interface PropVariable<P> {
  /** The variable (`ANTHROPIC_MODEL`). */
  readonly name: string;
  /** The prop that sets it (`anthropicModel`); errors name it as `<role>.<prop>`. */
  readonly prop: keyof P & string;
  /** The value when the prop is not given (a number is written as its decimal text). */
  readonly default: string | number;
  /** What the value must be: for the prop, for the setting and in messages. */
  readonly rule: Rule<unknown>;
  /**
   * The default app's setting for it.
   *
   * @default - none: only the prop sets it
   */
  readonly setting?: VariableSetting;
}

/** A secret variable of the component's Secret, as declared: everything but its value. */
export interface SecretDeclaration<P> {
  /** The variable, the Secret's key, and the default app's environment variable (`JWT_SECRET`). */
  readonly name: string;
  /** What it is, for the default app's settings (`Key that signs JWTs`). */
  readonly description: string;
  /** Whether the pod may start without it (an empty value in the default app's environment is none). */
  readonly optional: boolean;
  /**
   * Whether it is a signing key: not given, the constructs read it from the
   * Secret kept by the cluster, and the default app generates it once into
   * its secrets file.
   */
  readonly generate: boolean;
  /** What the value must be. */
  readonly rule: Rule<string>;
  /**
   * The prop that gives its value, which the default app sets from the
   * environment variable of the same name.
   *
   * @default - none: the component gives the value itself (the backend's `DATABASE_URL`, from its database), and the settings read it
   */
  readonly prop?: keyof P & string;
  /**
   * What to do instead of writing it in a settings file, for the message
   * that refuses it there (a signing key's is that the secrets file keeps a
   * generated one).
   *
   * @default - 'or leave it unset: a generated key is kept in TODO_SECRETS_FILE' for a signing key
   */
  readonly instead?: string;
}

/** The variables a kind of component declares, with the props they come from. */
export interface ComponentVariables<P> {
  /** `backend` or `frontend`: the key of its options in `TodoAppProps`, and the prefix of its props in messages. */
  readonly role: 'backend' | 'frontend';
  /** Its plain variables set from props. */
  readonly env: readonly PropVariable<P>[];
  /** Its secret variables, in the order the container reads them. */
  readonly secrets: readonly SecretDeclaration<P>[];
}

/** What to do instead of writing a generated key in a settings file. */
export const GENERATED_INSTEAD = 'or leave it unset: a generated key is kept in TODO_SECRETS_FILE';

/** A secret variable the component gives the value of itself (a declaration without `prop`). */
export type GivenSecret = Pick<SecretVariable, 'value' | 'secretRef' | 'setting'>;

/** The values of the plain variables set from props: each prop checked against its rule, else the default. */
export function propEnv<P>(variables: ComponentVariables<P>, props: P): { [name: string]: string } {
  return Object.fromEntries(variables.env.map((v) =>
    [v.name, String(check(`${variables.role}.${v.prop}`, props[v.prop] ?? v.default, v.rule))]));
}

/**
 * The secret variables with their values: from the props, or for a
 * variable without a prop as `given` (left out when `given` has none).
 */
export function propSecrets<P>(variables: ComponentVariables<P>, props: P, given: { readonly [name: string]: GivenSecret | undefined } = {}): SecretVariable[] {
  return variables.secrets.flatMap((d): SecretVariable[] => {
    const base = { name: d.name, optional: d.optional, generate: d.generate, rule: d.rule };
    if (d.prop === undefined) {
      const value = given[d.name];
      return value === undefined ? [] : [{ ...base, ...value }];
    }
    return [{ ...base, value: props[d.prop] as string | undefined, setting: `${variables.role}.${d.prop}` }];
  });
}
