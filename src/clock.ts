/** Time as the app sees it. Tests swap in a controllable clock; SQL gets times as parameters, never now(). */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
