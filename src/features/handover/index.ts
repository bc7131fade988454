import type { Feature } from '../../bot/registry';
import { HANDOVER_LADDERS, handoverSettings } from './settings';
import { seedHandoverDemo } from './demo';
import type { BotContext } from '../../bot/context';
import { photoForWorkOrder, type RepairPhotos } from '../workorders';
import { HELP_COMMANDS } from '../help';
import { answerBatch, answerFromCard, answerInChat, answerText, cancelHandover, chooseMode, EXIT_WORDS, isAwaitingAnswer, photoForHandover, pickIncoming, startHandover } from './flow';
import { confirmAll, dispute, photoForDispute, resolve, review, reviewPage, type HandoverDeps } from './incoming';
import { createMediaStore } from '../../platform/media';
import { flagForGuidance } from './guidance';
import { registerHandoverConsole } from './console';
import { showRecords } from './records';
import { measureHandoverCompleteness } from './score';
import { importChecklist } from './templates';
import { HANDOVER_CARDS, HANDOVER_MENU } from './keys';

export { CHAIN_SCOPE, currentRepairSetup, equipmentNames, importChecklist } from './templates';

/**
 * Shift handover in chat: the outgoing colleague walks through the store's checklist on cards,
 * the incoming one confirms or disputes item by item, the store manager hears of disputes, cash
 * differences and late confirmations, and every step lands in a hash-chained log per store.
 */
export const handoverFeature: Feature = {
  name: 'handover',
  settings: handoverSettings,
  ladders: HANDOVER_LADDERS,
  demo: seedHandoverDemo,
  register(bot) {
    const media = createMediaStore(bot.config.media);
    const deps: HandoverDeps = { media, newStaffDays: bot.config.handover.newStaffDays, timezone: bot.config.timezone };
    const repairs: RepairPhotos = { media, photoWindowMs: bot.config.handover.repairPhotoWindowSeconds * 1000 };

    bot.command('交班记录', (ctx) => showRecords(deps.timezone, ctx), '店长查看交班记录：交班记录 S001');
    bot.command('交班', (ctx) => startHandover(deps, ctx), '开始交班（新同事可发「交班 逐项」）');
    bot.menuClick(HANDOVER_MENU.start, (ctx) => startHandover(deps, ctx));
    bot.menuButton({ type: 'click', name: '交班', key: HANDOVER_MENU.start });
    bot.command('新人指引', flagForGuidance, '店长为同事打开交班提示：新人指引 王欣');
    bot.command('填', (ctx) => answerText(deps, ctx), '交班时填写文字项：填 3号桌蛋糕下午5点取');
    bot.command(EXIT_WORDS, cancelHandover, '交班填到一半不交了：取消交班（已填的留在记录里，不交给接班同事）');
    bot.command('异议', dispute, '接班时提异议：异议 3 钱箱少50元');
    // While an item waits for this person, whatever they type is its answer — before any command.
    bot.awaitedText('handover.answer', (ctx) => answerInChat(deps, ctx), { when: isAwaitingAnswer, except: [...EXIT_WORDS, ...HELP_COMMANDS] });
    bot.on('image', (ctx) => routePhoto(deps, repairs, ctx));

    bot.card(HANDOVER_CARDS.mode, chooseMode);
    bot.card(HANDOVER_CARDS.item, (ctx) => answerFromCard(deps, ctx));
    bot.card(HANDOVER_CARDS.batch, (ctx) => answerBatch(deps, ctx));
    bot.card(HANDOVER_CARDS.pickIncoming, (ctx) => pickIncoming(deps, ctx));
    bot.card(HANDOVER_CARDS.confirmAll, confirmAll);
    bot.card(HANDOVER_CARDS.review, review);
    bot.card(HANDOVER_CARDS.reviewPage, reviewPage);
    bot.card(HANDOVER_CARDS.resolve, resolve);

    bot.scorePart('handoverCompleteness', measureHandoverCompleteness);
    registerHandoverConsole(bot);

    bot.sync('checklist', async ({ db, body, clock, log, source }) => {
      const outcome = await importChecklist(db, body, clock.now());
      if (!outcome.ok) return { accepted: false, problems: outcome.problems.map((message) => ({ line: 1, message })) };
      log.info({ source, scope: outcome.scope, version: outcome.version, created: outcome.created }, 'checklist template synced');
      return { accepted: true, result: { scope: outcome.scope, version: outcome.version, created: outcome.created, items: outcome.items } };
    });
  },
};

/** An image is for the handover photo item being asked, else a dispute's evidence, else a repair report. */
async function routePhoto(deps: HandoverDeps, repairs: RepairPhotos, ctx: BotContext): Promise<void> {
  if (await photoForHandover(deps, ctx)) return;
  if (await photoForDispute(deps, ctx)) return;
  await photoForWorkOrder(repairs, ctx);
}
