import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import getRawBody from 'raw-body';
import { systemClock, type Clock } from '../clock';

/**
 * An in-process fake of the WeCom server API, faithful where it matters to a caller: access
 * tokens that expire, required fields, content limits, per-member frequency limits (excess
 * silently dropped, as WeCom does), duplicate checks, single-use response codes, media ids that
 * expire. It records every call. Tests point WECOM_API_BASE at it; so does the sandbox.
 */

export interface FakeWecomOptions {
  corpId: string;
  secret: string;
  agentId: number;
  tokenTtlSeconds?: number;
  clock?: Clock;
}

export interface RecordedCall {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  answer: unknown;
  at: Date;
}

export interface DeliveredMessage {
  touser: string;
  msgtype: string;
  body: Record<string, unknown>;
  msgid: string;
  at: Date;
  /** Why WeCom accepted it but nobody saw it. */
  dropped?: 'frequency_limit' | 'duplicate';
}

/**
 * What the fake keeps of a conversation, as plain JSON a caller may save and hand to a new fake's
 * `restore` (the sandbox keeps its chat in the database across restarts): a message delivered,
 * with the request it came in (the duplicate check compares it) and a card's response code; a
 * card rewritten; a media file; a mass message to customers.
 */
export type FakeRecord =
  | { kind: 'delivered'; message: Omit<DeliveredMessage, 'at'> & { at: string }; request: string; responseCode?: string }
  | { kind: 'card_update'; at: string; update: Record<string, unknown> }
  | { kind: 'media'; id: string; contentType: string; filename: string; createdAt: number; base64: string }
  /** A mass message to customers as it stands after each change (created, confirmed, reminded, cancelled). */
  | { kind: 'group_msg'; at: string; msg: Omit<FakeGroupMsg, 'createdAt' | 'results'> & { createdAt: string; results: [string, number][] | null } };

/** A customer (外部联系人) and the members who have them as a contact, with each member's tags. */
interface FakeContact {
  external_userid: string;
  name: string;
  follow: Map<string, Set<string>>;
}

/** A mass message to customers, waiting for (or confirmed by) the member who sends it. */
export interface FakeGroupMsg {
  msgid: string;
  sender: string;
  externalUserids: string[];
  body: Record<string, unknown>;
  createdAt: Date;
  /** Per customer once the sender confirmed: 1 sent, 2 not a contact, 3 over the monthly cap. */
  results: Map<string, number> | null;
  reminded: number;
  /** Stopped by cancel_groupmsg_send before the sender confirmed it: it can no longer be sent. */
  cancelled: boolean;
}

interface Fault {
  path: string;
  answer: { errcode: number; errmsg: string } | { httpStatus: number };
  remaining: number;
  /** Only calls whose JSON body this accepts fail (one recipient's messages, say). */
  when?: (body: Record<string, unknown>) => boolean;
}

const CONTENT_LIMIT_BYTES = 2048;
const MEDIA_TTL_MS = 3 * 86_400_000;
const RESPONSE_CODE_TTL_MS = 72 * 3_600_000;
const OAUTH_CODE_TTL_MS = 5 * 60_000;
const CARD_TYPES = new Set(['text_notice', 'news_notice', 'button_interaction', 'vote_interaction', 'multiple_interaction']);
const INTERACTIVE = new Set(['button_interaction', 'vote_interaction', 'multiple_interaction']);

const err = (errcode: number, errmsg: string) => ({ errcode, errmsg });

export class FakeWecom {
  readonly calls: RecordedCall[] = [];
  readonly messages: DeliveredMessage[] = [];
  readonly cardUpdates: Record<string, unknown>[] = [];
  menu: unknown = null;
  private readonly tokens = new Map<string, number>();
  private readonly media = new Map<string, { data: Buffer; contentType: string; filename: string; createdAt: number }>();
  private readonly responseCodes = new Map<string, { createdAt: number; used: boolean; taskId?: string }>();
  private readonly taskIds = new Set<string>();
  private readonly oauthCodes = new Map<string, { userid: string; createdAt: number; used: boolean }>();
  private readonly faults: Fault[] = [];
  private readonly lostAnswers: Omit<Fault, 'answer'>[] = [];
  /** The whole request each delivery came in, as WeCom's duplicate check compares it. */
  private readonly requests = new WeakMap<DeliveredMessage, string>();
  private readonly clock: Clock;
  private msgSeq = 0;
  private readonly contacts = new Map<string, FakeContact>();
  private readonly tagGroups: { group_id: string; group_name: string; create_time: number; tag: { id: string; name: string; create_time: number }[] }[] = [];
  readonly groupMsgs: FakeGroupMsg[] = [];
  /** Set by saveRecordsTo: records not yet handed to it. */
  private saver: ((records: FakeRecord[]) => Promise<void>) | null = null;
  private readonly unsaved: FakeRecord[] = [];

  constructor(readonly opts: FakeWecomOptions) {
    this.clock = opts.clock ?? systemClock;
  }

  /** The next `times` calls to `path` (e.g. 'message/send') answer with this instead. */
  failNext(path: string, answer: Fault['answer'], times = 1, when?: Fault['when']): void {
    this.faults.push({ path, answer, remaining: times, when });
  }

  /**
   * The next `times` calls to `path` are carried out — a message is delivered — but the answer
   * never reaches the caller: the connection drops, as in a timeout after WeCom took the request.
   */
  loseNextAnswer(path: string, times = 1, when?: Fault['when']): void {
    this.lostAnswers.push({ path, remaining: times, when });
  }

  clearFaults(): void {
    this.faults.length = 0;
    this.lostAnswers.length = 0;
  }

  /** Every issued token now answers 42001, as after WeCom invalidates them early. */
  expireAllTokens(): void {
    for (const token of this.tokens.keys()) this.tokens.set(token, 0);
  }

  callsTo(path: string): RecordedCall[] {
    return this.calls.filter((c) => c.path === path);
  }

  /** Messages a member actually received (not dropped). */
  inbox(userid: string): DeliveredMessage[] {
    return this.messages.filter((m) => m.touser === userid && !m.dropped);
  }

  /**
   * What WeCom's OAuth page would put on the redirect after `userid` opened it: a code that
   * auth/getuserinfo turns into the userid once, within 5 minutes.
   */
  issueOAuthCode(userid: string): string {
    const code = crypto.randomBytes(16).toString('hex');
    this.oauthCodes.set(code, { userid, createdAt: this.clock.now().getTime(), used: false });
    return code;
  }

  /** Makes `external_userid` a customer contact of member `followUserid` (the sandbox's members). */
  addExternalContact(contact: { external_userid: string; name: string; follow_userid: string }): void {
    const existing = this.contacts.get(contact.external_userid);
    const follow = existing?.follow ?? new Map<string, Set<string>>();
    if (!follow.has(contact.follow_userid)) follow.set(contact.follow_userid, new Set());
    this.contacts.set(contact.external_userid, { external_userid: contact.external_userid, name: contact.name, follow });
  }

  /**
   * The sender confirms a mass message in their client, as WeCom requires. Each customer gets it
   * unless they are not the sender's contact (2) or already had `monthlyCap` mass messages this
   * month (3) — the cap WeCom applies, configurable because WeCom has changed it.
   */
  confirmGroupMsg(msgid: string, monthlyCap = daysInMonth(this.clock.now())): FakeGroupMsg {
    const msg = this.groupMsgs.find((m) => m.msgid === msgid);
    if (!msg) throw new Error(`no mass message ${msgid}`);
    if (msg.cancelled) throw new Error(`mass message ${msgid} was cancelled`);
    if (msg.results) return msg;
    const now = this.clock.now();
    msg.results = new Map();
    for (const euid of msg.externalUserids) {
      const contact = this.contacts.get(euid);
      const thisMonth = this.customerInbox(euid).filter((m) => m.createdAt.getUTCFullYear() === now.getUTCFullYear() && m.createdAt.getUTCMonth() === now.getUTCMonth()).length;
      msg.results.set(euid, !contact?.follow.has(msg.sender) ? 2 : thisMonth >= monthlyCap ? 3 : 1);
    }
    this.recordGroupMsg(msg);
    return msg;
  }

  /** Mass messages a customer actually received. */
  customerInbox(externalUserid: string): FakeGroupMsg[] {
    return this.groupMsgs.filter((m) => m.results?.get(externalUserid) === 1);
  }

  /** A stored file, for showing it in the sandbox page (no token, no expiry check). */
  peekMedia(id: string) {
    return this.media.get(id) ?? null;
  }

  /**
   * Every record the fake makes from now on goes to `save` before the call that made it is
   * answered (and on saveRecords), so what a caller was told was delivered is saved.
   */
  saveRecordsTo(save: (records: FakeRecord[]) => Promise<void>): void {
    this.saver = save;
  }

  async saveRecords(): Promise<void> {
    if (!this.saver || this.unsaved.length === 0) return;
    await this.saver(this.unsaved.splice(0));
  }

  private record(record: FakeRecord): void {
    if (this.saver) this.unsaved.push(record);
  }

  private recordGroupMsg(msg: FakeGroupMsg): void {
    this.record({ kind: 'group_msg', at: this.clock.now().toISOString(), msg: { ...msg, createdAt: msg.createdAt.toISOString(), results: msg.results ? [...msg.results] : null } });
  }

  /** Takes back what an earlier fake recorded: its messages, card updates and media, as they were. */
  restore(records: FakeRecord[]): void {
    for (const r of records) {
      if (r.kind === 'delivered') {
        const message: DeliveredMessage = { ...r.message, at: new Date(r.message.at) };
        this.messages.push(message);
        this.requests.set(message, r.request);
        this.msgSeq = Math.max(this.msgSeq, Number(/^fake_msg_(\d+)$/.exec(message.msgid)?.[1] ?? 0));
        if (message.msgtype === 'template_card' && message.body.task_id !== undefined) this.taskIds.add(String(message.body.task_id));
        if (r.responseCode && !this.responseCodes.has(r.responseCode))
          this.responseCodes.set(r.responseCode, { createdAt: message.at.getTime(), used: false, taskId: String(message.body.task_id ?? '') });
      } else if (r.kind === 'card_update') {
        this.cardUpdates.push(r.update);
        const code = this.responseCodes.get(String(r.update.response_code ?? ''));
        if (code) code.used = true;
      } else if (r.kind === 'media') {
        this.media.set(r.id, { data: Buffer.from(r.base64, 'base64'), contentType: r.contentType, filename: r.filename, createdAt: r.createdAt });
      } else {
        const msg: FakeGroupMsg = { ...r.msg, createdAt: new Date(r.msg.createdAt), results: r.msg.results ? new Map(r.msg.results) : null };
        const at = this.groupMsgs.findIndex((m) => m.msgid === msg.msgid);
        if (at >= 0) this.groupMsgs[at] = msg;
        else this.groupMsgs.push(msg);
      }
    }
  }

  /** Stores a file as if a member had sent it from their phone; returns its media id. */
  putMedia(data: Buffer, contentType: string, filename: string): string {
    const id = `fake_media_${crypto.randomBytes(12).toString('hex')}`;
    const createdAt = this.clock.now().getTime();
    this.media.set(id, { data, contentType, filename, createdAt });
    this.record({ kind: 'media', id, contentType, filename, createdAt, base64: data.toString('base64') });
    return id;
  }

  /** Koa middleware answering <prefix>/cgi-bin/* like WeCom; other paths fall through. */
  routes(prefix = ''): Koa.Middleware {
    const answerCalls = this.answerCalls(prefix);
    return async (ctx, next) => {
      await answerCalls(ctx, next);
      // Saved before the answer goes out, so what the bot was told is delivered is kept — with what
      // the routes behind this one recorded (the sandbox page's photo, a coupon message confirmed).
      await this.saveRecords();
    };
  }

  private answerCalls(prefix: string): Koa.Middleware {
    const base = `${prefix}/cgi-bin/`;
    return async (ctx, next) => {
      if (!ctx.path.startsWith(base)) return next();
      const path = ctx.path.slice(base.length);
      const query = Object.fromEntries(Object.entries(ctx.query).map(([k, v]) => [k, String(v)]));
      const raw = ctx.method === 'POST' ? await getRawBody(ctx.req, { limit: '25mb' }) : Buffer.alloc(0);
      const contentType = ctx.get('content-type');
      let body: unknown = null;
      if (contentType.includes('json') && raw.length) {
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          return this.answer(ctx, { method: ctx.method, path, query, body: raw.toString('utf8') }, err(47001, 'data format error'));
        }
      }
      const call = { method: ctx.method, path, query, body };
      const lost = this.lostAnswers.find((f) => f.path === path && f.remaining > 0 && (!f.when || f.when((body ?? {}) as Record<string, unknown>)));
      if (lost) {
        lost.remaining--;
        ctx.state.loseAnswer = true;
      }
      const fault = this.faults.find((f) => f.path === path && f.remaining > 0 && (!f.when || f.when((body ?? {}) as Record<string, unknown>)));
      if (fault) {
        fault.remaining--;
        if ('httpStatus' in fault.answer) {
          this.calls.push({ ...call, answer: { httpStatus: fault.answer.httpStatus }, at: this.clock.now() });
          ctx.status = fault.answer.httpStatus;
          ctx.body = 'fake outage';
          return;
        }
        return this.answer(ctx, call, fault.answer);
      }
      if (path === 'gettoken') return this.answer(ctx, call, this.getToken(query));
      const tokenProblem = this.checkToken(query.access_token);
      if (tokenProblem) return this.answer(ctx, call, tokenProblem);
      switch (path) {
        case 'message/send':
          return this.answer(ctx, call, this.send(body as Record<string, unknown>));
        case 'message/update_template_card':
          return this.answer(ctx, call, this.updateCard(body as Record<string, unknown>));
        case 'auth/getuserinfo': {
          const issued = this.oauthCodes.get(query.code ?? '');
          if (!issued || issued.used || this.clock.now().getTime() - issued.createdAt > OAUTH_CODE_TTL_MS) return this.answer(ctx, call, err(40029, 'invalid code'));
          issued.used = true;
          return this.answer(ctx, call, { userid: issued.userid, user_ticket: crypto.randomBytes(8).toString('hex') });
        }
        case 'menu/create':
          return this.answer(ctx, call, this.createMenu(query, body as Record<string, unknown>));
        case 'externalcontact/get':
          return this.answer(ctx, call, this.getContact(query.external_userid));
        case 'externalcontact/get_corp_tag_list':
          return this.answer(ctx, call, { tag_group: this.tagGroups });
        case 'externalcontact/add_corp_tag':
          return this.answer(ctx, call, this.addCorpTag(body as Record<string, unknown>));
        case 'externalcontact/mark_tag':
          return this.answer(ctx, call, this.markTag(body as Record<string, unknown>));
        case 'externalcontact/add_msg_template':
          return this.answer(ctx, call, this.addMsgTemplate(body as Record<string, unknown>));
        case 'externalcontact/get_groupmsg_send_result':
          return this.answer(ctx, call, this.groupMsgResult(body as Record<string, unknown>));
        case 'externalcontact/remind_groupmsg_send': {
          const msg = this.groupMsgs.find((m) => m.msgid === (body as { msgid?: string } | null)?.msgid);
          if (!msg) return this.answer(ctx, call, err(41063, 'invalid msgid'));
          msg.reminded++;
          this.recordGroupMsg(msg);
          return this.answer(ctx, call, {});
        }
        case 'externalcontact/cancel_groupmsg_send': {
          const msg = this.groupMsgs.find((m) => m.msgid === (body as { msgid?: string } | null)?.msgid);
          if (!msg) return this.answer(ctx, call, err(41063, 'invalid msgid'));
          // As in WeCom: what the sender already sent stays sent; only an unconfirmed message stops.
          if (!msg.results) msg.cancelled = true;
          this.recordGroupMsg(msg);
          return this.answer(ctx, call, {});
        }
        case 'media/upload':
          return this.answer(ctx, call, await this.upload(query, raw, contentType));
        case 'media/get': {
          const file = this.media.get(query.media_id ?? '');
          if (!file || this.clock.now().getTime() - file.createdAt > MEDIA_TTL_MS) return this.answer(ctx, call, err(40007, 'invalid media_id'));
          this.calls.push({ ...call, answer: { file: file.filename }, at: this.clock.now() });
          ctx.type = file.contentType;
          // Header values are Latin-1: a Chinese file name goes in RFC 5987's filename*.
          ctx.set('content-disposition', `attachment; filename="${file.filename.replace(/[^\x20-\x7e]|"/g, '_')}"; filename*=UTF-8''${encodeURIComponent(file.filename)}`);
          ctx.body = file.data;
          return;
        }
        default:
          return this.answer(ctx, call, err(60011, `fake WeCom does not implement ${path}`));
      }
    };
  }

  /** Runs the fake on its own loopback port (tests). */
  async listen(): Promise<{ url: string; close: () => Promise<void> }> {
    const app = new Koa();
    app.use(this.routes());
    const server = http.createServer(app.callback());
    // Longer than the client's idle keep-alive (undici: 4 s): with node's default 5 s, a loaded
    // machine's late timers let the client reuse a connection the fake just closed (ECONNRESET).
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}`,
      close: () =>
        new Promise((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    };
  }

  private answer(ctx: Koa.Context, call: Omit<RecordedCall, 'answer' | 'at'>, answer: Record<string, unknown>): void {
    const full = { errcode: 0, errmsg: 'ok', ...answer };
    this.calls.push({ ...call, answer: full, at: this.clock.now() });
    if (ctx.state.loseAnswer) ctx.req.socket.destroy();
    else ctx.body = full;
  }

  private getToken(query: Record<string, string>) {
    if (query.corpid !== this.opts.corpId) return err(40013, 'invalid corpid');
    if (query.corpsecret !== this.opts.secret) return err(40001, 'invalid credential, access_token is invalid or not latest');
    const token = crypto.randomBytes(32).toString('base64url');
    const ttl = this.opts.tokenTtlSeconds ?? 7200;
    this.tokens.set(token, this.clock.now().getTime() + ttl * 1000);
    return { access_token: token, expires_in: ttl };
  }

  private checkToken(token: string | undefined) {
    if (!token) return err(41001, 'access_token missing');
    const expiresAt = this.tokens.get(token);
    if (expiresAt === undefined) return err(40014, 'invalid access_token');
    if (expiresAt <= this.clock.now().getTime()) return err(42001, 'access_token expired');
    return null;
  }

  private send(body: Record<string, unknown> | null) {
    if (!body) return err(44004, 'empty post data');
    if (Number(body.agentid) !== this.opts.agentId) return err(40056, 'invalid agentid');
    const msgtype = String(body.msgtype ?? '');
    const payload = body[msgtype] as Record<string, unknown> | undefined;
    if (!msgtype || !payload) return err(40008, 'invalid message type');
    const users = String(body.touser ?? '')
      .split('|')
      .filter(Boolean);
    if (users.length === 0 && !body.toparty && !body.totag) return err(40035, 'touser, toparty and totag are all empty');
    if (users.length > 1000) return err(40035, 'touser over 1000');
    if (msgtype === 'text' || msgtype === 'markdown') {
      const content = String(payload.content ?? '');
      if (!content) return err(44004, 'empty content');
      if (Buffer.byteLength(content, 'utf8') > CONTENT_LIMIT_BYTES) return err(45002, 'content size out of limit');
    } else if (msgtype === 'template_card') {
      const problem = this.checkCard(payload);
      if (problem) return problem;
    } else if (!['image', 'file', 'voice', 'video', 'textcard', 'news', 'mpnews'].includes(msgtype)) {
      return err(40008, 'invalid message type');
    }
    const now = this.clock.now();
    const msgid = `fake_msg_${++this.msgSeq}`;
    const responseCode = msgtype === 'template_card' ? crypto.randomBytes(16).toString('hex') : undefined;
    if (responseCode) this.responseCodes.set(responseCode, { createdAt: now.getTime(), used: false, taskId: String(payload.task_id ?? '') });
    // WeCom's duplicate check (path/90236): "同样内容（请求json）的消息" within the interval —
    // the whole request, not only the text — default 1,800 s, at most 4 hours.
    const interval = Number(body.duplicate_check_interval ?? 1800) * 1000;
    const request = JSON.stringify(body);
    for (const touser of users) {
      const delivered = this.messages.filter((m) => m.touser === touser && !m.dropped);
      const lastMinute = delivered.filter((m) => now.getTime() - m.at.getTime() < 60_000).length;
      const lastHour = delivered.filter((m) => now.getTime() - m.at.getTime() < 3_600_000).length;
      const duplicate = Number(body.enable_duplicate_check) === 1 && this.messages.some((m) => m.touser === touser && now.getTime() - m.at.getTime() < interval && this.requests.get(m) === request);
      const message: DeliveredMessage = {
        touser,
        msgtype,
        body: payload,
        msgid,
        at: now,
        // WeCom accepts the call and silently drops past 30 a minute or 1,000 an hour to one member.
        dropped: duplicate ? 'duplicate' : lastMinute >= 30 || lastHour >= 1000 ? 'frequency_limit' : undefined,
      };
      this.requests.set(message, request);
      this.messages.push(message);
      this.record({ kind: 'delivered', message: { ...message, at: now.toISOString() }, request, ...(responseCode ? { responseCode } : {}) });
    }
    return { msgid, ...(responseCode ? { response_code: responseCode } : {}), invaliduser: '' };
  }

  private checkCard(card: Record<string, unknown>) {
    const type = String(card.card_type ?? '');
    if (!CARD_TYPES.has(type)) return err(40058, 'template_card.card_type invalid');
    const taskId = card.task_id === undefined ? undefined : String(card.task_id);
    // WeCom's one code for a task_id it cannot take (seen in the wild: "taskid has existed or empty or exceed max len").
    const taskIdTaken = err(42014, 'taskid has existed or empty or exceed max len');
    if (INTERACTIVE.has(type) && !taskId) return taskIdTaken;
    if (taskId !== undefined) {
      if (taskId.length === 0 || taskId.length > 128 || this.taskIds.has(taskId)) return taskIdTaken;
      if (!/^[A-Za-z0-9_\-@]+$/.test(taskId)) return err(40058, 'template_card.task_id invalid');
      this.taskIds.add(taskId);
    }
    const mainTitle = card.main_title as { title?: string } | undefined;
    if (mainTitle?.title && Buffer.byteLength(mainTitle.title) > 36 * 3) return err(40058, 'main_title.title too long');
    const buttons = (card.button_list as { text?: string; key?: string }[] | undefined) ?? [];
    if (type === 'button_interaction') {
      if (buttons.length === 0 || buttons.length > 6) return err(40058, 'button_list must have 1–6 buttons');
      if (buttons.some((b) => !b.text || !b.key)) return err(40058, 'button_list[].text and key are required');
    }
    const submit = card.submit_button as { text?: string; key?: string } | undefined;
    if ((type === 'vote_interaction' || type === 'multiple_interaction') && (!submit?.text || !submit.key)) return err(40058, 'submit_button.text and key are required');
    if (type === 'vote_interaction') {
      const checkbox = card.checkbox as { question_key?: string; option_list?: unknown[] } | undefined;
      if (!checkbox?.question_key || !checkbox.option_list?.length || checkbox.option_list.length > 20) return err(40058, 'checkbox needs question_key and 1–20 options');
    }
    if (type === 'multiple_interaction') {
      const selects = (card.select_list as { question_key?: string; option_list?: unknown[] }[] | undefined) ?? [];
      if (selects.length === 0 || selects.length > 3 || selects.some((q) => !q.question_key || !q.option_list?.length)) return err(40058, 'select_list needs 1–3 questions with options');
    }
    if ((type === 'text_notice' || type === 'news_notice') && !mainTitle?.title && !card.sub_title_text) return err(40058, 'main_title.title or sub_title_text is required');
    return null;
  }

  private updateCard(body: Record<string, unknown> | null) {
    if (!body) return err(44004, 'empty post data');
    if (Number(body.agentid) !== this.opts.agentId) return err(40056, 'invalid agentid');
    const code = this.responseCodes.get(String(body.response_code ?? ''));
    if (!code || code.used || this.clock.now().getTime() - code.createdAt > RESPONSE_CODE_TTL_MS) return err(40099, 'invalid response_code');
    code.used = true;
    const update = { ...body, task_id: code.taskId };
    this.cardUpdates.push(update);
    this.record({ kind: 'card_update', at: this.clock.now().toISOString(), update });
    return {};
  }

  /** A card tap gives the app a fresh response code for that card, as WeCom's callback does. */
  issueResponseCode(taskId: string): string {
    const code = crypto.randomBytes(16).toString('hex');
    this.responseCodes.set(code, { createdAt: this.clock.now().getTime(), used: false, taskId });
    return code;
  }

  /** A card as the member now sees it: the last full replacement, or the original with buttons greyed out. */
  cardView(taskId: string, userid: string): { card: Record<string, unknown>; replacedName?: string } | null {
    const sent = this.messages.find((m) => m.msgtype === 'template_card' && m.touser === userid && m.body.task_id === taskId);
    if (!sent) return null;
    let view: { card: Record<string, unknown>; replacedName?: string } = { card: sent.body };
    for (const update of this.cardUpdates) {
      if (update.task_id !== taskId || !(update.userids as string[] | undefined)?.includes(userid)) continue;
      if (update.template_card) view = { card: update.template_card as Record<string, unknown> };
      else view = { card: view.card, replacedName: String((update.button as { replace_name?: string } | undefined)?.replace_name ?? '') };
    }
    return view;
  }

  private createMenu(query: Record<string, string>, body: Record<string, unknown> | null) {
    if (Number(query.agentid) !== this.opts.agentId) return err(40056, 'invalid agentid');
    const buttons = (body?.button as { name?: string; sub_button?: { name?: string }[] }[] | undefined) ?? [];
    if (buttons.length < 1 || buttons.length > 3) return err(40016, 'invalid button size');
    for (const b of buttons) {
      if (!b.name || Buffer.byteLength(b.name) > 16) return err(40018, 'invalid button name size');
      if (b.sub_button && b.sub_button.length > 5) return err(40023, 'invalid sub button size');
    }
    this.menu = body;
    return {};
  }

  private getContact(externalUserid: string | undefined) {
    const contact = this.contacts.get(externalUserid ?? '');
    if (!contact) return err(40096, 'invalid external userid');
    const tagName = new Map(this.tagGroups.flatMap((g) => g.tag.map((t) => [t.id, { group_name: g.group_name, tag_name: t.name }] as const)));
    return {
      external_contact: { external_userid: contact.external_userid, name: contact.name, type: 1 },
      follow_user: [...contact.follow].map(([userid, tags]) => ({
        userid,
        tags: [...tags].map((id) => ({ ...tagName.get(id)!, tag_id: id, type: 1 })),
      })),
    };
  }

  private addCorpTag(body: Record<string, unknown> | null) {
    const tags = (body?.tag as { name?: string }[] | undefined) ?? [];
    if (tags.length === 0 || tags.some((t) => !t.name || t.name.length > 30)) return err(40058, 'tag[].name required, at most 30 characters');
    const now = Math.floor(this.clock.now().getTime() / 1000);
    let group = this.tagGroups.find((g) => g.group_id === body?.group_id || (!body?.group_id && g.group_name === body?.group_name));
    if (!group) {
      if (body?.group_id) return err(40068, 'invalid tagid');
      if (!body?.group_name) return err(40058, 'group_id or group_name required');
      group = { group_id: `et_group_${crypto.randomBytes(6).toString('hex')}`, group_name: String(body.group_name), create_time: now, tag: [] };
      this.tagGroups.push(group);
    }
    for (const t of tags) {
      if (group.tag.some((existing) => existing.name === t.name)) return err(40071, 'tag name already exists');
    }
    const created = tags.map((t) => ({ id: `et_tag_${crypto.randomBytes(6).toString('hex')}`, name: t.name!, create_time: now }));
    group.tag.push(...created);
    return { tag_group: { ...group, tag: created } };
  }

  private markTag(body: Record<string, unknown> | null) {
    const contact = this.contacts.get(String(body?.external_userid ?? ''));
    const tags = contact?.follow.get(String(body?.userid ?? ''));
    if (!contact || !tags) return err(84061, 'not external contact');
    const known = new Set(this.tagGroups.flatMap((g) => g.tag.map((t) => t.id)));
    const add = (body?.add_tag as string[] | undefined) ?? [];
    const remove = (body?.remove_tag as string[] | undefined) ?? [];
    if ([...add, ...remove].some((id) => !known.has(id))) return err(40068, 'invalid tagid');
    for (const id of add) tags.add(id);
    for (const id of remove) tags.delete(id);
    return {};
  }

  private addMsgTemplate(body: Record<string, unknown> | null) {
    const sender = String(body?.sender ?? '');
    const externalUserids = (body?.external_userid as string[] | undefined) ?? [];
    if (!sender) return err(40003, 'invalid userid (sender)');
    if (externalUserids.length === 0 || externalUserids.length > 10_000) return err(40058, 'external_userid must list 1–10000 customers');
    const text = body?.text as { content?: string } | undefined;
    const attachments = (body?.attachments as unknown[] | undefined) ?? [];
    if (!text?.content && attachments.length === 0) return err(44004, 'text and attachments are both empty');
    if (attachments.length > 9) return err(40058, 'at most 9 attachments');
    const failList = externalUserids.filter((id) => !this.contacts.get(id)?.follow.has(sender));
    const msgid = `msg_${crypto.randomBytes(10).toString('hex')}`;
    const msg: FakeGroupMsg = {
      msgid,
      sender,
      externalUserids: externalUserids.filter((id) => !failList.includes(id)),
      body: { text, attachments },
      createdAt: this.clock.now(),
      results: null,
      reminded: 0,
      cancelled: false,
    };
    this.groupMsgs.push(msg);
    this.recordGroupMsg(msg);
    return { msgid, fail_list: failList };
  }

  private groupMsgResult(body: Record<string, unknown> | null) {
    const msg = this.groupMsgs.find((m) => m.msgid === body?.msgid);
    if (!msg || msg.sender !== body?.userid) return err(41063, 'invalid msgid');
    // Paged like WeCom's: `limit` (default 500, at most 1000) recipients, `next_cursor` while more remain.
    const limit = Number(body?.limit ?? 500);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return err(40058, 'limit must be 1–1000');
    const from = body?.cursor ? Number(body.cursor) : 0;
    const page = msg.externalUserids.slice(from, from + limit);
    return {
      send_list: page.map((euid) => ({
        external_userid: euid,
        userid: msg.sender,
        status: msg.results?.get(euid) ?? 0,
        ...(msg.results ? { send_time: Math.floor(this.clock.now().getTime() / 1000) } : {}),
      })),
      next_cursor: from + limit < msg.externalUserids.length ? String(from + limit) : '',
    };
  }

  private async upload(query: Record<string, string>, raw: Buffer, contentType: string) {
    if (!['image', 'voice', 'video', 'file'].includes(query.type ?? '')) return err(40004, 'invalid media type');
    let form: FormData;
    try {
      form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType } }).formData();
    } catch {
      return err(44001, 'empty media data');
    }
    const file = form.get('media');
    if (!(file instanceof Blob) || file.size <= 5) return err(44001, 'empty media data');
    const data = Buffer.from(await file.arrayBuffer());
    const id = this.putMedia(data, file.type || 'application/octet-stream', (file as File).name ?? 'media');
    return { type: query.type, media_id: id, created_at: String(Math.floor(this.clock.now().getTime() / 1000)) };
  }
}

function daysInMonth(date: Date): number {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
}
