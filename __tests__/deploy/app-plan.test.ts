import { planApp, tagSetting } from '../../lib/deploy/app-plan';

describe('planApp', () => {
  test('reads names, images, build plans, URLs and smoke paths from the components', () => {
    const plan = planApp({ TODO_NODE_ADDRESS: '10.0.0.7', TODO_BACKEND_IMAGE_TAG: 'src-1', TODO_BACKEND_HEALTH_PATH: '/healthz' });
    expect(plan.namespace).toBe('default');
    expect(plan.nodeAddress).toBe('10.0.0.7');
    expect(plan.components).toEqual([
      {
        role: 'backend',
        name: 'todo-backend',
        image: { name: 'todo-backend', tag: 'src-1', reference: 'todo-backend:src-1', buildContext: 'backend/', buildArgs: {} },
        url: 'http://10.0.0.7:30800',
        smokePath: '/healthz',
        dataClaim: 'todo-backend-data',
      },
      {
        role: 'frontend',
        name: 'todo-frontend',
        image: {
          name: 'todo-frontend', tag: 'latest', reference: 'todo-frontend:latest', buildContext: 'frontend/',
          buildArgs: { NEXT_PUBLIC_API_URL: 'http://10.0.0.7:30800', NEXT_PUBLIC_APP_URL: 'http://10.0.0.7:30300' },
        },
        url: 'http://10.0.0.7:30300',
        smokePath: '/',
        dataClaim: undefined,
      },
    ]);
  });

  test('the smoke test requests what helm test requests: the frontend, whose readiness probe is a TCP probe, at its liveness path', () => {
    const plan = planApp({ TODO_FRONTEND_LIVENESS_PATH: '/api/health' });
    expect(plan.components.map((c) => [c.role, c.smokePath])).toEqual([['backend', '/health'], ['frontend', '/api/health']]);
  });

  test('lists the objects of the plain manifests, the namespace first when it is not default', () => {
    const plan = planApp({ TODO_NAMESPACE: 'todo' });
    expect(plan.objects[0]).toEqual({ kind: 'Namespace', name: 'todo' });
    expect(plan.objects).toContainEqual({ kind: 'PersistentVolumeClaim', name: 'todo-backend-data' });
    expect(plan.objects.filter((o) => o.kind === 'Deployment').map((o) => o.name)).toEqual(['todo-backend', 'todo-frontend']);
  });

  test('fails when the profile is cluster: deploy is for Minikube', () => {
    expect(() => planApp({ TODO_PROFILE: 'cluster', TODO_HOST: 'todo.example.com', TODO_DATABASE: 'postgres', TODO_DATABASE_SECRET: 'db' }))
      .toThrow(/^'TODO_PROFILE' must be "minikube" for deploy .*, got "cluster"/);
  });

  test('tagSetting', () => {
    expect(tagSetting('frontend')).toBe('TODO_FRONTEND_IMAGE_TAG');
  });
});
