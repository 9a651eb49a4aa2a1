import { describePod } from '../../lib/deploy/diagnostics';

describe('describePod', () => {
  test('an image that cannot be pulled: the reason, and no logs to read', () => {
    const { text, containers } = describePod({
      metadata: { name: 'todo-frontend-5d9c-abcde' },
      status: {
        phase: 'Pending',
        conditions: [{ type: 'Ready', status: 'False' }],
        containerStatuses: [{ name: 'todo-frontend', ready: false, restartCount: 0, state: { waiting: { reason: 'ErrImageNeverPull', message: 'Container image "todo-frontend:src-1" is not present with pull policy of Never' } } }],
      },
    });
    expect(text).toEqual([
      'pod todo-frontend-5d9c-abcde: phase Pending, not ready',
      '  container todo-frontend: waiting (ErrImageNeverPull: Container image "todo-frontend:src-1" is not present with pull policy of Never), ready false, restarts 0',
    ]);
    expect(containers).toEqual([{ pod: 'todo-frontend-5d9c-abcde', container: 'todo-frontend', previous: false, neverStarted: true }]);
  });

  test('a pod that cannot be scheduled says why', () => {
    const { text, containers } = describePod({
      metadata: { name: 'todo-backend-1-x' },
      status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available: 1 Insufficient memory.' }] },
    });
    expect(text).toEqual([
      'pod todo-backend-1-x: phase Pending, not ready (not scheduled: Unschedulable 0/1 nodes are available: 1 Insufficient memory.)',
      '  no container has been created yet',
    ]);
    expect(containers).toEqual([]);
  });

  test('a running container failing its readiness probe: its current logs', () => {
    const { containers } = describePod({
      metadata: { name: 'p' },
      status: { phase: 'Running', containerStatuses: [{ name: 'c', ready: false, restartCount: 0, state: { running: { startedAt: '2025-01-01T00:00:00Z' } } }] },
    });
    expect(containers).toEqual([{ pod: 'p', container: 'c', previous: false, neverStarted: false }]);
  });
});
