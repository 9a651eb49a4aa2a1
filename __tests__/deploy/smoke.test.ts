import * as http from 'http';
import { AddressInfo } from 'net';
import { describeAnswer, get, smokeTest } from '../../lib/deploy/smoke';

/** Servers on 127.0.0.1 only, at ephemeral ports. */
const servers: http.Server[] = [];
async function serve(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => {
    s.closeAllConnections();
    s.close(resolve);
  })));
});

describe('smokeTest', () => {
  test('retries with growing waits until the URL answers 2xx', async () => {
    const times: number[] = [];
    const url = await serve((_req, res) => {
      times.push(Date.now());
      res.writeHead(times.length < 4 ? 503 : 200).end('ok');
    });
    const retries: Array<[number, number | undefined]> = [];
    const result = await smokeTest(`${url}/health`, { deadline: Date.now() + 10_000, initialDelayMs: 50, onRetry: (_a, attempt, waitMs) => retries.push([attempt, waitMs]) });
    expect(result).toMatchObject({ ok: true, attempts: 4, last: { status: 200 } });
    // The waits double; each gap between requests is at least its wait (timers never fire early, a loaded machine only adds to them).
    expect(retries).toEqual([[1, 50], [2, 100], [3, 200]]);
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(retries[i][1]! - 1));
  });

  test('fails when the deadline passes without a 2xx, with the last answer', async () => {
    const url = await serve((_req, res) => res.writeHead(500).end('boom'));
    const result = await smokeTest(url, { deadline: Date.now() + 600, initialDelayMs: 50 });
    expect(result.ok).toBe(false);
    expect(result.attempts).toBeGreaterThan(1);
    expect(describeAnswer(result.last)).toBe('500 Internal Server Error: "boom"');
  });

  test('fails when nothing listens, naming the error', async () => {
    const url = await serve(() => undefined);
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
    const result = await smokeTest(url, { deadline: Date.now() + 300, initialDelayMs: 50 });
    expect(result.ok).toBe(false);
    expect(describeAnswer(result.last)).toBe('ECONNREFUSED');
  });

  test('follows redirects within the origin, not outside it', async () => {
    const other = await serve((_req, res) => res.writeHead(200).end());
    const url = await serve((req, res) => {
      if (req.url === '/') res.writeHead(307, { location: '/login' }).end();
      else if (req.url === '/login') res.writeHead(200).end('login');
      else res.writeHead(302, { location: `${other}/` }).end();
    });
    expect(await get(`${url}/`, 1000)).toMatchObject({ status: 200, body: 'login' });
    const away = await get(`${url}/away`, 1000);
    expect(away.status).toBe(302);
    expect(away.body).toContain('outside');
  });

  test('a request that gets no answer times out', async () => {
    const url = await serve(() => undefined);
    const answer = await get(url, 300);
    expect(answer.status).toBeUndefined();
    expect(answer.error).toBe('no answer within 0.3s');
  });
});
