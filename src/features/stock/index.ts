import type { Feature } from '../../bot/registry';
import { STOCK_LADDERS, stockSettings } from './settings';
import { seedStockDemo } from './demo';
import { seedStockChecksDemo } from './checks-demo';
import { registerBatches } from './batches';
import { registerStockChecks } from './checks';
import { registerStockConsole } from './console';
import { registerOrdering } from './ordering';
import { registerRecipes } from './recipes';
import { seedPosDemo } from './recipes/demo';
import { seedUsageDemo } from './usage/demo';
import { confirmLargeMove, dropLargeMove, pickSku, readStockMessage, readsAsStock, recordStockMove, showStock } from './commands';
import { approveCount, closeCount, openCount, reopenCount } from './count-commands';
import { STOCK_KINDS, type QuantityVerb } from './move-kinds';
import { BARE_QUANTITY } from './parse';
import { hasPendingInput } from './pending';
import { completePendingInput } from './pending-answer';
import { askScannedQuantity, bookTappedQuantity, SCAN_ACTIONS, type ScanKey } from './scan';
import { inventoryAccuracyPart } from './score';
import { syncMoves } from './sync';
import { askTransferDifference, receiveTransferByText, receiveTransferInFull } from './transfer-commands';
import { undoFromCard, undoLastMove } from './undo';
import { registerUsage, usageAccuracyPart } from './usage';
import { STOCK_CARDS } from './keys';

export type { CountTolerance, LargeMoveSettings, StockCheckSettings } from './settings';
/** What the console's ledger and pending lists name moves by. */
export { moveKindText, moveSourceText } from './move-kinds';

/**
 * Stock by chat: receipts, waste, returns and transfers booked into an append-only ledger,
 * on-hand per store, counts (盘点) with approval, scanning from the app menu, POS sales and
 * ERP/WMS receipts through the sync API, 撤销 as a reversing entry, and batches with their expiry (临期).
 */
export const stockFeature: Feature = {
  name: 'stock',
  settings: stockSettings,
  ladders: STOCK_LADDERS,
  async demo(db, demo) {
    await seedStockDemo(db, demo);
    await seedStockChecksDemo(db, demo);
    await seedPosDemo(db, demo);
    await seedUsageDemo(db, demo);
  },
  register(bot) {
    // The words of each kind are in move-kinds.ts; `收到牛奶两箱` and other everyday words are read by the route below.
    const kindCommand = (kind: QuantityVerb) => bot.command([...STOCK_KINDS[kind].typed.commands], recordStockMove, STOCK_KINDS[kind].typed.help);
    kindCommand('receipt');
    kindCommand('waste');
    kindCommand('return');
    kindCommand('transfer');
    bot.command(['调拨收货', '收到调拨'], receiveTransferByText, '确认别的门店调来的货：调拨收货（看在途调拨）');
    bot.command(['查库存', '库存'], showStock, '查库存：查库存 奶油');
    bot.command('撤销', undoLastMove, `撤销我记的上一笔（${bot.config.stockChecks.undoMinutes} 分钟内）`);
    bot.command('开始盘点', openCount, '店长开始盘点：开始盘点（或 开始盘点 乳品）');
    kindCommand('count');
    bot.command('结束盘点', closeCount, '店长结束盘点，看差异和准确率');
    bot.hears(BARE_QUANTITY, completePendingInput, { when: hasPendingInput });
    // The verb after the SKU, at the end, or an everyday one (`奶油入库2箱`, `到了两箱芒果`, `扔了两盒牛奶`,
    // `奶油还有多少`): taken only when the parser reads the message as stock, else it goes on to others.
    bot.hears(/\S/u, readStockMessage, { when: readsAsStock });
    bot.card(STOCK_CARDS.undo, undoFromCard);
    bot.card(STOCK_CARDS.pickSku, pickSku);
    bot.card(STOCK_CARDS.confirmLarge, confirmLargeMove);
    bot.card(STOCK_CARDS.dropLarge, dropLargeMove);
    bot.card(STOCK_CARDS.receiveTransfer, receiveTransferInFull);
    bot.card(STOCK_CARDS.transferDifference, askTransferDifference);
    bot.card(STOCK_CARDS.scanQuantity, bookTappedQuantity);
    bot.card(STOCK_CARDS.approveCount, approveCount);
    bot.card(STOCK_CARDS.reopenCount, reopenCount);
    for (const key of Object.keys(SCAN_ACTIONS) as ScanKey[]) bot.scan(key, askScannedQuantity(key));
    bot.menuButton({
      name: '库存',
      type: 'click',
      sub_button: (Object.entries(SCAN_ACTIONS) as [ScanKey, (typeof SCAN_ACTIONS)[ScanKey]][]).map(([key, action]) => ({ type: 'scancode_waitmsg', name: action.name, key })),
    });
    bot.sync('sales', syncMoves('sales'));
    bot.sync('receipts', syncMoves('receipts'));
    bot.scorePart('inventoryAccuracy', bot.config.stockChecks.accuracyMeasure === 'usage' ? usageAccuracyPart : inventoryAccuracyPart(bot.config.stockChecks.countTolerance));
    registerStockChecks(bot);
    registerStockConsole(bot);
    registerRecipes(bot);
    registerUsage(bot);
    registerOrdering(bot);
    registerBatches(bot);
  },
};
