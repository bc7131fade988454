import type { Feature } from '../../bot/registry';
import { registerStockChecks } from './checks';
import { pickSku, recordStockMove, showStock, undoFromCard, undoLastMove } from './commands';

/**
 * Stock by chat: receipts, waste and returns booked into an append-only ledger, on-hand per
 * store, and 撤销 as a reversing entry. (Transfers, counts, checks at entry, late-entry chasing
 * and POS/ERP sync of moves come next.)
 */
export const stockFeature: Feature = (bot) => {
  bot.command(['入库', '收到', '到货', '进货'], recordStockMove, '记录入库：入库 奶油 20箱');
  bot.command(['报损', '损耗'], recordStockMove, '记录报损：报损 牛奶 2盒 过期');
  bot.command('退货', recordStockMove, '退货给供应商：退货 珍珠 1箱 质量问题');
  bot.command(['查库存', '库存'], showStock, '查库存：查库存 奶油');
  bot.command('撤销', undoLastMove, '撤销我记的上一笔');
  bot.card('stock.undo', undoFromCard);
  bot.card('stock.pickSku', pickSku);
  registerStockChecks(bot);
};
