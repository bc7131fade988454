import crypto from 'node:crypto';
import Cookies from 'cookies';
import Keygrip from 'keygrip';
import type Koa from 'koa';
import type { Clock } from '../clock';

/** What the signed session cookie carries. The expiry is checked here, not left to the browser. */
export interface Session {
  userid: string;
  expiresAt: number;
  /** Sent back in X-CSRF-Token on every state-changing request (a cross-site form cannot read it). */
  csrf: string;
}

const SESSION_COOKIE = 'mdzs_console';
const OAUTH_COOKIE = 'mdzs_console_oauth';
const OAUTH_TTL_MS = 10 * 60_000;

/**
 * Session and OAuth-state cookies signed with CONSOLE_SESSION_SECRET (the `cookies` library's
 * keygrip signature, HMAC-SHA256), HttpOnly, SameSite=Lax, Secure behind https, path /console.
 */
export class SessionCookies {
  private readonly keys: Keygrip;

  constructor(
    secret: string,
    private readonly hours: number,
    private readonly clock: Clock,
  ) {
    this.keys = new Keygrip([secret], 'sha256');
  }

  private jar(ctx: Koa.Context): Cookies {
    return new Cookies(ctx.req, ctx.res, { keys: this.keys, secure: ctx.secure });
  }

  private options(ctx: Koa.Context, maxAge: number): Cookies.SetOption {
    return { signed: true, httpOnly: true, sameSite: 'lax', secure: ctx.secure, path: '/console', maxAge, overwrite: true };
  }

  read(ctx: Koa.Context): Session | null {
    const raw = this.jar(ctx).get(SESSION_COOKIE, { signed: true });
    if (!raw) return null;
    try {
      const session = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Session;
      if (typeof session.userid !== 'string' || typeof session.csrf !== 'string' || !(session.expiresAt > this.clock.now().getTime())) return null;
      return session;
    } catch {
      return null;
    }
  }

  start(ctx: Koa.Context, userid: string): Session {
    const maxAge = this.hours * 3_600_000;
    const session: Session = { userid, expiresAt: this.clock.now().getTime() + maxAge, csrf: crypto.randomBytes(24).toString('base64url') };
    this.jar(ctx).set(SESSION_COOKIE, Buffer.from(JSON.stringify(session)).toString('base64url'), this.options(ctx, maxAge));
    return session;
  }

  end(ctx: Koa.Context): void {
    this.jar(ctx).set(SESSION_COOKIE, null, { ...this.options(ctx, 0), maxAge: undefined });
  }

  /** Before the redirect to WeCom: a random state, and where to return, remembered in a signed cookie. */
  startOAuth(ctx: Koa.Context, returnTo: string): string {
    const state = crypto.randomBytes(16).toString('hex');
    this.jar(ctx).set(OAUTH_COOKIE, Buffer.from(JSON.stringify({ state, returnTo, at: this.clock.now().getTime() })).toString('base64url'), this.options(ctx, OAUTH_TTL_MS));
    return state;
  }

  /** The return path when `state` is the one this browser was sent off with, recently; else null. */
  finishOAuth(ctx: Koa.Context, state: string): string | null {
    const raw = this.jar(ctx).get(OAUTH_COOKIE, { signed: true });
    this.jar(ctx).set(OAUTH_COOKIE, null, { ...this.options(ctx, 0), maxAge: undefined });
    if (!raw) return null;
    try {
      const saved = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as { state: string; returnTo: string; at: number };
      if (!safeEqual(saved.state, state) || this.clock.now().getTime() - saved.at > OAUTH_TTL_MS) return null;
      return saved.returnTo;
    } catch {
      return null;
    }
  }
}

export function safeEqual(a: string, b: string): boolean {
  const x = crypto.createHash('sha256').update(a).digest();
  const y = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(x, y);
}
