import { createCipheriv } from 'node:crypto';
import { getSignature } from '@wecom/crypto';
import { startHarness, type Harness } from '../helpers/harness';
import { seal, textMessage } from '../helpers/wecom-callback';

/** Every refusal is a precise 4xx with a stable code, and nothing is stored. */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());
afterEach(async () => {
  expect(await h.app.db.inboundMessage.count()).toBe(0);
});

const now = () => String(Math.floor(Date.now() / 1000));

async function expectRejected(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(await res.json()).toEqual({ error: code });
}

it('refuses a wrong signature', async () => {
  const env = seal(h.keys, textMessage(h.keys, 'u1', 'hi'));
  await expectRejected(await h.post({ ...env.query, msg_signature: 'a'.repeat(40) }, env.body), 401, 'signature_mismatch');
  await expectRejected(await h.post({ ...env.query, msg_signature: 'short' }, env.body), 401, 'signature_mismatch');
});

it('refuses a message signed with another token', async () => {
  const env = seal({ ...h.keys, token: 'not-our-token' }, textMessage(h.keys, 'u1', 'hi'));
  await expectRejected(await h.post(env.query, env.body), 401, 'signature_mismatch');
});

it('refuses a message encrypted for another corp id', async () => {
  const env = seal({ ...h.keys, corpId: 'wwanothercorp' }, textMessage(h.keys, 'u1', 'hi'));
  await expectRejected(await h.post(env.query, env.body), 403, 'corp_id_mismatch');
});

it('refuses a stale timestamp (a replay)', async () => {
  const old = String(Math.floor(Date.now() / 1000) - 3600);
  const res = await h.deliver(textMessage(h.keys, 'u1', 'hi'), { timestamp: old });
  await expectRejected(res, 401, 'stale_timestamp');
});

it('refuses malformed XML, and XML with entity declarations', async () => {
  const env = seal(h.keys, textMessage(h.keys, 'u1', 'hi'));
  await expectRejected(await h.post(env.query, env.body.replace('</xml>', '')), 400, 'malformed_xml');
  await expectRejected(await h.post(env.query, 'not xml at all'), 400, 'malformed_xml');
  const bomb = `<!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>${env.body}`;
  await expectRejected(await h.post(env.query, bomb), 400, 'malformed_xml');
});

it('refuses an envelope without <Encrypt>', async () => {
  const body = '<xml><ToUserName><![CDATA[x]]></ToUserName></xml>';
  const ts = now();
  await expectRejected(await h.post({ msg_signature: getSignature(h.keys.token, ts, '1', ''), timestamp: ts, nonce: '1' }, body), 400, 'missing_encrypt');
});

it('refuses truncated ciphertext even when correctly signed', async () => {
  const ts = now();
  const full = seal(h.keys, textMessage(h.keys, 'u1', 'hi')).ciphertext;
  for (const ciphertext of [full.slice(0, 44), full.slice(0, full.length - 4), Buffer.from(full, 'base64').subarray(0, 48).toString('base64')]) {
    const body = `<xml><Encrypt><![CDATA[${ciphertext}]]></Encrypt></xml>`;
    const res = await h.post({ msg_signature: getSignature(h.keys.token, ts, '7', ciphertext), timestamp: ts, nonce: '7' }, body);
    await expectRejected(res, 400, 'bad_ciphertext');
  }
});

/** Encrypts raw bytes with the harness key, without any padding of its own. */
function rawEncrypt(plain: Buffer): string {
  const key = Buffer.from(`${h.keys.encodingAesKey}=`, 'base64');
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}

async function postSigned(ciphertext: string) {
  const ts = now();
  return h.post({ msg_signature: getSignature(h.keys.token, ts, '5', ciphertext), timestamp: ts, nonce: '5' }, `<xml><Encrypt><![CDATA[${ciphertext}]]></Encrypt></xml>`);
}

it('refuses ciphertext cut on a block boundary, which decrypts without error', async () => {
  const full = Buffer.from(seal(h.keys, textMessage(h.keys, 'u1', 'x'.repeat(200))).ciphertext, 'base64');
  expect(full.length).toBeGreaterThan(64);
  await expectRejected(await postSigned(full.subarray(0, full.length - 32).toString('base64')), 400, 'bad_ciphertext');
});

it('refuses a bad padding byte', async () => {
  const message = Buffer.from(textMessage(h.keys, 'u1', 'hi'));
  const len = Buffer.alloc(4);
  len.writeUInt32BE(message.length);
  const body = Buffer.concat([Buffer.alloc(16, 2), len, message, Buffer.from(h.keys.corpId)]);
  const pad = 32 - (body.length % 32);
  const padding = Buffer.alloc(pad, pad);
  padding[pad - 1] = 40; // a pad byte above the 32-byte block
  await expectRejected(await postSigned(rawEncrypt(Buffer.concat([body, padding]))), 400, 'bad_ciphertext');
  padding[pad - 1] = 0;
  await expectRejected(await postSigned(rawEncrypt(Buffer.concat([body, padding]))), 400, 'bad_ciphertext');
});

it('refuses ciphertext whose length field overruns the message', async () => {
  // Correctly encrypted and signed, but the 4-byte length claims 32,767 bytes of message:
  // @wecom/crypto would quietly slice what is there; we must refuse it.
  const key = Buffer.from(`${h.keys.encodingAesKey}=`, 'base64');
  const plain = Buffer.concat([Buffer.alloc(16, 1), Buffer.from([0, 0, 0x7f, 0xff]), Buffer.from('<xml/>'), Buffer.from(h.keys.corpId)]);
  const pad = 32 - (plain.length % 32);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  const forged = Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]).toString('base64');
  const ts = now();
  const body = `<xml><Encrypt><![CDATA[${forged}]]></Encrypt></xml>`;
  const res = await h.post({ msg_signature: getSignature(h.keys.token, ts, '9', forged), timestamp: ts, nonce: '9' }, body);
  await expectRejected(res, 400, 'bad_ciphertext');
});

it('refuses an oversize body with 413', async () => {
  const env = seal(h.keys, textMessage(h.keys, 'u1', 'hi'));
  const res = await h.post(env.query, env.body + ' '.repeat(70 * 1024));
  await expectRejected(res, 413, 'body_too_large');
});

it('refuses a request without the signature query parameters', async () => {
  const env = seal(h.keys, textMessage(h.keys, 'u1', 'hi'));
  await expectRejected(await h.post({ timestamp: env.query.timestamp, nonce: env.query.nonce }, env.body), 400, 'missing_query');
});

it('refuses a decrypted message without sender or type', async () => {
  const res = await h.deliver(`<xml><ToUserName><![CDATA[${h.keys.corpId}]]></ToUserName><Content>hi</Content></xml>`);
  await expectRejected(res, 400, 'malformed_message');
});
