import { ComponentVariables, propEnv, propSecrets } from '../lib/component-variables';
import { SECRET_SETTINGS, SETTINGS } from '../lib/settings';
import { APP_SECRETS, APP_VARIABLES } from '../lib/todo-app';
import { BACKEND_VARIABLES } from '../lib/todo-backend';
import { FRONTEND_VARIABLES } from '../lib/todo-frontend';
import { Rules } from '../lib/validation';

interface Props {
  readonly level?: string;
  readonly hours?: number;
  readonly key?: string;
  readonly token?: string;
}

const VARIABLES: ComponentVariables<Props> = {
  role: 'backend',
  env: [
    { name: 'LEVEL', prop: 'level', default: 'info', rule: Rules.nonEmpty, setting: { variable: 'TODO_LEVEL', description: 'Level', example: 'debug' } },
    { name: 'HOURS', prop: 'hours', default: 24, rule: Rules.threshold },
  ],
  secrets: [
    { name: 'KEY', prop: 'key', description: 'A key', optional: false, generate: true, rule: Rules.secret },
    { name: 'URL', description: 'A URL the component gives', optional: false, generate: false, rule: Rules.credential },
    { name: 'TOKEN', prop: 'token', description: 'A token', optional: true, generate: false, rule: Rules.credential },
  ],
};

describe('propEnv', () => {
  test('each variable from its prop, else its default, as text', () => {
    expect(propEnv(VARIABLES, {})).toEqual({ LEVEL: 'info', HOURS: '24' });
    expect(propEnv(VARIABLES, { level: 'debug', hours: 2 })).toEqual({ LEVEL: 'debug', HOURS: '2' });
  });

  test('a prop that breaks its rule is refused, naming the prop as <role>.<prop>', () => {
    expect(() => propEnv(VARIABLES, { hours: 0 })).toThrow("'backend.hours' must be a whole number");
    expect(() => propEnv(VARIABLES, { level: ' ' })).toThrow(`'backend.level' must be a non-empty string, got " "`);
  });
});

describe('propSecrets', () => {
  test('the declared secrets in order, with the props\' values and settings; a variable without a prop only when given', () => {
    expect(propSecrets(VARIABLES, { key: 'k'.repeat(40) })).toEqual([
      { name: 'KEY', optional: false, generate: true, rule: Rules.secret, value: 'k'.repeat(40), setting: 'backend.key' },
      { name: 'TOKEN', optional: true, generate: false, rule: Rules.credential, value: undefined, setting: 'backend.token' },
    ]);
    const ref = { name: 'db', key: 'url' };
    expect(propSecrets(VARIABLES, {}, { URL: { value: undefined, secretRef: ref, setting: 'backend.database' } }).map((v) => [v.name, v.setting, v.secretRef])).toEqual([
      ['KEY', 'backend.key', undefined],
      ['URL', 'backend.database', ref],
      ['TOKEN', 'backend.token', undefined],
    ]);
  });
});

describe('the app\'s declarations', () => {
  test('backend first, then frontend; each secret once, with its component\'s role', () => {
    expect(APP_VARIABLES).toEqual([BACKEND_VARIABLES, FRONTEND_VARIABLES]);
    expect(APP_SECRETS.map((d) => d.name)).toEqual([...BACKEND_VARIABLES.secrets, ...FRONTEND_VARIABLES.secrets].map((d) => d.name));
    expect(APP_SECRETS.map((d) => d.role)).toEqual([...BACKEND_VARIABLES.secrets.map(() => 'backend'), ...FRONTEND_VARIABLES.secrets.map(() => 'frontend')]);
    expect(new Set(APP_SECRETS.map((d) => d.name)).size).toBe(APP_SECRETS.length);
    expect(APP_SECRETS.filter((d) => d.generate).map((d) => [d.role, d.name])).toEqual(expect.arrayContaining([['backend', 'JWT_SECRET'], ['frontend', 'BETTER_AUTH_SECRET']]));
  });

  test('the default app\'s settings of variables and its secret settings are derived from them', () => {
    const settings = APP_VARIABLES.flatMap((c) => c.env.flatMap((v) => (v.setting === undefined ? [] : [[v.setting.variable, v.setting.description]])));
    expect(settings).toContainEqual(['TODO_ANTHROPIC_MODEL', 'Model of the chatbot (`ANTHROPIC_MODEL`)']);
    expect(SETTINGS.map((d) => [d.variable, d.description])).toEqual(expect.arrayContaining(settings));
    expect(SECRET_SETTINGS.map((s) => s.variable)).toEqual(APP_SECRETS.map((d) => d.name));
    expect(SECRET_SETTINGS).toContainEqual({ variable: 'JWT_SECRET', description: 'Key that signs JWTs (backend)', instead: 'or leave it unset: a generated key is kept in TODO_SECRETS_FILE', generated: true });
    expect(SECRET_SETTINGS).toContainEqual({ variable: 'ANTHROPIC_API_KEY', description: 'Anthropic API key; empty or unset disables the chatbot (backend)', instead: 'or leave the chatbot off', generated: false });
    expect(SECRET_SETTINGS).toContainEqual({ variable: 'DATABASE_URL', description: 'PostgreSQL URL, with TODO_DATABASE=postgres (backend)', instead: 'or keep the URL in a Secret named by TODO_DATABASE_SECRET', generated: false });
    expect(SECRET_SETTINGS).toContainEqual({ variable: 'BETTER_AUTH_SECRET', description: 'Key that signs Better Auth sessions (frontend)', instead: 'or leave it unset: a generated key is kept in TODO_SECRETS_FILE', generated: true });
  });
});
