import { namespaced } from '../../bot/keys';

/** The engine's own buttons on every task card: `tasks.done:<task id>`, `tasks.ack:<task id>`. */
export const TASK_CARDS = namespaced('tasks', ['done', 'ack']);

/** The codes of the refusals staff get from this feature (UserFacingError and its kin): logged with the inbound message, asserted by tests. */
export const TASK_ERRORS = namespaced('tasks', [
  'ambiguousPerson',
  'noTitle',
  'notManager',
  'notYourTask',
  'partlyReadTime',
  'pastDue',
  'severalStores',
  'unknownPerson',
  'unknownTask',
  'unreadableTime',
  'whichStore',
]);
