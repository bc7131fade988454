import type { Feature } from '../bot/registry';
import { helpFeature } from './help';
import { masterDataFeature } from './masterdata';
import { stockFeature } from './stock';
import { membersFeature } from './members';
import { scoreFeature } from './score';
import { currentRepairSetup, equipmentNames, handoverFeature } from './handover';
import { workOrdersFeature } from './workorders';
import { tasksFeature } from './tasks';
import { rosterFeature } from './roster';

/**
 * Every feature of the bot: adding one is one line here. Its settings join the configuration,
 * its demo data the sandbox, its handlers the bot, in this order — which matters only where text
 * patterns overlap (first wins) and for demo data (master data first).
 */
export const FEATURES: Feature[] = [
  masterDataFeature,
  rosterFeature,
  stockFeature,
  tasksFeature,
  handoverFeature,
  workOrdersFeature(currentRepairSetup, equipmentNames),
  membersFeature,
  scoreFeature,
  helpFeature,
];
