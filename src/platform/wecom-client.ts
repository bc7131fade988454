import type { Db } from '../db';
import type { Clock } from '../clock';
import type { Logger } from '../log';

/** An answer from WeCom with errcode ≠ 0. */
export class WecomApiError extends Error {
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
    readonly path: string,
  ) {
    super(`WeCom ${path} answered ${errcode}: ${errmsg}`);
    this.name = 'WecomApiError';
  }
}

/** Codes that mean "the token is no good": refresh it and try once more. */
const TOKEN_REJECTED = new Set([40001, 40014, 42001]);
/** Refresh this long before WeCom's stated expiry, so no call races the deadline. */
const REFRESH_MARGIN_MS = 5 * 60_000;
const REQUEST_TIMEOUT_MS = 10_000;
/** How long one replica may take over gettoken before another may try. */
const REFRESH_LEASE_MS = REQUEST_TIMEOUT_MS + 5_000;

export interface WecomClientOptions {
  apiBase: string;
  corpId: string;
  secret: string;
  agentId: number;
  db: Db;
  clock: Clock;
  log: Logger;
}

interface WecomAnswer {
  errcode?: number;
  errmsg?: string;
  [key: string]: unknown;
}

/**
 * The one client for WeCom's server API. It owns the access token: cached in the database so
 * every replica shares it, refreshed ahead of expiry by one caller at a time (a row lock), and
 * re-fetched once when WeCom rejects it. Callers never see a token.
 */
export class WecomClient {
  private readonly appKey: string;
  private refreshing: Promise<string> | null = null;

  constructor(private readonly opts: WecomClientOptions) {
    this.appKey = `${opts.corpId}:${opts.agentId}`;
  }

  get agentId(): number {
    return this.opts.agentId;
  }

  /** POST JSON to /cgi-bin/<path> with the access token; throws WecomApiError on errcode ≠ 0. */
  async post<T extends WecomAnswer = WecomAnswer>(path: string, body: unknown, query: Record<string, string> = {}): Promise<T> {
    return this.withToken(path, (token) => this.request<T>(path, { method: 'POST', query: { ...query, access_token: token }, json: body }));
  }

  async get<T extends WecomAnswer = WecomAnswer>(path: string, query: Record<string, string> = {}): Promise<T> {
    return this.withToken(path, (token) => this.request<T>(path, { method: 'GET', query: { ...query, access_token: token } }));
  }

  sendMessage(message: Record<string, unknown>) {
    return this.post<{ msgid?: string; response_code?: string; invaliduser?: string }>('message/send', {
      ...message,
      agentid: this.opts.agentId,
    });
  }

  updateTemplateCard(update: Record<string, unknown>) {
    return this.post('message/update_template_card', { ...update, agentid: this.opts.agentId });
  }

  /**
   * Who opened a page through WeCom OAuth: the `code` from the redirect (single use, 5 minutes) →
   * `userid` for a member of the corp, `openid` (and maybe `external_userid`) for anyone else.
   */
  getUserInfo(code: string) {
    return this.get<{ userid?: string; user_ticket?: string; openid?: string; external_userid?: string }>('auth/getuserinfo', { code });
  }

  createMenu(menu: { button: unknown[] }) {
    return this.post('menu/create', menu, { agentid: String(this.opts.agentId) });
  }

  // Customer contact (客户联系): the app must be listed under 客户联系 → 可调用接口的应用, and sees
  // only the customers of members in its visible range.

  /** A customer and the members who have them as a contact, with each member's tags on them. */
  getExternalContact(externalUserid: string) {
    return this.get<ExternalContactAnswer>('externalcontact/get', { external_userid: externalUserid });
  }

  getCorpTagList(filter: { tag_id?: string[]; group_id?: string[] } = {}) {
    return this.post<{ tag_group: CorpTagGroup[] }>('externalcontact/get_corp_tag_list', filter);
  }

  /** Creates tags in a group (by id, or a new group by name). The app may edit only tags it created. */
  addCorpTag(group: { group_id?: string; group_name?: string }, tags: { name: string; order?: number }[]) {
    return this.post<{ tag_group: CorpTagGroup }>('externalcontact/add_corp_tag', { ...group, tag: tags, agentid: this.opts.agentId });
  }

  markTag(mark: { userid: string; external_userid: string; add_tag?: string[]; remove_tag?: string[] }) {
    return this.post('externalcontact/mark_tag', mark);
  }

  /** Creates a mass message to customers on behalf of `sender`, who must confirm it in their client. */
  addMsgTemplate(template: { chat_type?: 'single'; external_userid: string[]; sender: string; text?: { content: string }; attachments?: unknown[] }) {
    return this.post<{ msgid: string; fail_list?: string[] }>('externalcontact/add_msg_template', { chat_type: 'single', ...template });
  }

  /** Per customer: 0 not sent, 1 sent, 2 not a contact, 3 the customer reached the mass-message cap. */
  getGroupMsgSendResult(query: { msgid: string; userid: string; limit?: number; cursor?: string }) {
    return this.post<{ send_list: { external_userid: string; userid: string; status: number; send_time?: number }[]; next_cursor?: string }>('externalcontact/get_groupmsg_send_result', query);
  }

  remindGroupMsgSend(msgid: string) {
    return this.post('externalcontact/remind_groupmsg_send', { msgid });
  }

  /** Stops a mass message its sender has not confirmed yet (one already sent cannot be withdrawn). */
  cancelGroupMsgSend(msgid: string) {
    return this.post('externalcontact/cancel_groupmsg_send', { msgid });
  }

  /** Downloads a temporary media file (an image a member of staff sent). Media ids expire after 3 days. */
  async getMedia(mediaId: string): Promise<{ data: Buffer; contentType: string; filename?: string }> {
    return this.withToken('media/get', async (token) => {
      const res = await this.fetch('media/get', { method: 'GET', query: { access_token: token, media_id: mediaId } });
      const contentType = res.headers.get('content-type') ?? 'application/octet-stream';
      // Errors come back as JSON; the file itself comes back as its own content type.
      if (contentType.includes('json') || contentType.startsWith('text/plain')) {
        check('media/get', (await res.json()) as WecomAnswer);
      }
      const disposition = res.headers.get('content-disposition') ?? '';
      const encoded = /filename\*=UTF-8''([^;]+)/i.exec(disposition)?.[1];
      const filename = encoded ? decodeURIComponent(encoded) : /filename="?([^";]+)"?/.exec(disposition)?.[1];
      return { data: Buffer.from(await res.arrayBuffer()), contentType, filename };
    });
  }

  async uploadMedia(type: 'image' | 'voice' | 'video' | 'file', data: Buffer, filename: string, contentType: string) {
    return this.withToken('media/upload', async (token) => {
      const form = new FormData();
      form.append('media', new Blob([new Uint8Array(data)], { type: contentType }), filename);
      const res = await this.fetch('media/upload', { method: 'POST', query: { access_token: token, type }, form });
      return check('media/upload', (await res.json()) as WecomAnswer) as { media_id: string; created_at: string };
    });
  }

  /** The cached token, or a fresh one. `force` after WeCom rejected `stale`. */
  async accessToken(force = false, stale?: string): Promise<string> {
    if (!force) {
      const cached = await this.opts.db.accessToken.findUnique({ where: { appKey: this.appKey } });
      if (cached && cached.expiresAt.getTime() - REFRESH_MARGIN_MS > this.opts.clock.now().getTime()) return cached.token;
    }
    // One refresh per process at a time; the row lock below makes it one per cluster.
    this.refreshing ??= this.refresh(stale).finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /**
   * Refreshes the shared token. One replica at a time calls gettoken, under a short lease in the
   * token's row (never a transaction held across the HTTP call: on PGlite that would stall every
   * other query, callback inserts included); the others poll for the token it writes.
   */
  private async refresh(stale?: string): Promise<string> {
    const { db, clock } = this.opts;
    await db.$executeRaw`INSERT INTO access_token (app_key, token, expires_at, updated_at)
      VALUES (${this.appKey}, '', to_timestamp(0), now()) ON CONFLICT (app_key) DO NOTHING`;
    const deadline = clock.now().getTime() + REFRESH_LEASE_MS;
    for (;;) {
      const now = clock.now();
      // The conditional UPDATE is the lease: a concurrent caller's UPDATE re-checks the row after ours
      // commits and finds the lease taken, so exactly one caller gets a row back.
      const soon = new Date(now.getTime() + REFRESH_MARGIN_MS);
      const leased = await db.$executeRaw`
        UPDATE access_token SET refreshing_until = ${new Date(now.getTime() + REFRESH_LEASE_MS)}
        WHERE app_key = ${this.appKey}
          AND (token = '' OR token = ${stale ?? ''} OR expires_at < ${soon})
          AND (refreshing_until IS NULL OR refreshing_until < ${now})`;
      if (leased === 1) return this.fetchToken();
      const row = await db.accessToken.findUniqueOrThrow({ where: { appKey: this.appKey } });
      // Another replica refreshed while we looked, or is refreshing now: use its token once written.
      if (row.token !== '' && row.token !== stale && row.expiresAt.getTime() > now.getTime()) return row.token;
      if (now.getTime() > deadline) throw new Error('timed out waiting for another replica to refresh the WeCom access token');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private async fetchToken(): Promise<string> {
    const { db, clock, log } = this.opts;
    try {
      const answer = await this.request<{ access_token: string; expires_in: number }>('gettoken', {
        method: 'GET',
        query: { corpid: this.opts.corpId, corpsecret: this.opts.secret },
      });
      const expiresAt = new Date(clock.now().getTime() + answer.expires_in * 1000);
      await db.accessToken.update({ where: { appKey: this.appKey }, data: { token: answer.access_token, expiresAt, refreshingUntil: null } });
      log.info({ expiresAt }, 'wecom access token refreshed');
      return answer.access_token;
    } catch (err) {
      await db.accessToken.update({ where: { appKey: this.appKey }, data: { refreshingUntil: null } });
      if (err instanceof WecomApiError && [40001, 40013, 40091].includes(err.errcode)) {
        log.error({ errcode: err.errcode }, 'gettoken rejected our credentials — check WECOM_CORP_ID and WECOM_SECRET');
      }
      throw err;
    }
  }

  private async withToken<T>(path: string, call: (token: string) => Promise<T>): Promise<T> {
    const token = await this.accessToken();
    try {
      return await call(token);
    } catch (err) {
      if (!(err instanceof WecomApiError) || !TOKEN_REJECTED.has(err.errcode)) throw err;
      this.opts.log.warn({ path, errcode: err.errcode }, 'wecom rejected the access token; refreshing once');
      return call(await this.accessToken(true, token));
    }
  }

  private async request<T>(path: string, init: WecomRequest): Promise<T> {
    const res = await this.fetch(path, init);
    return check(path, (await res.json()) as WecomAnswer) as T;
  }

  private async fetch(path: string, init: WecomRequest): Promise<Response> {
    const url = new URL(`${this.opts.apiBase}/cgi-bin/${path}`);
    for (const [k, v] of Object.entries(init.query)) url.searchParams.set(k, v);
    const res = await fetch(url, {
      method: init.method,
      headers: init.json !== undefined ? { 'content-type': 'application/json' } : undefined,
      body: init.json !== undefined ? JSON.stringify(init.json) : init.form,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    if (!res.ok) throw new WecomHttpError(path, res.status);
    return res;
  }
}

export interface CorpTag {
  id: string;
  name: string;
  create_time?: number;
  order?: number;
}

export interface CorpTagGroup {
  group_id: string;
  group_name: string;
  create_time?: number;
  order?: number;
  tag: CorpTag[];
}

export type ExternalContactAnswer = {
  external_contact: { external_userid: string; name: string; type: number; avatar?: string; gender?: number };
  follow_user: { userid: string; remark?: string; createtime?: number; tags?: { group_name: string; tag_name: string; tag_id?: string; type: number }[] }[];
  next_cursor?: string;
};

/** WeCom (or the proxy in front of it) answered with an HTTP error: worth retrying. */
export class WecomHttpError extends Error {
  constructor(
    readonly path: string,
    readonly status: number,
  ) {
    super(`WeCom ${path}: HTTP ${status}`);
    this.name = 'WecomHttpError';
  }
}

interface WecomRequest {
  method: 'GET' | 'POST';
  query: Record<string, string>;
  json?: unknown;
  form?: FormData;
}

function check(path: string, answer: WecomAnswer): WecomAnswer {
  const errcode = Number(answer.errcode ?? 0);
  if (errcode !== 0) throw new WecomApiError(errcode, String(answer.errmsg ?? ''), path);
  return answer;
}
