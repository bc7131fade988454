import crypto from 'node:crypto';
import { sealEnvelope, type EnvelopeKeys } from '../../src/edge/envelope';

/** Builds the XML WeCom puts inside an envelope, shaped like the official samples. */
export function innerXml(fields: Record<string, string | number | undefined>, extra = ''): string {
  const parts = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => (typeof v === 'number' ? `<${k}>${v}</${k}>` : `<${k}><![CDATA[${v}]]></${k}>`));
  return `<xml>${parts.join('')}${extra}</xml>`;
}

let msgSeq = 1_000_000n;
export const nextMsgId = () => String(4561255354251345929n + msgSeq++);

export function textMessage(keys: EnvelopeKeys, from: string, content: string, opts: { msgId?: string; createTime?: number } = {}): string {
  return innerXml({
    ToUserName: keys.corpId,
    FromUserName: from,
    CreateTime: opts.createTime ?? Math.floor(Date.now() / 1000),
    MsgType: 'text',
    Content: content,
    MsgId: opts.msgId ?? nextMsgId(),
    AgentID: 1000002,
  });
}

export function eventMessage(keys: EnvelopeKeys, from: string, event: string, eventKey = '', extra = '', createTime = Math.floor(Date.now() / 1000)): string {
  return innerXml({ ToUserName: keys.corpId, FromUserName: from, CreateTime: createTime, MsgType: 'event', Event: event, EventKey: eventKey, AgentID: 1000002 }, extra);
}

/** Encrypts and signs like WeCom: the query string and the XML body of a POST callback. */
export function seal(keys: EnvelopeKeys, plaintext: string, opts: { timestamp?: string; nonce?: string } = {}) {
  const timestamp = opts.timestamp ?? String(Math.floor(Date.now() / 1000));
  const nonce = opts.nonce ?? String(crypto.randomInt(1e9));
  const { ciphertext, signature } = sealEnvelope(keys, plaintext, timestamp, nonce);
  return {
    query: { msg_signature: signature, timestamp, nonce },
    body: `<xml><ToUserName><![CDATA[${keys.corpId}]]></ToUserName><Encrypt><![CDATA[${ciphertext}]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>`,
    ciphertext,
  };
}

export function randomKeys(): EnvelopeKeys {
  return {
    token: crypto.randomBytes(12).toString('hex'),
    encodingAesKey: crypto.randomBytes(32).toString('base64').slice(0, 43),
    corpId: `ww${crypto.randomBytes(8).toString('hex')}`,
  };
}
