import { DockerIgnore } from '../../lib/deploy/dockerignore';

describe('DockerIgnore', () => {
  const ignore = new DockerIgnore([
    '# comment',
    '',
    'node_modules',
    '/.next/',
    '**/*.pyc',
    '*.md',
    '!README.md',
    'docs/**',
    'tmp?',
    'build-[0-9]',
    './coverage',
  ]);

  test.each([
    ['node_modules', true],
    ['node_modules/next/dist/index.js', true],
    ['src/node_modules', false],
    ['.next/cache/x', true],
    ['app/__pycache__/main.cpython-312.pyc', true],
    ['main.pyc', true],
    ['CHANGELOG.md', true],
    ['README.md', false],
    ['docs/guide/intro.txt', true],
    ['src/notes.md', false],
    ['tmp1', true],
    ['tmp12', false],
    ['build-3/out.js', true],
    ['build-x/out.js', false],
    ['coverage/lcov.info', true],
    ['# comment', false],
    ['main.py', false],
  ])('%s ignored: %s', (file, expected) => {
    expect(ignore.ignores(file)).toBe(expected);
  });

  test('the last matching pattern wins', () => {
    const rules = new DockerIgnore(['*.log', '!important.log', 'important.log']);
    expect(rules.ignores('important.log')).toBe(true);
    expect(new DockerIgnore(['*.log', '!important.log']).ignores('important.log')).toBe(false);
  });

  test('knows when an ignored directory may hold re-included files', () => {
    expect(new DockerIgnore(['node_modules']).hasExceptions).toBe(false);
    expect(new DockerIgnore(['docs', '!docs/README.md']).hasExceptions).toBe(true);
    expect(new DockerIgnore(['docs', '!docs/README.md']).ignores('docs/README.md')).toBe(false);
  });

  test('no .dockerignore: nothing is ignored', () => {
    expect(new DockerIgnore([]).ignores('node_modules/x')).toBe(false);
  });
});
