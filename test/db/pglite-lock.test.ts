import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDriver } from '../../src/db/driver';

it('refuses a second process on the same embedded database directory, and takes over a stale lock', async () => {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pglite-lock-')), 'db');
  // A lock left behind by a process that is gone is taken over.
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(`${dir}.lock`, '999999999');
  const first = await openDriver({ kind: 'pglite', dataDir: dir });
  expect(fs.readFileSync(`${dir}.lock`, 'utf8')).toBe(String(process.pid));
  // Another live process holds it: simulate by writing our parent's pid.
  fs.writeFileSync(`${dir}.lock`, String(process.ppid));
  await expect(openDriver({ kind: 'pglite', dataDir: dir })).rejects.toThrow(new RegExp(`in use by process ${process.ppid}`));
  fs.writeFileSync(`${dir}.lock`, String(process.pid));
  await first.close();
  expect(fs.existsSync(`${dir}.lock`)).toBe(false);
});
