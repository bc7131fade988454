import { namespaced } from '../../bot/keys';

/**
 * The keys of a work order's card buttons, on its own cards and on the task cards it opens (a
 * button carries `<key>:<args>`, `bot.card` registers `<key>`).
 */
export const WORKORDER_CARDS = namespaced('workorder', ['ack', 'close', 'progress', 'show']);

/** The codes of the refusals staff get from this feature (UserFacingError and its kin): logged with the inbound message, asserted by tests. */
export const WORKORDER_ERRORS = namespaced('workorder', ['closed', 'descriptionMissing', 'noStore', 'notYours', 'noteFormat', 'unknown']);
