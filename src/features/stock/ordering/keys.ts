import { namespaced } from '../../../bot/keys';

/** The suggested order's card button (`stock.confirmOrder:<order id>`). */
export const ORDER_CARDS = namespaced('stock', ['confirmOrder']);

/** The suggested order's refusals. */
export const ORDER_ERRORS = namespaced('stock', ['orderConfirmed', 'ordersForManagers', 'unknownOrder']);
