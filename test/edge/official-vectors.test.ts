import fs from 'node:fs';
import path from 'node:path';
import { getSignature } from '@wecom/crypto';
import { checkFreshness, openEnvelope, verifySignature } from '../../src/edge/envelope';
import { parseXml } from '../../src/edge/xml';
import { readInboundXml } from '../../src/edge/inbound';

/** WeCom's official WXBizMsgCrypt sample vectors (both sets, copied from shared/wecom-vectors.json), through our own crypto path. */
const vectors = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../fixtures/wecom/official-vectors.json'), 'utf8'));

describe.each([
  ['sbzhu/weworkapi_php Sample.php', vectors],
  ['sbzhu/weworkapi_python Sample.py', vectors.altSet],
])('official vectors from %s', (_name, set) => {
  const keys = { token: set.token, encodingAesKey: set.encodingAesKey, corpId: set.corpId };

  it('verifies and decrypts the URL-verification echostr', () => {
    const v = set.verify;
    expect(() => verifySignature(keys, v.msgSignature, v.timestamp, v.nonce, v.echostr)).not.toThrow();
    expect(openEnvelope(keys, v.echostr)).toBe(v.expectedPlain);
  });

  it('verifies and decrypts the POST envelope to the expected message', () => {
    const p = set.post;
    const encrypt = String(parseXml(p.body).Encrypt);
    expect(getSignature(keys.token, p.timestamp, p.nonce, encrypt)).toBe(p.msgSignature);
    expect(() => verifySignature(keys, p.msgSignature, p.timestamp, p.nonce, encrypt)).not.toThrow();
    const plain = openEnvelope(keys, encrypt);
    if (p.expectedXml) expect(plain).toBe(p.expectedXml);
    const message = readInboundXml(parseXml(plain));
    expect(message.msgType).toBe('text');
    expect(message.dedupeKey).toMatch(/^msg:\d+$/);
  });

  it('is refused by the freshness window unless it is disabled (the vectors are from 2014)', () => {
    const p = set.post;
    expect(() => checkFreshness(p.timestamp, 300, new Date())).toThrow(/stale_timestamp/);
    expect(() => checkFreshness(p.timestamp, 0, new Date())).not.toThrow();
  });

  it('refuses the envelope under another corp id', () => {
    expect(() => openEnvelope({ ...keys, corpId: 'wwsomeoneelse' }, set.verify.echostr)).toThrow(/corp_id_mismatch/);
  });
});

it('keeps MsgId as an exact string (it exceeds 2^53)', () => {
  const plain = vectors.post.expectedXml;
  expect(readInboundXml(parseXml(plain)).msgId).toBe('4561255354251345929');
});
