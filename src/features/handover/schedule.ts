import type { DbTx } from '../../db';
import type { Staff } from '../../generated/prisma/client';

export async function findIncomingFromSchedule(_db: DbTx, _storeCode: string, _outgoing: string, _now: Date): Promise<Staff | null> {
  return null;
}

export async function overdueStockEntries(_db: DbTx, _storeCode: string, _now: Date): Promise<string[]> {
  return [];
}

export async function scheduledShifts(_db: DbTx, _storeCodes: string[], _period: { start: Date; end: Date }): Promise<Map<string, number>> {
  return new Map();
}
