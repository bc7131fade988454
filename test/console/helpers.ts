import type { Harness } from '../helpers/harness';

/** A browser's cookies for one member: what the console set, sent back on every request. */
export class CookieJar {
  readonly cookies = new Map<string, string>();

  take(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const name = pair.slice(0, pair.indexOf('='));
      const value = pair.slice(pair.indexOf('=') + 1);
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

export interface Member {
  jar: CookieJar;
  csrf: string;
  get(path: string): Promise<Response>;
  post(path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
}

export function member(h: Harness, jar = new CookieJar()): Member {
  const m: Member = {
    jar,
    csrf: '',
    async get(path) {
      const res = await fetch(`${h.url}${path}`, { headers: { cookie: jar.header() }, redirect: 'manual' });
      jar.take(res);
      return res;
    },
    async post(path, body = {}, headers = {}) {
      const res = await fetch(`${h.url}${path}`, {
        method: 'POST',
        headers: { cookie: jar.header(), 'content-type': 'application/json', 'x-csrf-token': m.csrf, ...headers },
        body: JSON.stringify(body),
        redirect: 'manual',
      });
      jar.take(res);
      return res;
    },
  };
  return m;
}

/** Signs in through WeCom OAuth as `userid`: /console/login → (WeCom) → /console/auth/callback. */
export async function signIn(h: Harness, userid: string, returnTo = '/console/'): Promise<Member> {
  const m = member(h);
  const login = await m.get(`/console/login?return=${encodeURIComponent(returnTo)}`);
  const authorize = new URL(login.headers.get('location')!);
  const state = authorize.searchParams.get('state')!;
  const callback = await m.get(`/console/auth/callback?code=${h.fake.issueOAuthCode(userid)}&state=${state}`);
  if (callback.status === 302) {
    const me = await m.get('/console/api/me');
    if (me.status === 200) m.csrf = ((await me.json()) as { csrf: string }).csrf;
  }
  return m;
}
