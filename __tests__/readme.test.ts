import * as fs from 'fs';
import * as path from 'path';
import { SECRET_SETTINGS, SETTINGS } from '../lib';

const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');

describe('README', () => {
  test('the settings table lists every setting with its default and description', () => {
    const rows = readme.split('\n').filter((l) => l.startsWith('| `TODO_'));
    expect(rows.map((r) => r.split('`')[1])).toEqual(SETTINGS.map((s) => s.variable));
    for (const s of SETTINGS) {
      const row = rows.find((r) => r.startsWith(`| \`${s.variable}\``))!;
      const cells = row.split('|').map((c) => c.trim());
      expect([s.variable, cells[2]]).toEqual([s.variable, s.default === '' ? '(empty)' : `\`${s.default}\``]);
      expect([s.variable, cells[4]]).toEqual([s.variable, s.description]);
    }
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
