import fs from 'node:fs';
import path from 'node:path';
import Koa from 'koa';
import Router from 'koa-router';
import getRawBody from 'raw-body';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import type { AppParts } from '../app';
import type { Feature } from '../bot/registry';
import type { MediaFile, Staff } from '../generated/prisma/client';
import { PROJECT_ROOT } from '../paths';
import { createMediaStore } from '../platform/media';
import { roleName, visibleStores } from '../people';
import { PERCENT_SCRIPT } from '../percent';
import { mayUseConsole } from './access';
import { safeEqual, SessionCookies, type Session } from './session';
import { ActionRefused, type Cell, type ConsoleAnswer, type ConsoleSection, type SectionColumn, type SectionContext, type SectionRow } from './types';

const PAGE_DIR = path.join(PROJECT_ROOT, 'src', 'console', 'page');
const ECHARTS_FILE = path.join(PROJECT_ROOT, 'node_modules', 'echarts', 'dist', 'echarts.min.js');
const PERCENT_SCRIPT_PATH = 'percent.js';
const STATIC: Record<string, { file: string; type: string }> = {
  '/console/app.js': { file: path.join(PAGE_DIR, 'app.js'), type: 'application/javascript' },
  '/console/style.css': { file: path.join(PAGE_DIR, 'style.css'), type: 'text/css' },
  // Not a file: the server's own percentage rounding (src/percent.ts), for the page.
  '/console/percent.js': { file: PERCENT_SCRIPT_PATH, type: 'application/javascript' },
  // Served from node_modules: no CDN (offline machines, store networks that block it).
  '/console/vendor/echarts.min.js': { file: ECHARTS_FILE, type: 'application/javascript' },
};
/** Paths the page itself answers (history routing): the ranking and a store. */
const PAGE_PATHS = [/^\/console\/$/, /^\/console\/store\/[^/]+$/];
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** The menu button that opens the console inside WeCom (a `view` button to its URL). */
export const consoleMenuFeature: Feature = {
  name: 'consoleMenu',
  register(bot) {
    if (bot.config.console) bot.menuButton({ type: 'view', name: '管理台', url: `${bot.config.console.publicUrl}/console/` }, { under: '更多' });
  },
};

interface ConsoleState {
  session: Session;
  staff: Staff;
}

/**
 * The manager console under /console: the page, sign-in (WeCom OAuth, or a demo sign-in in the
 * sandbox), and its JSON API — the tables (sections) and endpoints the features registered on the
 * bot, mounted here behind one set of checks. Every API reads the signed session, then asks which
 * stores the member may see — a store outside them is 403, whatever the request.
 */
export function consoleMiddleware(parts: AppParts): Koa.Middleware[] {
  const { config, db, bot, wecom, clock, log } = parts;
  const settings = config.console;
  if (!settings) return [];
  const cookies = new SessionCookies(settings.sessionSecret, settings.sessionHours, clock);
  const sectionContext = (ctx: Koa.Context): SectionContext => ({ db, clock, config, timezone: config.timezone, viewer: (ctx.state as { console: ConsoleState }).console.staff });
  const sectionOf = (ctx: Koa.Context): ConsoleSection | undefined => bot.consoleSections.find((s) => s.key === ctx.params.key);
  const media = createMediaStore(config.media);
  const router = new Router({ prefix: '/console' });

  /** A browser names the page's origin on a POST: it must be ours (the public URL, or the host it reached). */
  const sameOrigin = (ctx: Koa.Context) => {
    const origin = ctx.get('origin');
    return !origin || origin === new URL(settings.publicUrl).origin || origin === `${ctx.protocol}://${ctx.host}`;
  };

  const deny = (ctx: Koa.Context, status: number, error: string, message: string) => {
    ctx.status = status;
    ctx.body = { error, message };
  };

  /** The session's member, if they may use the console; answers 401/403 otherwise. */
  const requireMember: Koa.Middleware = async (ctx, next) => {
    const session = cookies.read(ctx);
    if (!session) return deny(ctx, 401, 'not_signed_in', '请先登录。');
    const staff = await db.staff.findUnique({ where: { userid: session.userid } });
    if (!mayUseConsole(staff)) return deny(ctx, 403, 'forbidden', '管理台仅供店长、区域经理和管理员使用。');
    // State-changing requests: a JSON body from our own page, with the session's CSRF token.
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      if (!sameOrigin(ctx)) return deny(ctx, 403, 'bad_origin', '请求来源不对。');
      if (!safeEqual(ctx.get('x-csrf-token'), session.csrf)) return deny(ctx, 403, 'csrf', '页面已过期，请刷新后再试。');
    }
    (ctx.state as { console: ConsoleState }).console = { session, staff };
    await next();
  };

  /** The store in the path, if this member may see it; 403 otherwise (also for a store that does not exist). */
  const requireStore: Koa.Middleware = async (ctx, next) => {
    const { staff } = (ctx.state as { console: ConsoleState }).console;
    const store = (await visibleStores(db, staff)).find((s) => s.code === ctx.params.code);
    if (!store) return deny(ctx, 403, 'forbidden', '你没有查看这家门店的权限。');
    ctx.state.store = store;
    await next();
  };

  /** The store a photo belongs to: the first feature that knows its record, else the store stored with it. */
  const storeOfPhoto = async (photo: MediaFile): Promise<string | null> => {
    for (const storeOf of bot.consolePhotoStores) {
      const store = await storeOf(db, photo);
      if (store !== undefined) return store;
    }
    return photo.storeCode;
  };

  // ── sign-in ──
  router.get('/login', async (ctx) => {
    const returnTo = safeReturn(String(ctx.query.return ?? '/console/'));
    if (settings.demoSignIn) return ctx.redirect(`/console/?return=${encodeURIComponent(returnTo)}`);
    const state = cookies.startOAuth(ctx, returnTo);
    const redirect = `${settings.publicUrl}/console/auth/callback`;
    const query = new URLSearchParams({ appid: config.wecom.corpId, redirect_uri: redirect, response_type: 'code', scope: 'snsapi_base', agentid: String(config.wecom.agentId), state });
    ctx.redirect(`https://open.weixin.qq.com/connect/oauth2/authorize?${query}#wechat_redirect`);
  });

  router.get('/auth/callback', async (ctx) => {
    const code = String(ctx.query.code ?? '');
    const returnTo = cookies.finishOAuth(ctx, String(ctx.query.state ?? ''));
    if (!code || !returnTo) return signInRefused(ctx, 400, '登录链接已失效，请从企业微信应用菜单重新打开管理台。');
    let userid: string | undefined;
    try {
      userid = (await wecom.getUserInfo(code)).userid;
    } catch (err) {
      log.warn({ err }, 'console sign-in: auth/getuserinfo refused the code');
      return signInRefused(ctx, 400, '登录链接已失效，请从企业微信应用菜单重新打开管理台。');
    }
    const staff = userid ? await db.staff.findUnique({ where: { userid } }) : null;
    if (!mayUseConsole(staff)) return signInRefused(ctx, 403, '管理台仅供店长、区域经理和管理员使用。');
    cookies.start(ctx, staff.userid);
    ctx.redirect(returnTo);
  });

  router.post('/auth/demo', async (ctx) => {
    if (!settings.demoSignIn) return deny(ctx, 404, 'not_found', '');
    if (!sameOrigin(ctx)) return deny(ctx, 403, 'bad_origin', '请求来源不对。');
    const body = await readJson(ctx, z.object({ userid: z.string().min(1) }));
    if (!body) return;
    const staff = await db.staff.findUnique({ where: { userid: body.userid } });
    if (!staff) return deny(ctx, 400, 'unknown_user', '没有这个演示用户。');
    const session = cookies.start(ctx, staff.userid);
    ctx.body = { userid: staff.userid, csrf: session.csrf };
  });

  router.get('/api/demo-users', async (ctx) => {
    if (!settings.demoSignIn) return deny(ctx, 404, 'not_found', '');
    const staff = await db.staff.findMany({ where: { active: true }, include: { store: true }, orderBy: [{ role: 'asc' }, { userid: 'asc' }] });
    ctx.body = staff.map((s) => ({ userid: s.userid, name: s.name, role: roleName(s.role), where: s.store?.name ?? s.area ?? '', mayUse: mayUseConsole(s) }));
  });

  // Also for a member without console rights (they had no CSRF token): a JSON-only POST from our own origin.
  router.post('/auth/logout', async (ctx) => {
    if (!sameOrigin(ctx)) return deny(ctx, 403, 'bad_origin', '请求来源不对。');
    if (!(await readJson(ctx, z.object({}).passthrough()))) return;
    cookies.end(ctx);
    ctx.body = { ok: true };
  });

  // ── API ──
  router.get('/api/me', requireMember, async (ctx) => {
    const { staff, session } = (ctx.state as { console: ConsoleState }).console;
    ctx.body = { userid: staff.userid, name: staff.name, role: staff.role, roleName: roleName(staff.role), csrf: session.csrf, demo: settings.demoSignIn, stores: await visibleStores(db, staff) };
  });

  router.get('/api/stores/:code', requireMember, requireStore, async (ctx) => {
    ctx.body = { store: ctx.state.store, sections: bot.consoleSections.map((s) => ({ key: s.key, title: s.title, detail: Boolean(s.detail) })) };
  });

  router.get('/api/stores/:code/sections/:key', requireMember, requireStore, async (ctx) => {
    const section = sectionOf(ctx);
    if (!section) return deny(ctx, 404, 'unknown_section', '没有这个栏目。');
    const rows = filterRows(await section.rows(sectionContext(ctx), ctx.params.code), section.columns, ctx.query as Record<string, string>);
    if (sendCsv(ctx, `${ctx.state.store.name}-${section.title}`, section.columns, rows)) return;
    ctx.body = {
      key: section.key,
      title: section.title,
      summary: section.summary ? await section.summary(sectionContext(ctx), ctx.params.code) : null,
      columns: section.columns,
      chart: section.chart ?? null,
      rows,
    };
  });

  router.get('/api/stores/:code/sections/:key/rows/:id', requireMember, requireStore, async (ctx) => {
    const section = sectionOf(ctx);
    if (!section?.detail) return deny(ctx, 404, 'unknown_section', '这个栏目没有明细。');
    const detail = await section.detail.rows(sectionContext(ctx), ctx.params.code, ctx.params.id);
    if (!detail) return deny(ctx, 404, 'unknown_row', '没有找到这一条。');
    const rows = filterRows(detail.rows, section.detail.columns, ctx.query as Record<string, string>);
    if (sendCsv(ctx, `${ctx.state.store.name}-${detail.title}`, section.detail.columns, rows)) return;
    ctx.body = { title: detail.title, summary: detail.summary ?? null, columns: section.detail.columns, chart: section.detail.chart ?? null, rows };
  });

  // A photo of the store's records (handovers, work orders). Under the store's path, so the store's
  // role check decides who may see it; a photo of another store is as unknown here as a missing one.
  router.get('/api/stores/:code/photos/:id', requireMember, requireStore, async (ctx) => {
    const photo = /^\d+$/.test(ctx.params.id) ? await db.mediaFile.findUnique({ where: { id: BigInt(ctx.params.id) } }) : null;
    if (!photo || (await storeOfPhoto(photo)) !== ctx.params.code) return deny(ctx, 404, 'unknown_photo', '没有这张照片。');
    ctx.body = await media.get(photo.storageKey);
    // Only the image types WeCom delivers are shown inline; anything else is a download.
    ctx.type = /^image\/(jpeg|png|gif|webp)$/.test(photo.contentType) ? photo.contentType : 'application/octet-stream';
    ctx.set('x-content-type-options', 'nosniff');
    ctx.set('cache-control', 'private, max-age=86400');
    ctx.set('content-security-policy', "default-src 'none'");
  });

  router.post('/api/stores/:code/sections/:key/rows/:id/:action', requireMember, requireStore, async (ctx) => {
    const section = sectionOf(ctx);
    if (!section?.act) return deny(ctx, 404, 'unknown_action', '这个栏目没有操作。');
    if (!(await readJson(ctx, z.object({}).passthrough()))) return;
    try {
      await section.act(sectionContext(ctx), ctx.params.code, ctx.params.id, ctx.params.action);
    } catch (err) {
      return answerRefusal(ctx, err);
    }
    ctx.body = { ok: true };
  });

  // ── what features add: their endpoints, behind the same checks ──
  for (const api of bot.consoleApis) {
    const checks = api.scope === 'store' ? [requireMember, requireStore] : [requireMember];
    const route = api.scope === 'store' ? `/api/stores/:code${api.path}` : `/api${api.path}`;
    router[api.method === 'GET' ? 'get' : 'post'](route, ...checks, async (ctx) => {
      const body = api.method === 'POST' ? await readJson(ctx, z.object({}).passthrough()) : {};
      if (body === null) return;
      const { staff } = (ctx.state as { console: ConsoleState }).console;
      const request = { db, clock, config, log, staff, params: ctx.params, query: ctx.query, body };
      let answer: ConsoleAnswer;
      try {
        answer = api.scope === 'store' ? await api.handler({ ...request, store: ctx.state.store }) : await api.handler(request);
      } catch (err) {
        return answerRefusal(ctx, err);
      }
      if (answer.csv && sendCsv(ctx, answer.csv.name, answer.csv.columns, answer.csv.rows)) return;
      ctx.status = answer.status ?? 200;
      ctx.body = answer.body;
    });
  }

  // Under a store, the store's check comes first: a store not yours is 403 whatever the path.
  router.all('/api/stores/:code/*rest', requireMember, requireStore, (ctx) => deny(ctx, 404, 'not_found', '没有这个接口。'));
  router.all('/api/*rest', requireMember, (ctx) => deny(ctx, 404, 'not_found', '没有这个接口。'));

  const page: Koa.Middleware = async (ctx, next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    if (ctx.path === '/console') return ctx.redirect('/console/');
    const asset = STATIC[ctx.path];
    const isPage = PAGE_PATHS.some((p) => p.test(ctx.path));
    if (!asset && !isPage) return next();
    ctx.set('content-security-policy', CSP);
    ctx.set('x-content-type-options', 'nosniff');
    ctx.set('referrer-policy', 'same-origin');
    ctx.set('cache-control', asset?.file === ECHARTS_FILE ? 'public, max-age=86400' : 'no-cache');
    ctx.type = asset ? asset.type : 'text/html; charset=utf-8';
    ctx.body = asset?.file === PERCENT_SCRIPT_PATH ? PERCENT_SCRIPT : fs.createReadStream(asset ? asset.file : path.join(PAGE_DIR, 'index.html'));
  };

  return [page, router.routes() as Koa.Middleware, router.allowedMethods() as Koa.Middleware];
}

/** What a feature refused (ActionRefused), answered as its 4xx; anything else is a bug and goes on up. */
function answerRefusal(ctx: Koa.Context, err: unknown): void {
  if (!(err instanceof ActionRefused)) throw err;
  ctx.status = err.status;
  ctx.body = { error: err.code, message: err.reason };
}

/** Only our own console paths: never an open redirect. */
function safeReturn(target: string): string {
  return /^\/console\/[\w\-/%.]*$/.test(target) ? target : '/console/';
}

function signInRefused(ctx: Koa.Context, status: number, message: string) {
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.set('content-security-policy', CSP);
  ctx.body = `<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>门店助手管理台</title><p style="font:16px sans-serif;padding:2em">${message}</p>`;
}

/** A JSON body (16 KB at most) matching `schema`, or a 4xx already answered and null. */
async function readJson<T>(ctx: Koa.Context, schema: z.ZodType<T>): Promise<T | null> {
  // JSON only: a cross-site form (urlencoded, multipart, text/plain) cannot send it without CORS.
  if (!ctx.is('application/json')) {
    ctx.status = 415;
    ctx.body = { error: 'json_required', message: '请求格式不对。' };
    return null;
  }
  try {
    return schema.parse(JSON.parse(await getRawBody(ctx.req, { limit: '16kb', encoding: 'utf8' })));
  } catch (err) {
    ctx.status = 400;
    ctx.body = { error: 'bad_request', message: err instanceof z.ZodError ? z.prettifyError(err) : '请求内容不对。' };
    return null;
  }
}

/** `q`: text anywhere in the row; `f.<column>`: exactly this value in a select column. */
export function filterRows(rows: SectionRow[], columns: SectionColumn[], query: Record<string, string | string[] | undefined>): SectionRow[] {
  const text = String(query.q ?? '')
    .trim()
    .toLowerCase();
  const exact = columns.filter((c) => c.filter === 'select' && typeof query[`f.${c.key}`] === 'string' && query[`f.${c.key}`] !== '');
  return rows.filter(
    (row) => (!text || Object.values(row.cells).some((v) => v !== null && String(v).toLowerCase().includes(text))) && exact.every((c) => String(row.cells[c.key] ?? '') === query[`f.${c.key}`]),
  );
}

/** `format=csv`: the table as a CSV download (with a BOM, so Excel reads the Chinese). */
function sendCsv(ctx: Koa.Context, name: string, columns: SectionColumn[], rows: SectionRow[]): boolean {
  if (ctx.query.format !== 'csv') return false;
  const data: Cell[][] = [columns.map((c) => c.label), ...rows.map((r) => columns.map((c) => r.cells[c.key] ?? ''))];
  ctx.type = 'text/csv; charset=utf-8';
  ctx.set('content-disposition', `attachment; filename="export.csv"; filename*=UTF-8''${encodeURIComponent(`${name}.csv`)}`);
  ctx.body = '\ufeff' + stringify(data);
  return true;
}
