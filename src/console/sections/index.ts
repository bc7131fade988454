import { stockBalanceSection, stockMovesSection } from './stock';
import { tasksSection } from './tasks';
import { handoverSection } from './handover';
import { workOrdersSection } from './workorders';
import { campaignsSection, memberSegmentsSection } from './members';
import { countsSection } from './counts';
import { lowStockSection, stockoutSection } from './stock-alerts';
import { pendingSection } from './pending';
import type { ConsoleSection } from './types';

/**
 * The tables of a store's page, in page order. A feature shows its data here by adding its
 * section (handovers, work orders, members…): the page, filters, CSV export and role checks
 * come with it.
 */
export const SECTIONS: ConsoleSection[] = [
  tasksSection,
  pendingSection,
  handoverSection,
  workOrdersSection,
  lowStockSection,
  stockoutSection,
  countsSection,
  stockBalanceSection,
  stockMovesSection,
  memberSegmentsSection,
  campaignsSection,
];
