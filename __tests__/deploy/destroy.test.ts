import { line, StandInWorld } from '../support/stand-in-world';

/** `destroy` against the stand-in cluster, after a deploy (see deploy.test.ts). */
jest.setTimeout(90_000);

let world: StandInWorld;
beforeEach(async () => {
  world = await StandInWorld.create();
});
afterEach(async () => {
  await world.close();
});

async function deployed(...extra: string[]): Promise<void> {
  const { code, output } = await world.run(['deploy', world.appDir, '--outdir', world.outdir, ...extra]);
  if (code !== 0) throw new Error(output);
  world.clearCalls();
}

/** The objects left in the stand-in cluster: `Kind/namespace/name`. */
const objects = () => Object.keys(world.state().objects).sort();

describe('npm run destroy', () => {
  test('removes what a plain deploy created and keeps the database\'s claim', async () => {
    await deployed();
    expect(objects()).toContain('PersistentVolumeClaim/default/todo-backend-data');
    const { code, output } = await world.run(['destroy']);
    expect(code).toBe(0);
    const deletes = world.calls().map(line).filter((l) => l.includes(' delete '));
    expect(deletes).toEqual([
      'kubectl --context minikube --namespace default delete configmap/todo-backend-config secret/todo-backend-secret deployment/todo-backend service/todo-backend networkpolicy/todo-backend configmap/todo-frontend-config secret/todo-frontend-secret deployment/todo-frontend service/todo-frontend networkpolicy/todo-frontend --ignore-not-found --wait=true',
    ]);
    expect(objects()).toEqual(['PersistentVolumeClaim/default/todo-backend-data']);
    expect(output).toContain('Kept PersistentVolumeClaim todo-backend-data in namespace default: the database; the next deploy finds it again. `npm run destroy -- --purge` deletes it.');
  });

  test('--purge also deletes the claim, and says so', async () => {
    await deployed();
    const { code, output } = await world.run(['destroy', '--purge']);
    expect(code).toBe(0);
    expect(world.calls().map(line)).toContain('kubectl --context minikube --namespace default delete persistentvolumeclaim/todo-backend-data --ignore-not-found --wait=true');
    expect(objects()).toEqual([]);
    expect(output).toContain('Deleted PersistentVolumeClaim todo-backend-data (--purge): the database is gone.');
  });

  test('uninstalls Helm releases, frontend first; the chart keeps the claim', async () => {
    await deployed('--helm');
    const { code, output } = await world.run(['destroy']);
    expect(code).toBe(0);
    const changes = world.calls().map(line).filter((l) => / (uninstall|delete) /.test(l));
    expect(changes).toEqual(['helm uninstall todo-frontend todo-backend --namespace default --kube-context minikube']);
    expect(objects()).toEqual(['PersistentVolumeClaim/default/todo-backend-data']);
    expect(output).toContain('Helm releases todo-backend, todo-frontend');
    expect(output).toContain('Kept PersistentVolumeClaim todo-backend-data');
  });

  test('--purge after a Helm deploy deletes the claim the chart keeps', async () => {
    await deployed('--helm');
    const { code, output } = await world.run(['destroy', '--purge']);
    expect(code).toBe(0);
    expect(world.calls().map(line).filter((l) => / (uninstall|delete) /.test(l))).toEqual([
      'helm uninstall todo-frontend todo-backend --namespace default --kube-context minikube',
      'kubectl --context minikube --namespace default delete persistentvolumeclaim/todo-backend-data --ignore-not-found --wait=true',
    ]);
    expect(objects()).toEqual([]);
    expect(output).toContain('Deleted PersistentVolumeClaim todo-backend-data (--purge)');
  });

  test('--dry-run deletes nothing', async () => {
    await deployed();
    const before = objects();
    const { code, output } = await world.run(['destroy', '--purge', '--dry-run']);
    expect(code).toBe(0);
    expect(world.calls().map(line).filter((l) => / (uninstall|delete) /.test(l))).toEqual([]);
    expect(objects()).toEqual(before);
    expect(output).toContain('would run: kubectl --context minikube --namespace default delete persistentvolumeclaim/todo-backend-data');
  });

  test('fails when the current context is not the Minikube profile', async () => {
    world.scenario({ currentContext: 'prod-cluster', contexts: ['minikube', 'prod-cluster'] });
    const { code, output } = await world.run(['destroy']);
    expect(code).toBe(1);
    expect(output).toContain('the current kubectl context is "prod-cluster", not the Minikube profile "minikube"');
    expect(world.calls().map(line).filter((l) => / (uninstall|delete) /.test(l))).toEqual([]);
  });
});
