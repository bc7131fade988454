import fs from 'node:fs';
import path from 'node:path';
import Koa from 'koa';
import Router from 'koa-router';
import getRawBody from 'raw-body';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import type { AppParts } from '../app';
import type { Feature } from '../bot/registry';
import type { Staff } from '../generated/prisma/client';
import { ROLES, type Role } from '../features/masterdata/rows';
import { changeOn, rankScores, scorePercent, biggestLosses, type ScoreResult } from '../features/score/compute';
import { monthOf, previousMonth } from '../features/score/period';
import { loadHistory, loadMonth, scoredMonths } from '../features/score/repository';
import { PART_LABELS } from '../features/score/rules';
import { PROJECT_ROOT } from '../paths';
import { createMediaStore } from '../platform/media';
import { mayUseConsole } from './access';
import { visibleStores } from '../people';
import { membersOverview } from './members';
import { storeOfPhoto } from './photos';
import { SECTIONS } from './sections';
import { ActionRefused, type Cell, type SectionColumn, type SectionRow } from './sections/types';
import { safeEqual, SessionCookies, type Session } from './session';
import { createTaskFromConsole, formProblem, TaskForm, TaskFormRefused } from './task-form';
import { decideHoldFromConsole, HOLD_DECISIONS, HoldDecisionForm } from './loss-holds';
import { PERCENT_SCRIPT } from '../percent';

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
 * sandbox), and its JSON API. Every API reads the signed session, then asks which stores the
 * member may see — a store outside them is 403, whatever the request.
 */
export function consoleMiddleware(parts: AppParts): Koa.Middleware[] {
  const { config, db, wecom, clock, log } = parts;
  const settings = config.console;
  if (!settings) return [];
  const cookies = new SessionCookies(settings.sessionSecret, settings.sessionHours, clock);
  const sectionContext = { db, clock, timezone: config.timezone, countTolerance: config.stockChecks.countTolerance };
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
    ctx.body = staff.map((s) => ({ userid: s.userid, name: s.name, role: ROLES[s.role as Role] ?? s.role, where: s.store?.name ?? s.area ?? '', mayUse: mayUseConsole(s) }));
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
    ctx.body = { userid: staff.userid, name: staff.name, role: staff.role, roleName: ROLES[staff.role as Role], csrf: session.csrf, demo: settings.demoSignIn, stores: await visibleStores(db, staff) };
  });

  router.get('/api/ranking', requireMember, async (ctx) => {
    const { staff } = (ctx.state as { console: ConsoleState }).console;
    const stores = await visibleStores(db, staff);
    const months = await scoredMonths(db);
    const month = /^\d{4}-\d{2}$/.test(String(ctx.query.month ?? '')) ? String(ctx.query.month) : (months[0] ?? previousMonth(monthOf(clock.now(), config.timezone)));
    const codes = stores.map((s) => s.code);
    const scores = new Map((await loadMonth(db, month, codes)).map((s) => [s.storeCode, s]));
    const previous = new Map((await loadMonth(db, previousMonth(month), codes)).map((s) => [s.storeCode, s]));
    const ranked = rankScores(stores.map((s) => scores.get(s.code) ?? emptyScore(s.code, month)));
    const byCode = new Map(stores.map((s) => [s.code, s]));
    const columns: SectionColumn[] = [
      { key: 'rank', label: '排名' },
      { key: 'store', label: '门店' },
      { key: 'area', label: '区域', filter: 'select' },
      { key: 'points', label: '得分' },
      { key: 'available', label: '可得满分' },
      { key: 'percent', label: '得分率%' },
      { key: 'completeness', label: '完整性', filter: 'select' },
      ...Object.entries(PART_LABELS).map(([key, label]) => ({ key, label })),
      { key: 'change', label: '比上月' },
    ];
    const rows: SectionRow[] = ranked.map((r) => {
      const change = changeOn(r, previous.get(r.storeCode) ?? null);
      return {
        id: r.storeCode,
        cells: {
          rank: r.rank,
          store: byCode.get(r.storeCode)!.name,
          area: byCode.get(r.storeCode)!.area,
          points: r.points,
          available: r.availablePoints,
          percent: r.percent,
          completeness: r.points === null ? '无数据' : r.complete ? '完整' : '不完整',
          ...Object.fromEntries(r.parts.map((p) => [p.name, p.points])),
          change: 'delta' in change ? change.delta : null,
        },
      };
    });
    if (sendCsv(ctx, `门店健康分排名-${month}`, columns, rows)) return;
    ctx.body = { month, months, columns, rows };
  });

  router.get('/api/stores/:code', requireMember, requireStore, async (ctx) => {
    ctx.body = { store: ctx.state.store, sections: SECTIONS.map((s) => ({ key: s.key, title: s.title, detail: Boolean(s.detail) })) };
  });

  router.get('/api/stores/:code/score', requireMember, requireStore, async (ctx) => {
    const history = await loadHistory(db, ctx.params.code, 12);
    const latest = history.at(-1) ?? null;
    const before = latest ? (history.find((h) => h.month === previousMonth(latest.month)) ?? null) : null;
    ctx.body = {
      trend: history.map((h) => ({ month: h.month, points: h.points, availablePoints: h.availablePoints, percent: scorePercent(h), complete: h.complete })),
      latest: latest && {
        month: latest.month,
        points: latest.points,
        availablePoints: latest.availablePoints,
        complete: latest.complete,
        change: changeOn(latest, before),
        parts: latest.parts.map((p) => ({ name: p.name, label: PART_LABELS[p.name], weight: p.weight, points: p.points, ratio: p.ratio, facts: p.facts })),
        losses: biggestLosses(latest, 5),
      },
    };
  });

  router.get('/api/stores/:code/sections/:key', requireMember, requireStore, async (ctx) => {
    const section = SECTIONS.find((s) => s.key === ctx.params.key);
    if (!section) return deny(ctx, 404, 'unknown_section', '没有这个栏目。');
    const { staff } = (ctx.state as { console: ConsoleState }).console;
    const rows = filterRows(await section.rows({ ...sectionContext, viewer: staff }, ctx.params.code), section.columns, ctx.query as Record<string, string>);
    if (sendCsv(ctx, `${ctx.state.store.name}-${section.title}`, section.columns, rows)) return;
    ctx.body = {
      key: section.key,
      title: section.title,
      summary: section.summary ? await section.summary(sectionContext, ctx.params.code) : null,
      columns: section.columns,
      chart: section.chart ?? null,
      rows,
    };
  });

  router.get('/api/stores/:code/sections/:key/rows/:id', requireMember, requireStore, async (ctx) => {
    const section = SECTIONS.find((s) => s.key === ctx.params.key);
    if (!section?.detail) return deny(ctx, 404, 'unknown_section', '这个栏目没有明细。');
    const detail = await section.detail.rows(sectionContext, ctx.params.code, ctx.params.id);
    if (!detail) return deny(ctx, 404, 'unknown_row', '没有找到这一条。');
    const rows = filterRows(detail.rows, section.detail.columns, ctx.query as Record<string, string>);
    if (sendCsv(ctx, `${ctx.state.store.name}-${detail.title}`, section.detail.columns, rows)) return;
    ctx.body = { title: detail.title, summary: detail.summary ?? null, columns: section.detail.columns, chart: section.detail.chart ?? null, rows };
  });

  // A photo of the store's handovers or work orders. Under the store's path, so the store's role
  // check decides who may see it; a photo of another store is as unknown here as a missing one.
  router.get('/api/stores/:code/photos/:id', requireMember, requireStore, async (ctx) => {
    const photo = /^\d+$/.test(ctx.params.id) ? await db.mediaFile.findUnique({ where: { id: BigInt(ctx.params.id) } }) : null;
    if (!photo || (await storeOfPhoto(db, photo)) !== ctx.params.code) return deny(ctx, 404, 'unknown_photo', '没有这张照片。');
    ctx.body = await media.get(photo.storageKey);
    // Only the image types WeCom delivers are shown inline; anything else is a download.
    ctx.type = /^image\/(jpeg|png|gif|webp)$/.test(photo.contentType) ? photo.contentType : 'application/octet-stream';
    ctx.set('x-content-type-options', 'nosniff');
    ctx.set('cache-control', 'private, max-age=86400');
    ctx.set('content-security-policy', "default-src 'none'");
  });

  router.post('/api/stores/:code/sections/:key/rows/:id/:action', requireMember, requireStore, async (ctx) => {
    const section = SECTIONS.find((s) => s.key === ctx.params.key);
    if (!section?.act) return deny(ctx, 404, 'unknown_action', '这个栏目没有操作。');
    if (!(await readJson(ctx, z.object({}).passthrough()))) return;
    const { staff } = (ctx.state as { console: ConsoleState }).console;
    try {
      await section.act({ ...sectionContext, staff }, ctx.params.code, ctx.params.id, ctx.params.action);
    } catch (err) {
      if (err instanceof ActionRefused) return deny(ctx, err.status, err.code, err.reason);
      throw err;
    }
    ctx.body = { ok: true };
  });

  // ── members and tasks given from the console ──
  router.get('/api/members', requireMember, async (ctx) => {
    const { staff } = (ctx.state as { console: ConsoleState }).console;
    ctx.body = await membersOverview(db, await visibleStores(db, staff), clock.now());
  });

  router.get('/api/stores/:code/members', requireMember, requireStore, async (ctx) => {
    ctx.body = await membersOverview(db, [ctx.state.store], clock.now());
  });

  /** Who a task can be given to: the store's active staff. */
  router.get('/api/stores/:code/staff', requireMember, requireStore, async (ctx) => {
    const staff = await db.staff.findMany({ where: { storeCode: ctx.params.code, active: true }, select: { userid: true, name: true, role: true }, orderBy: [{ role: 'asc' }, { userid: 'asc' }] });
    ctx.body = { timezone: config.timezone, staff: staff.map((s) => ({ ...s, roleName: ROLES[s.role as Role] ?? s.role })) };
  });

  router.post('/api/stores/:code/tasks', requireMember, requireStore, async (ctx) => {
    const body = await readJson(ctx, z.object({}).passthrough());
    if (body === null) return;
    const { staff } = (ctx.state as { console: ConsoleState }).console;
    try {
      const form = TaskForm.safeParse(body);
      if (!form.success) throw formProblem(form.error);
      const { task, created } = await createTaskFromConsole(db, { timezone: config.timezone, tasks: config.tasks }, { storeCode: ctx.params.code, by: staff, form: form.data, now: clock.now() });
      ctx.status = created ? 201 : 200;
      ctx.body = { id: String(task.id), title: task.title, assignee: task.assignee, dueAt: task.dueAt.toISOString(), state: task.state, created };
    } catch (err) {
      if (err instanceof TaskFormRefused) return deny(ctx, err.status, err.code, err.reason);
      throw err;
    }
  });

  // ── waste held over the day's limit: the manager's decision, as on the review card ──
  router.post('/api/stores/:code/loss-holds/:id/:decision', requireMember, requireStore, async (ctx) => {
    const decision = HOLD_DECISIONS[ctx.params.decision];
    if (!decision) return deny(ctx, 404, 'not_found', '没有这个接口。');
    const body = await readJson(ctx, z.object({}).passthrough());
    if (body === null) return;
    const form = HoldDecisionForm.safeParse(body);
    if (!form.success) return deny(ctx, 400, 'bad_request_id', form.error.issues[0]?.message ?? '请求内容不对。');
    const { staff } = (ctx.state as { console: ConsoleState }).console;
    const result = await decideHoldFromConsole(db, { clock, config }, { storeCode: ctx.params.code, holdId: ctx.params.id, decision, by: staff, requestId: form.data.requestId });
    if (!result.ok) return deny(ctx, result.status, result.code, result.message);
    ctx.body = { id: String(result.hold.id), state: result.state, status: result.hold.status, message: result.message, repeated: result.repeated };
  });

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

function emptyScore(storeCode: string, month: string): ScoreResult {
  return { storeCode, month, points: null, availablePoints: 0, complete: false, parts: [] };
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
