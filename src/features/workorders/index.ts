import type { Feature } from '../../bot/registry';
import { createMediaStore } from '../../platform/media';
import { ladderStep } from '../../settings';
import { acknowledge, askProgress, close, reportFault, show, workOrderByText, type WorkOrderDeps } from './commands';
import { registerWorkOrdersConsole, type EquipmentNamesLookup } from './console';
import { WORKORDER_CARDS } from './keys';
import type { RepairSetupLookup } from './setup';

export { photoForWorkOrder, type RepairPhotos } from './commands';
export { openWorkOrder, PRIORITY_TEXT, STATE_TEXT } from './orders';
export { type EquipmentNamesLookup } from './console';
export { equipmentName, type Priority, type RepairSetup, type RepairSetupLookup } from './setup';

/**
 * Maintenance work orders: a fault found at handover, or `报修` / `有异常` with a photo, goes to
 * the store manager and the store's maintenance contact, who acknowledge, update and close it
 * on its card. (Photos reach it through the handover feature's image handler.) `repairSetupOf`
 * reads a store's equipment, repairers and deadlines, which its checklist template holds: the
 * handover feature's currentRepairSetup (see RepairSetup for why it is passed in, not imported);
 * `equipmentNamesOf` names the equipment of every version, for the console's table (its
 * equipmentNames).
 */
export function workOrdersFeature(repairSetupOf: RepairSetupLookup, equipmentNamesOf: EquipmentNamesLookup): Feature {
  return {
    name: 'workorders',
    ladders: {
      /** A work order not acknowledged or closed in time (by priority): the repairer, then the area manager. */
      workorder: {
        steps: [ladderStep('assignee'), ladderStep('area_manager')],
        expireAfterMinutes: 48 * 60,
        quietHours: true,
      },
    },
    register(bot) {
      const deps: WorkOrderDeps = { media: createMediaStore(bot.config.media), photoWindowMs: bot.config.handover.repairPhotoWindowSeconds * 1000, repairSetupOf };
      bot.command(['报修', '有异常'], (ctx) => reportFault(deps, ctx), '报修：报修 制冰机不出冰（可先发照片）');
      bot.command('工单', workOrderByText, '维修工单：工单 12 受理 / 工单 12 已修好 / 工单 12 已联系厂家');
      bot.card(WORKORDER_CARDS.ack, (ctx) => acknowledge(ctx));
      bot.card(WORKORDER_CARDS.progress, askProgress);
      bot.card(WORKORDER_CARDS.close, (ctx) => close(ctx));
      bot.card(WORKORDER_CARDS.show, (ctx) => show(ctx));
      registerWorkOrdersConsole(bot, equipmentNamesOf);
    },
  };
}
