import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { buildDefaultApp, Environment, Profile, readSettings, readSettingsFile, SECRET_SETTINGS, SettingDefinition, SETTINGS } from '../lib';
import { TEST_SECRETS } from './support/util';

const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');

describe('README', () => {
  // Where each setting's default is read: the profile and database it applies to, everything else unset.
  const contextOf = (def: SettingDefinition): Environment => {
    const postgres = { TODO_DATABASE: 'postgres', DATABASE_URL: 'postgresql://u:p@db:5432/todo' };
    const context: Environment = def.profile === Profile.CLUSTER
      ? { TODO_PROFILE: 'cluster', TODO_HOST: 'todo.example.com', ...postgres }
      : def.databases?.includes('postgres') ? postgres : {};
    return Object.fromEntries(Object.entries(context).filter(([k]) => k !== def.variable));
  };

  test('the settings table lists every setting with its description, and the default the constructs really apply', () => {
    const table = readme.slice(readme.indexOf('<!-- settings-table:'));
    const rows = table.slice(0, table.indexOf('\n\n')).split('\n').filter((l) => l.startsWith('| `TODO_'));
    expect(rows.map((r) => r.split('`')[1])).toEqual(SETTINGS.map((s) => s.variable));
    for (const def of SETTINGS) {
      const row = rows.find((r) => r.startsWith(`| \`${def.variable}\``))!;
      const cells = row.split('|').map((c) => c.trim());
      expect([def.variable, cells[4]]).toEqual([def.variable, def.description]);
      // The Default cell starts with the value in effect when the variable is unset: `value`, (empty) or (required).
      const documented = /^(`[^`]*`|\(empty\)|\(required\))/.exec(cells[2])?.[1];
      const env = contextOf(def);
      if (documented === '(required)') {
        expect(() => readSettings(env)).toThrow(`'${def.variable}' must be set`);
        continue;
      }
      const settings = readSettings(env);
      const value = def.inEffect(buildDefaultApp(new App(), settings, TEST_SECRETS), settings);
      expect([def.variable, documented]).toEqual([def.variable, value === undefined ? '(empty)' : `\`${value}\``]);
    }
  });

  test('the dev and prod settings files are shown side by side as they are', () => {
    const section = readme.slice(readme.indexOf('### Settings per environment'));
    const rows = section.slice(0, section.indexOf('\n\n', section.indexOf('| Variable | `config/dev.env`'))).split('\n').filter((l) => l.startsWith('| `TODO_'));
    const dev = readSettingsFile('dev', path.join(__dirname, '..', 'config'));
    const prod = readSettingsFile('prod', path.join(__dirname, '..', 'config'));
    const shown = (v?: { value: string }) => (v === undefined ? '–' : `\`${v.value}\``);
    const expected = SETTINGS.map((d) => d.variable).filter((v) => dev.has(v) || prod.has(v))
      .map((v) => `| \`${v}\` | ${shown(dev.get(v))} | ${shown(prod.get(v))} |`);
    expect(rows).toEqual(expected);
  });

  test('every secret variable is documented', () => {
    for (const s of SECRET_SETTINGS) {
      expect(readme).toContain(`| \`${s.variable}\` |`);
    }
  });

  test('shows the two set-up commands', () => {
    expect(readme).toContain('npm ci && npm run synth');
    expect(readme).toContain('npm test');
  });
});
