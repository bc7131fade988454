import { namespaced } from '../../bot/keys';

/**
 * The keys of the handover's card buttons, on its own cards and on the task cards it opens (a
 * button carries `<key>:<args>`, `bot.card` registers `<key>`).
 */
export const HANDOVER_CARDS = namespaced('handover', ['batch', 'confirmAll', 'item', 'mode', 'pickIncoming', 'resolve', 'review', 'reviewPage']);

/** The app menu's buttons. */
export const HANDOVER_MENU = namespaced('handover', ['start']);

/** The codes of the refusals staff get from this feature (UserFacingError and its kin): logged with the inbound message, asserted by tests. */
export const HANDOVER_ERRORS = namespaced('handover', [
  'alreadyConfirmed',
  'alreadySubmitted',
  'cancelled',
  'guidanceFormat',
  'implausibleNumber',
  'managerOnly',
  'managersOnly',
  'noColleague',
  'noStore',
  'noTemplate',
  'notColleague',
  'notIncoming',
  'notReady',
  'notYours',
  'noteMissing',
  'nothingSelected',
  'nothingToCancel',
  'nothingToDispute',
  'nothingToFill',
  'numberExpected',
  'overdueStock',
  'selfIncoming',
  'textExpected',
  'textMissing',
  'unknown',
  'unknownItem',
  'unknownStaff',
  'unknownStore',
  'whichStore',
  'wrongAnswer',
]);
