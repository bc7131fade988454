import { namespaced } from '../../../bot/keys';

/** The codes of recipes' refusals in chat: logged with the inbound message, asserted by tests. */
export const RECIPE_ERRORS = namespaced('recipes', ['productMissing', 'unknownProduct', 'ambiguousProduct', 'noRecipe', 'quantityUnreadable', 'quantityMissing', 'notPrepared']);
