/**
 * Names a feature declares once under its namespace — its card buttons' keys, its error codes:
 * `namespaced('stock', ['undo', 'pickSku'])` is `{ undo: 'stock.undo', pickSku: 'stock.pickSku' }`.
 * The card builder and `bot.card` read the same property, so a misspelt key is a type error, not
 * a button nobody answers; the wire values stay what WeCom cards already sent carry.
 */
export function namespaced<const Namespace extends string, const Name extends string>(namespace: Namespace, names: readonly Name[]): { readonly [N in Name]: `${Namespace}.${N}` } {
  return Object.fromEntries(names.map((name) => [name, `${namespace}.${name}`])) as { [N in Name]: `${Namespace}.${N}` };
}
