import type { Db } from '../../db';

/**
 * A store's repair setup, and reading a report against it. Pure rules, no database: the orders,
 * their tasks and the chat commands all build on it.
 */

export type Priority = 'high' | 'normal' | 'low';

/**
 * What work orders need to know of a store: what it calls its equipment, who repairs what, and
 * the deadlines by priority. Each store's checklist template holds it, and templates are the
 * handover feature's (it imports and validates them). So that the dependency runs one way —
 * handover imports this feature's public face, never the reverse — work orders are given their
 * setup as data: the handover passes the template a fault was found under, and `报修` asks the
 * lookup src/features/index.ts hands to workOrdersFeature.
 */
export interface RepairSetup {
  /** Equipment kind → display name (`ice_machine` → 制冰机). */
  equipment: Record<string, string>;
  /** Who repairs what: per equipment kind, else the default. */
  maintenance: { default?: string; byEquipment: Record<string, string> };
  workOrderSla: Record<Priority, { ackHours: number; closeHours: number }>;
}

/** A store's repair setup as it stands now. */
export type RepairSetupLookup = (db: Db, storeCode: string, now: Date) => Promise<RepairSetup>;

/** A report that names none of the store's equipment. */
export const OTHER_EQUIPMENT = { key: 'other', name: '其他设备' };

/** What staff call an equipment key (`ice_machine` → 制冰机), by the store's names (the handover feature's equipmentNames). */
export function equipmentName(names: Record<string, string>, key: string): string {
  return names[key] ?? OTHER_EQUIPMENT.name;
}

/** Who repairs this equipment in this store, if anyone. */
export function maintenanceContact(setup: RepairSetup, equipment: string): string | null {
  return setup.maintenance.byEquipment[equipment] ?? setup.maintenance.default ?? null;
}

/** The equipment a report names (by the store's names or keys); `other` when none. */
export function equipmentIn(text: string, setup: RepairSetup): { key: string; name: string } {
  for (const [key, name] of Object.entries(setup.equipment)) if (text.includes(name) || text.toLowerCase().includes(key)) return { key, name };
  return OTHER_EQUIPMENT;
}

/** How urgent a report sounds: an urgent word (紧急, 停了, 冒烟…) makes it high, 不急 / 有空 low. */
export function priorityIn(text: string): Priority {
  if (/紧急|马上|立刻|停了|不能用|漏电|冒烟/.test(text)) return 'high';
  if (/不急|有空/.test(text)) return 'low';
  return 'normal';
}
