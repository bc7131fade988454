import { consoleMenuFeature, consoleMiddleware } from '../../src/console';
import { importMasterData } from '../../src/features/masterdata/import';
import { TestClock } from '../helpers/clock';
import { startHarness, type Harness } from '../helpers/harness';
import { member, signIn } from './helpers';

/** Signing in to the console with WeCom OAuth; the session cookie, its signature and its expiry. */
const clock = new TestClock(new Date('2026-11-25T02:00:00Z').getTime());
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ features: [consoleMenuFeature], clock, middleware: consoleMiddleware, env: { PUBLIC_URL: 'https://bot.example.com', CONSOLE_SESSION_SECRET: 's'.repeat(40) } });
  await importMasterData(h.app.db, 'stores', 'code,name,area\nS1,一店,华东区\n', 'csv');
  await importMasterData(h.app.db, 'staff', 'userid,name,store,role,area\nboss,总部,,管理员,\nclerk,店员甲,S1,店员,\n', 'csv');
});
afterAll(() => h.stop());

it('sends the browser to WeCom OAuth with our callback and a state, and signs the member in with the code', async () => {
  const m = member(h);
  const login = await m.get('/console/login?return=/console/store/S1');
  expect(login.status).toBe(302);
  const authorize = new URL(login.headers.get('location')!);
  expect(authorize.origin + authorize.pathname).toBe('https://open.weixin.qq.com/connect/oauth2/authorize');
  expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
    appid: h.fake.opts.corpId,
    redirect_uri: 'https://bot.example.com/console/auth/callback',
    response_type: 'code',
    scope: 'snsapi_base',
    agentid: '1000002',
  });
  expect(authorize.hash).toBe('#wechat_redirect');
  const code = h.fake.issueOAuthCode('boss');
  const callback = await m.get(`/console/auth/callback?code=${code}&state=${authorize.searchParams.get('state')}`);
  expect(callback.status).toBe(302);
  expect(callback.headers.get('location')).toBe('/console/store/S1');
  expect(h.fake.callsTo('auth/getuserinfo').at(-1)!.query.code).toBe(code);
  const me = await m.get('/console/api/me');
  expect(me.status).toBe(200);
  expect(await me.json()).toMatchObject({ userid: 'boss', role: 'admin', stores: [{ code: 'S1' }] });
  const cookie = callback.headers.getSetCookie().find((c) => c.startsWith('mdzs_console='))!;
  expect(cookie).toMatch(/httponly/i);
  expect(cookie).toMatch(/samesite=lax/i);
  expect(cookie).toMatch(/path=\/console/i);
});

it('refuses a used code, a state this browser was not given, and a member of staff without console rights', async () => {
  const m = member(h);
  const state = new URL((await m.get('/console/login')).headers.get('location')!).searchParams.get('state')!;
  const code = h.fake.issueOAuthCode('boss');
  expect((await m.get(`/console/auth/callback?code=${code}&state=wrong${state}`)).status).toBe(400);
  // A wrong state is refused before WeCom is asked, so the code is still good for a fresh login — once.
  const fresh = new URL((await m.get('/console/login')).headers.get('location')!).searchParams.get('state')!;
  expect((await m.get(`/console/auth/callback?code=${code}&state=${fresh}`)).status).toBe(302);
  const again = new URL((await m.get('/console/login')).headers.get('location')!).searchParams.get('state')!;
  expect((await m.get(`/console/auth/callback?code=${code}&state=${again}`)).status).toBe(400);
  const clerk = await signIn(h, 'clerk');
  expect(clerk.jar.cookies.has('mdzs_console')).toBe(false);
  expect((await clerk.get('/console/api/me')).status).toBe(401);
});

it('never redirects off the console after sign-in', async () => {
  const m = member(h);
  const state = new URL((await m.get('/console/login?return=https://evil.example.com/')).headers.get('location')!).searchParams.get('state')!;
  const callback = await m.get(`/console/auth/callback?code=${h.fake.issueOAuthCode('boss')}&state=${state}`);
  expect(callback.headers.get('location')).toBe('/console/');
});

it('refuses a tampered session cookie and an expired one', async () => {
  const m = await signIn(h, 'boss');
  expect((await m.get('/console/api/me')).status).toBe(200);
  const forged = member(h);
  const value = JSON.parse(Buffer.from(m.jar.cookies.get('mdzs_console')!, 'base64url').toString());
  forged.jar.cookies.set('mdzs_console', Buffer.from(JSON.stringify({ ...value, userid: 'clerk' })).toString('base64url'));
  forged.jar.cookies.set('mdzs_console.sig', m.jar.cookies.get('mdzs_console.sig')!);
  expect((await forged.get('/console/api/me')).status).toBe(401);
  clock.advance(11 * 3_600_000);
  expect((await m.get('/console/api/me')).status).toBe(200);
  clock.advance(2 * 3_600_000);
  expect((await m.get('/console/api/me')).status).toBe(401);
});

it('signs out with a same-origin JSON request only', async () => {
  const m = await signIn(h, 'boss');
  const form = await fetch(`${h.url}/console/auth/logout`, { method: 'POST', headers: { cookie: m.jar.header(), 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' });
  expect(form.status).toBe(415);
  expect((await m.post('/console/auth/logout', {}, { origin: 'https://evil.example.com' })).status).toBe(403);
  expect((await m.post('/console/auth/logout')).status).toBe(200);
  expect((await m.get('/console/api/me')).status).toBe(401);
});

it('adds a 管理台 view button under 更多 in the app menu that opens the console', () => {
  const more = h.app.bot.menu.find((b) => b.name === '更多');
  expect(more?.sub_button).toContainEqual({ type: 'view', name: '管理台', url: 'https://bot.example.com/console/' });
});
