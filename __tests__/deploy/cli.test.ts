import { main } from '../../lib/deploy/cli';

async function run(argv: string[]) {
  let output = '';
  const code = await main(argv, { env: { PATH: '/nonexistent' }, cwd: '/tmp', stdout: { write: (t: string) => (output += t) }, tty: false });
  return { code, output };
}

describe('todo-cdk8s command line', () => {
  test('--help lists both commands', async () => {
    const { code, output } = await run(['--help']);
    expect(code).toBe(0);
    expect(output).toContain('deploy [options] [app-dir]');
    expect(output).toContain('destroy [options]');
  });

  test('deploy --help lists the options with their defaults', async () => {
    const { code, output } = await run(['deploy', '--help']);
    expect(code).toBe(0);
    for (const option of ['--helm', '--dry-run', '--timeout <seconds>', '--context <name>', '--profile <name>', '--outdir <dir>']) {
      expect(output).toContain(option);
    }
    const text = output.replace(/\s+/g, ' ');
    expect(text).toContain('(default: 180)');
    expect(text).toContain('(MINIKUBE_PROFILE) (default: "minikube")');
  });

  test('fails when --timeout is not a whole number of seconds', async () => {
    const { code, output } = await run(['deploy', '--timeout', '0']);
    expect(code).toBe(2);
    expect(output).toContain('option \'--timeout <seconds>\' argument \'0\' is invalid. must be a whole number of seconds, at least 1, got "0"');
  });

  test('fails when an option is unknown', async () => {
    const { code, output } = await run(['destroy', '--force']);
    expect(code).toBe(2);
    expect(output).toContain('unknown option \'--force\'');
  });

  test('a failed pre-flight exits with 1 and says what to do', async () => {
    const { code, output } = await run(['deploy', '.']);
    expect(code).toBe(1);
    expect(output).toContain('Failed at [1/8] Pre-flight:\n  minikube is not on PATH: install it (https://minikube.sigs.k8s.io/docs/start/), then run deploy again');
  });
});
