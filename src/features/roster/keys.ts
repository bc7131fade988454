import { namespaced } from '../../bot/keys';

/** The codes of the refusals staff get from this feature (UserFacingError and its kin): logged with the inbound message, asserted by tests. */
export const ROSTER_ERRORS = namespaced('roster', ['noStore']);
