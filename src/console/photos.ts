import type { DbTx } from '../db';

/** Where the page loads a photo: under its store, so the store's role check covers it. */
export const photoPath = (storeCode: string, id: bigint) => `/console/api/stores/${encodeURIComponent(storeCode)}/photos/${id}`;

/**
 * The store a stored photo belongs to: the store of the handover or work order it documents
 * (what it was sent for decides who may see it), else the store recorded with it.
 */
export async function storeOfPhoto(db: DbTx, photo: { storeCode: string | null; handoverItemId: bigint | null; disputeItemId: bigint | null; workOrderId: bigint | null }): Promise<string | null> {
  const itemId = photo.handoverItemId ?? photo.disputeItemId;
  if (itemId !== null) {
    const item = await db.handoverItem.findUnique({ where: { id: itemId }, select: { handover: { select: { storeCode: true } } } });
    return item?.handover.storeCode ?? null;
  }
  if (photo.workOrderId !== null) return (await db.workOrder.findUnique({ where: { id: photo.workOrderId }, select: { storeCode: true } }))?.storeCode ?? null;
  return photo.storeCode;
}
