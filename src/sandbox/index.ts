import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Koa from 'koa';
import Router from 'koa-router';
import getRawBody from 'raw-body';
import { z } from 'zod';
import { SANDBOX_API_PREFIX, type WecomConfig } from '../config';
import { sealEnvelope } from '../edge/envelope';
import type { Logger } from '../log';
import { PROJECT_ROOT } from '../paths';
import type { SandboxChat } from './chat-history';
import type { FakeWecom } from './fake-wecom';
import type { Db } from '../db';
import { roleName } from '../people';

const PAGE_DIR = path.join(PROJECT_ROOT, 'src', 'sandbox', 'page');
const PAGE_FILES: Record<string, string> = {
  '/sandbox': 'index.html',
  '/sandbox/app.js': 'app.js',
  '/sandbox/style.css': 'style.css',
};
const MAX_IMAGE_BYTES = 10 * 1024 * 1024;
/** WeCom's limit for a text message (message/send's `content`, 2,048 bytes of UTF-8), held to what visitors type too. */
export const TEXT_LIMIT_BYTES = 2048;

/** What a visitor did, as the sandbox page sends it. Each becomes one real encrypted callback. */
const visitorAction = z.discriminatedUnion('type', [
  // Its length is checked in bytes, as WeCom counts, with a Chinese answer (below).
  z.object({ type: z.literal('text'), user: z.string(), content: z.string().min(1) }),
  // Only raster images: an SVG served from our origin could carry script.
  z.object({ type: z.literal('image'), user: z.string(), filename: z.string().max(200), contentType: z.enum(['image/png', 'image/jpeg', 'image/gif', 'image/webp']), base64: z.string().min(8) }),
  z.object({ type: z.literal('click'), user: z.string(), key: z.string().min(1).max(128) }),
  z.object({ type: z.literal('scan'), user: z.string(), key: z.string().min(1).max(128), result: z.string().min(1).max(256), scanType: z.enum(['barcode', 'qrcode']).default('barcode') }),
  z.object({
    type: z.literal('card'),
    user: z.string(),
    taskId: z.string().min(1),
    key: z.string().min(1),
    cardType: z.string(),
    selections: z.array(z.object({ questionKey: z.string(), optionIds: z.array(z.string()) })).default([]),
  }),
  z.object({ type: z.literal('enter'), user: z.string() }),
]);
type VisitorAction = z.infer<typeof visitorAction>;

export interface SandboxOptions {
  db: Db;
  fake: FakeWecom;
  /** The chat so far (chat-history.ts): the visitors' lines, kept across restarts. */
  chat: SandboxChat;
  wecom: WecomConfig;
  /** The server's own callback URL (known once it listens). */
  callbackUrl: () => string;
  log: Logger;
}

/**
 * Sandbox mode: the fake WeCom API under /sandbox/wecom, the page at /sandbox, and the page's
 * API. Everything a visitor does is sealed with the demo token and key and POSTed to
 * /wecom/callback like WeCom would — nothing bypasses the edge, so what works here works there.
 */
export function sandboxMiddleware(opts: SandboxOptions): Koa.Middleware[] {
  const { fake, chat } = opts;
  const router = new Router({ prefix: '/sandbox' });

  /** Who a visitor can be: the demo chain's staff, managers first. */
  const personas = async () =>
    (await opts.db.staff.findMany({ where: { active: true }, include: { store: true }, orderBy: [{ storeCode: 'asc' }, { userid: 'asc' }] })).map((s) => ({
      userid: s.userid,
      name: s.name,
      role: roleName(s.role),
      store: s.store?.name ?? s.area ?? '',
      newHire: s.hireDate ? Date.now() - s.hireDate.getTime() < 30 * 86_400_000 : false,
    }));

  router.get('/api/state', async (ctx) => {
    const user = String(ctx.query.user ?? '');
    const bot = fake.messages
      .filter((m) => m.touser === user)
      .map((m) => ({
        from: 'bot' as const,
        at: m.at,
        msgtype: m.msgtype,
        body: m.msgtype === 'template_card' ? fake.cardView(String(m.body.task_id), user) : m.body,
        dropped: m.dropped ?? null,
      }));
    const own = chat.lines.filter((l) => l.user === user).map((l) => ({ from: 'me' as const, ...l }));
    ctx.body = {
      personas: await personas(),
      menu: fake.menu,
      messages: [...own, ...bot].sort((a, b) => a.at.getTime() - b.at.getTime()),
      calls: fake.calls.slice(-60).map((c) => ({ ...c, query: redactToken(c.query), answer: redactToken(c.answer as Record<string, string>) })),
    };
  });

  /** The demo catalogue's barcodes, for "scanning" without a camera. */
  router.get('/api/catalogue', async (ctx) => {
    const barcodes = await opts.db.skuBarcode.findMany({ include: { sku: true }, orderBy: [{ skuCode: 'asc' }, { barcode: 'asc' }] });
    ctx.body = barcodes.map((b) => ({ barcode: b.barcode, name: b.sku.name, unit: b.unit ?? b.sku.baseUnit }));
  });

  /**
   * The member panel: every demo member, and for those who are a WeCom customer contact the coupon
   * messages created for them — waiting for their owner's confirmation, or received once confirmed.
   */
  router.get('/api/members', async (ctx) => {
    const members = await opts.db.member.findMany({ orderBy: { code: 'asc' } });
    const staff = new Map((await opts.db.staff.findMany({ select: { userid: true, name: true } })).map((s) => [s.userid, s.name]));
    const tags = await opts.db.memberTag.findMany({ where: { memberCode: { in: members.map((m) => m.code) } }, orderBy: { tag: 'asc' } });
    const byEuid = new Map<string, { msgid: string; text: string; at: Date; status: string }[]>();
    for (const msg of fake.groupMsgs) {
      for (const euid of msg.externalUserids) {
        const result = msg.results?.get(euid);
        const status = msg.cancelled ? 'cancelled' : result === undefined ? 'pending' : result === 1 ? 'received' : result === 3 ? 'capped' : 'not_contact';
        const list = byEuid.get(euid) ?? [];
        list.push({ msgid: msg.msgid, text: String((msg.body.text as { content?: string } | undefined)?.content ?? ''), at: msg.createdAt, status });
        byEuid.set(euid, list);
      }
    }
    ctx.body = members.map((m) => ({
      code: m.code,
      name: m.name,
      store: m.homeStore,
      owner: m.ownerUserid,
      ownerName: staff.get(m.ownerUserid ?? '') ?? m.ownerUserid,
      optIn: m.marketingOptIn,
      contact: m.externalUserid !== null,
      tags: tags.filter((t) => t.memberCode === m.code).map((t) => t.tag),
      messages: m.externalUserid ? (byEuid.get(m.externalUserid) ?? []) : [],
    }));
  });

  /** The owner confirms a customer message in their WeCom client; in the sandbox, a button does it. */
  router.post('/api/members/confirm', async (ctx) => {
    if (!ctx.is('application/json')) {
      ctx.status = 415;
      ctx.body = { error: 'json_required' };
      return;
    }
    const raw = await getRawBody(ctx.req, { limit: 4096, encoding: 'utf8' });
    let body: unknown = null;
    try {
      body = JSON.parse(raw);
    } catch {
      // answered below as a bad request
    }
    const parsed = z.object({ msgid: z.string().min(1).max(100) }).safeParse(body);
    if (!parsed.success || !fake.groupMsgs.some((m) => m.msgid === parsed.data.msgid)) {
      ctx.status = 400;
      ctx.body = { error: 'unknown_msgid' };
      return;
    }
    if (fake.groupMsgs.find((m) => m.msgid === parsed.data.msgid)?.cancelled) {
      ctx.status = 409;
      ctx.body = { error: 'cancelled', message: '这条群发已被停止（优惠券已过期），不能再发送' };
      return;
    }
    fake.confirmGroupMsg(parsed.data.msgid);
    // The bot asks WeCom less and less often about a waiting message; the demo wants the
    // confirmation read back on the next minute's run, as a real owner's would be eventually.
    await opts.db.campaignMember.updateMany({ where: { msgid: parsed.data.msgid, status: 'awaiting_confirmation' }, data: { nextCheckAt: new Date() } });
    ctx.body = { confirmed: parsed.data.msgid };
  });

  router.get('/api/media/:id', (ctx) => {
    const file = fake.peekMedia(ctx.params.id);
    if (!file) {
      ctx.status = 404;
      ctx.body = { error: 'media_not_found' };
      return;
    }
    ctx.type = file.contentType;
    ctx.set('x-content-type-options', 'nosniff');
    ctx.set('content-security-policy', 'sandbox; default-src none');
    ctx.body = file.data;
  });

  router.post('/api/send', async (ctx) => {
    // JSON only: a form or text/plain POST from another site cannot act as a visitor (no CORS preflight for those).
    if (!ctx.is('application/json')) {
      ctx.status = 415;
      ctx.body = { error: 'json_required' };
      return;
    }
    let action: VisitorAction;
    try {
      action = visitorAction.parse(JSON.parse(await getRawBody(ctx.req, { limit: MAX_IMAGE_BYTES * 1.4, encoding: 'utf8' })));
    } catch (err) {
      ctx.status = 400;
      ctx.body = { error: 'bad_request', detail: err instanceof z.ZodError ? z.prettifyError(err) : String((err as Error).message) };
      return;
    }
    if (action.type === 'text' && Buffer.byteLength(action.content, 'utf8') > TEXT_LIMIT_BYTES) {
      ctx.status = 400;
      ctx.body = { error: 'text_too_long', message: tooLong(action.content) };
      return;
    }
    if (!(await opts.db.staff.findUnique({ where: { userid: action.user } }))) {
      ctx.status = 400;
      ctx.body = { error: 'unknown_user' };
      return;
    }
    const { xml, line } = toCallback(action, fake, opts.wecom.corpId, opts.wecom.agentId);
    const status = await deliver(opts, xml);
    if (line) await chat.addLine({ ...line, user: action.user, at: new Date(), status });
    ctx.body = { status };
  });

  const page: Koa.Middleware = async (ctx, next) => {
    const file = PAGE_FILES[ctx.path];
    if (!file || ctx.method !== 'GET') return next();
    ctx.type = path.extname(file);
    ctx.set('cache-control', 'no-cache');
    ctx.body = fs.createReadStream(path.join(PAGE_DIR, file));
  };

  return [fake.routes(SANDBOX_API_PREFIX), page, router.routes() as Koa.Middleware, router.allowedMethods() as Koa.Middleware];
}

/** Builds the XML WeCom would put in the envelope for what the visitor did. */
function toCallback(action: VisitorAction, fake: FakeWecom, corpId: string, agentId: number) {
  const createTime = Math.floor(Date.now() / 1000);
  const head = `<ToUserName><![CDATA[${corpId}]]></ToUserName><FromUserName><![CDATA[${action.user}]]></FromUserName><CreateTime>${createTime}</CreateTime>`;
  const tail = `<AgentID>${agentId}</AgentID>`;
  const msgId = () => `<MsgId>${BigInt('0x' + crypto.randomBytes(7).toString('hex')) + 7000000000000000000n}</MsgId>`;
  const event = (name: string, key: string, extra = '') =>
    `<xml>${head}<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[${name}]]></Event><EventKey><![CDATA[${cdata(key)}]]></EventKey>${extra}${tail}</xml>`;
  switch (action.type) {
    case 'text':
      return {
        xml: `<xml>${head}<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${cdata(action.content)}]]></Content>${msgId()}${tail}</xml>`,
        line: { kind: 'text' as const, text: action.content },
      };
    case 'image': {
      const mediaId = fake.putMedia(Buffer.from(action.base64, 'base64'), action.contentType, action.filename);
      const picUrl = `/sandbox/api/media/${mediaId}`;
      return {
        xml: `<xml>${head}<MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[${picUrl}]]></PicUrl><MediaId><![CDATA[${mediaId}]]></MediaId>${msgId()}${tail}</xml>`,
        line: { kind: 'image' as const, text: action.filename, mediaId },
      };
    }
    case 'click':
      return { xml: event('click', action.key), line: { kind: 'click' as const, text: `点击菜单：${action.key}` } };
    case 'scan':
      return {
        xml: event('scancode_waitmsg', action.key, `<ScanCodeInfo><ScanType><![CDATA[${action.scanType}]]></ScanType><ScanResult><![CDATA[${cdata(action.result)}]]></ScanResult></ScanCodeInfo>`),
        line: { kind: 'scan' as const, text: `扫码：${action.result}` },
      };
    case 'card': {
      const selected = action.selections
        .map(
          (s) =>
            `<SelectedItem><QuestionKey><![CDATA[${cdata(s.questionKey)}]]></QuestionKey><OptionIds>${s.optionIds.map((id) => `<OptionId><![CDATA[${cdata(id)}]]></OptionId>`).join('')}</OptionIds></SelectedItem>`,
        )
        .join('');
      const extra = `<TaskId><![CDATA[${cdata(action.taskId)}]]></TaskId><CardType><![CDATA[${action.cardType}]]></CardType><ResponseCode><![CDATA[${fake.issueResponseCode(action.taskId)}]]></ResponseCode>${selected ? `<SelectedItems>${selected}</SelectedItems>` : ''}`;
      return { xml: event('template_card_event', action.key, extra), line: null };
    }
    case 'enter':
      return { xml: event('enter_agent', ''), line: null };
  }
}

/** POSTs the sealed callback to our own /wecom/callback, exactly as WeCom would. */
async function deliver(opts: SandboxOptions, xml: string): Promise<number> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = String(crypto.randomInt(1e9));
  const { ciphertext, signature } = sealEnvelope(opts.wecom, xml, timestamp, nonce);
  const query = new URLSearchParams({ msg_signature: signature, timestamp, nonce });
  const body = `<xml><ToUserName><![CDATA[${opts.wecom.corpId}]]></ToUserName><Encrypt><![CDATA[${ciphertext}]]></Encrypt><AgentID><![CDATA[${opts.wecom.agentId}]]></AgentID></xml>`;
  const res = await fetch(`${opts.callbackUrl()}?${query}`, { method: 'POST', body, headers: { 'content-type': 'text/xml' } });
  if (res.status !== 200) opts.log.warn({ status: res.status, answer: await res.text() }, 'sandbox callback refused by the edge');
  return res.status;
}

/** Staff read why in Chinese, with the limit and how far over they are. */
function tooLong(content: string): string {
  const bytes = Buffer.byteLength(content, 'utf8');
  return `消息太长：企业微信一条文字消息最多 ${TEXT_LIMIT_BYTES} 字节（约 ${Math.floor(TEXT_LIMIT_BYTES / 3)} 个汉字），这条有 ${[...content].length} 个字、${bytes} 字节。请分几条发送。`;
}

/** CDATA cannot contain its own terminator; split it the standard way. */
function cdata(text: string): string {
  return text.replaceAll(']]>', ']]]]><![CDATA[>');
}

/** Even the fake's tokens stay out of the browser, as a real one must. */
function redactToken<T extends Record<string, unknown>>(fields: T): T {
  return typeof fields?.access_token === 'string' ? { ...fields, access_token: `${fields.access_token.slice(0, 6)}…` } : fields;
}
