import { execFile } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';
import { ConfigError, loadConfig } from '../src/config';
import { PortError } from '../src/app';
import { openDatabase } from '../src/db';
import { startBot } from '../src/main';

/** A start-up problem an IT person can fix is one line naming the setting; never a stack trace. */

const wecom = {
  WECOM_CORP_ID: 'ww1',
  WECOM_AGENT_ID: '1000002',
  WECOM_SECRET: 's',
  WECOM_TOKEN: 't',
  WECOM_ENCODING_AES_KEY: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  LOG_LEVEL: 'silent',
};

async function problemsOf(env: Record<string, string>): Promise<string[]> {
  try {
    const started = await startBot(loadConfig({ ...wecom, PORT: '0', ...env }));
    await started.app.stop();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('started');
}

async function busyPort(): Promise<{ port: number; close(): Promise<void> }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as net.AddressInfo).port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function freePort(): Promise<number> {
  const { port, close } = await busyPort();
  await close();
  return port;
}

it('names DATABASE_URL when nothing listens at its host and port', async () => {
  const port = await freePort();
  expect(await problemsOf({ DATABASE_URL: `postgresql://postgres@127.0.0.1:${port}/app` })).toEqual([
    `config: DATABASE_URL: nothing accepts connections at 127.0.0.1:${port}: start PostgreSQL there, or correct the host and port in DATABASE_URL`,
  ]);
});

it('names DATABASE_URL when its host does not resolve', async () => {
  expect(await problemsOf({ DATABASE_URL: 'postgresql://postgres@no-such-host.invalid/app' })).toEqual([
    'config: DATABASE_URL: the host "no-such-host.invalid" cannot be resolved: correct the host in DATABASE_URL',
  ]);
});

const onPostgres = process.env.TEST_DATABASE_URL ? it : it.skip;

onPostgres('names a database that does not exist, and a user PostgreSQL refuses', async () => {
  const missing = new URL(process.env.TEST_DATABASE_URL!);
  missing.pathname = '/mendian_no_such_database';
  expect(await problemsOf({ DATABASE_URL: missing.toString() })).toEqual([expect.stringMatching(/^config: DATABASE_URL: the database "mendian_no_such_database" does not exist on .*: create it/)]);
  const stranger = new URL(process.env.TEST_DATABASE_URL!);
  stranger.username = 'mendian_no_such_role';
  expect(await problemsOf({ DATABASE_URL: stranger.toString() })).toEqual([
    expect.stringMatching(/^config: DATABASE_URL: PostgreSQL at .* refused user mendian_no_such_role \(.*\): correct the user and password/),
  ]);
});

it('finds a port in use before it migrates or seeds anything', async () => {
  const busy = await busyPort();
  const database = await openDatabase({ kind: 'pglite', dataDir: null });
  try {
    await expect(startBot(loadConfig({ ...wecom, PORT: String(busy.port) }), { database })).rejects.toThrow(new PortError(busy.port, 'EADDRINUSE'));
    expect(await database.prisma.$queryRawUnsafe("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'")).toEqual([{ n: 0 }]);
  } finally {
    await database.close();
    await busy.close();
  }
});

it('prints the one line and no stack when started from the command line', async () => {
  const port = await freePort();
  const run = promisify(execFile)('npx', ['tsx', 'src/main.ts'], {
    env: { ...process.env, ...wecom, PORT: '0', DATABASE_URL: `postgresql://postgres@127.0.0.1:${port}/app`, TEST_DATABASE_URL: '' },
    timeout: 60_000,
  });
  const failure = (await run.then(
    () => null,
    (err) => err,
  )) as { code: number; stderr: string } | null;
  expect(failure).not.toBeNull();
  expect(failure!.code).toBe(1);
  expect(failure!.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^config: DATABASE_URL: nothing accepts connections at 127\.0\.0\.1:\d+/)]);
}, 90_000);
