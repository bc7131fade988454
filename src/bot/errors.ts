/**
 * An expected failure the person in chat should read: wrong quantity, unknown SKU, a step out
 * of order. `code` is a namespaced constant (`stock.unknownSku`); `staffMessage` is Chinese.
 * Anything thrown that is not a UserFacingError is a bug, and is logged as one.
 */
export class UserFacingError extends Error {
  constructor(
    readonly code: string,
    readonly staffMessage: string,
  ) {
    super(`${code}: ${staffMessage}`);
    this.name = 'UserFacingError';
  }
}
