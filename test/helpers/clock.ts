import type { Clock } from '../../src/clock';

/** A clock the test moves by hand: backoffs, rate-limit windows and leases without waiting. */
export class TestClock implements Clock {
  private t: number;
  constructor(start = Date.now()) {
    this.t = start;
  }
  now(): Date {
    return new Date(this.t);
  }
  advance(ms: number): void {
    this.t += ms;
  }
  set(at: Date): void {
    this.t = at.getTime();
  }
}
