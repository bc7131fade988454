import crypto from 'node:crypto';
import { decrypt, encrypt, getSignature } from '@wecom/crypto';

/** Why a callback was refused. Each maps to one HTTP status and one log line. */
export type RejectionCode =
  'missing_query' | 'body_too_large' | 'unreadable_body' | 'malformed_xml' | 'missing_encrypt' | 'signature_mismatch' | 'stale_timestamp' | 'bad_ciphertext' | 'corp_id_mismatch' | 'malformed_message';

const STATUS: Record<RejectionCode, number> = {
  missing_query: 400,
  body_too_large: 413,
  unreadable_body: 400,
  malformed_xml: 400,
  missing_encrypt: 400,
  signature_mismatch: 401,
  stale_timestamp: 401,
  bad_ciphertext: 400,
  corp_id_mismatch: 403,
  malformed_message: 400,
};

export class CallbackRejected extends Error {
  readonly status: number;
  constructor(
    readonly code: RejectionCode,
    /** For the operator's log: an instruction, never a secret. */
    readonly detail: string,
  ) {
    super(`${code}: ${detail}`);
    this.status = STATUS[code];
  }
}

export interface EnvelopeKeys {
  token: string;
  encodingAesKey: string;
  corpId: string;
}

const SHA1_HEX = /^[0-9a-f]{40}$/;

/** Compares the signature WeCom sent with ours in constant time, so timing reveals nothing about it. */
export function verifySignature(keys: EnvelopeKeys, signature: string, timestamp: string, nonce: string, payload: string): void {
  const expected = Buffer.from(getSignature(keys.token, timestamp, nonce, payload), 'utf8');
  const given = Buffer.from(signature.toLowerCase(), 'utf8');
  const ok = SHA1_HEX.test(signature.toLowerCase()) && crypto.timingSafeEqual(expected, given);
  if (!ok) throw new CallbackRejected('signature_mismatch', 'msg_signature does not match — check WECOM_TOKEN against the console');
}

export function checkFreshness(timestamp: string, maxSkewSeconds: number, now: Date): void {
  if (!/^\d{1,12}$/.test(timestamp)) throw new CallbackRejected('missing_query', 'timestamp is not a number');
  if (maxSkewSeconds === 0) return;
  const skew = Math.abs(now.getTime() / 1000 - Number(timestamp));
  if (skew > maxSkewSeconds) {
    throw new CallbackRejected('stale_timestamp', `timestamp is ${Math.round(skew)} s away from our clock (limit ${maxSkewSeconds} s) — a replay, or this server's clock is wrong`);
  }
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Decrypts with @wecom/crypto and then insists the ciphertext was well formed. The library
 * tolerates bad padding and a length field that overruns the buffer (it slices whatever is
 * there), so we re-encrypt what it returned with the same random prefix: only a consistent
 * envelope reproduces the ciphertext byte for byte.
 */
export function openEnvelope(keys: EnvelopeKeys, ciphertext: string): string {
  // AES-CBC works on 16-byte blocks and WeCom pads to 32: anything else is truncated or forged.
  const raw = BASE64.test(ciphertext) ? Buffer.from(ciphertext, 'base64') : null;
  if (!raw || raw.length === 0 || raw.length % 32 !== 0) {
    throw new CallbackRejected('bad_ciphertext', 'ciphertext is not base64 of whole 32-byte blocks');
  }
  let opened: ReturnType<typeof decrypt>;
  try {
    opened = decrypt(keys.encodingAesKey, ciphertext);
  } catch {
    throw new CallbackRejected('bad_ciphertext', 'ciphertext does not decrypt — check WECOM_ENCODING_AES_KEY');
  }
  if (encrypt(keys.encodingAesKey, opened.message, opened.id, opened.random) !== raw.toString('base64')) {
    throw new CallbackRejected('bad_ciphertext', 'padding or length field inconsistent — check WECOM_ENCODING_AES_KEY');
  }
  if (opened.id !== keys.corpId) {
    throw new CallbackRejected('corp_id_mismatch', 'decrypted receive-id is not WECOM_CORP_ID — check the corp id, or the message is for another corp');
  }
  return opened.message;
}

/** Encrypts and signs a message the way WeCom does: for passive replies, the sandbox and tests. */
export function sealEnvelope(keys: EnvelopeKeys, plaintext: string, timestamp: string, nonce: string) {
  const ciphertext = encrypt(keys.encodingAesKey, plaintext, keys.corpId);
  return { ciphertext, signature: getSignature(keys.token, timestamp, nonce, ciphertext) };
}
