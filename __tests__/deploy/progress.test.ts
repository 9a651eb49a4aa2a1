import { Progress } from '../../lib/deploy/progress';

function recorder() {
  const writes: string[] = [];
  return { writes, out: { write: (text: string) => writes.push(text) } };
}

describe('Progress', () => {
  test('without a terminal: plain lines, statuses at most once per interval, elapsed times', () => {
    let now = 1_000;
    const { writes, out } = recorder();
    const progress = new Progress({ out, tty: false, plainIntervalMs: 10_000, now: () => now });
    const step = progress.step(6, 8, 'Wait for rollouts');
    step.update('todo-backend: Waiting for deployment "todo-backend" rollout to finish');
    now += 3_000;
    step.update('todo-backend: still waiting');
    step.detail('todo-backend: rolled out (3.0s)');
    now += 9_000;
    step.update('todo-frontend: waiting');
    now += 500;
    step.done();
    expect(writes.join('')).toBe([
      '[6/8] Wait for rollouts',
      '      todo-backend: Waiting for deployment "todo-backend" rollout to finish (0s)',
      '      todo-backend: rolled out (3.0s)',
      '      todo-frontend: waiting (12s)',
      '[6/8] Wait for rollouts: done (12.5s)',
      '',
    ].join('\n'));
    expect(writes.join('')).not.toMatch(/\r|\x1b/);
  });

  test('on a terminal: the title, the details, and under them one spinner line rewritten in place', () => {
    let now = 0;
    const { writes, out } = recorder();
    const progress = new Progress({ out, tty: true, now: () => now });
    const step = progress.step(4, 8, 'Build images');
    now = 2_000;
    step.update('frontend: #6 [3/4] RUN npm run build');
    step.detail('backend   todo-backend:src-0123456789abcdef built (1.2s)');
    now = 4_200;
    step.fail();
    const text = writes.join('');
    expect(text.startsWith('[4/8] Build images\n')).toBe(true);
    expect(text).toContain('\r\x1b[2K    ⠋ frontend: #6 [3/4] RUN npm run build (2s)');
    expect(text).toContain('\r\x1b[2K      backend   todo-backend:src-0123456789abcdef built (1.2s)\n');
    expect(text.endsWith('\r\x1b[2K      ✗ failed (4.2s)\n')).toBe(true);
    // Nothing is written after the step ended.
    const count = writes.length;
    step.update('late');
    expect(writes.length).toBe(count);
  });
});
