import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createMediaStore } from '../../../src/platform/media';

/** Photos go to a local directory by default, or to an S3-compatible bucket (here a minimal one on loopback). */
it('stores and reads back a photo on local disk', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handover-media-store-'));
  const store = createMediaStore({ kind: 'local', dir });
  const key = await store.put('2026/11/25/abc.png', Buffer.from('png bytes'), 'image/png');
  expect(key).toBe('local:2026/11/25/abc.png');
  expect(fs.readdirSync(path.join(dir, '2026/11/25'))).toEqual(['abc.png']); // no .part left behind
  expect((await store.get(key)).toString()).toBe('png bytes');
  fs.rmSync(dir, { recursive: true, force: true });
});

it('stores and reads back a photo in an S3-compatible bucket (path style)', async () => {
  const objects = new Map<string, { body: Buffer; type: string }>();
  const requests: { method: string; url: string; authorization?: string }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = (req.url ?? '').split('?')[0];
      requests.push({ method: req.method ?? '', url, authorization: req.headers.authorization });
      if (req.method === 'PUT') {
        objects.set(url, { body: decodeChunked(Buffer.concat(chunks), req.headers), type: String(req.headers['content-type']) });
        res.writeHead(200, { ETag: '"etag"' }).end();
      } else if (req.method === 'GET' && objects.has(url)) {
        const o = objects.get(url)!;
        res.writeHead(200, { 'Content-Type': o.type, 'Content-Length': o.body.length }).end(o.body);
      } else res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const store = createMediaStore({
      kind: 's3',
      bucket: 'photos',
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: 'us-east-1',
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: 'secret-example-key',
      forcePathStyle: true,
    });
    const key = await store.put('2026/11/25/abc.png', Buffer.from('png bytes'), 'image/png');
    expect(key).toBe('s3:photos/2026/11/25/abc.png');
    expect(objects.get('/photos/2026/11/25/abc.png')).toEqual({ body: Buffer.from('png bytes'), type: 'image/png' });
    expect(requests[0].authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\//);
    expect((await store.get(key)).toString()).toBe('png bytes');
  } finally {
    server.close();
  }
});

/** The SDK may send the body aws-chunked (with a trailing checksum); the bucket stores the payload. */
function decodeChunked(raw: Buffer, headers: http.IncomingHttpHeaders): Buffer {
  if (!String(headers['content-encoding'] ?? '').includes('aws-chunked')) return raw;
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', at);
    const size = parseInt(raw.subarray(at, lineEnd).toString().split(';')[0], 16);
    if (!size) break;
    parts.push(raw.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
