import { APOLOGY } from '../../src/bot/processor';
import type { Clock } from '../../src/clock';
import type { Harness } from './harness';
import { eventMessage, innerXml } from './wecom-callback';

type Button = { text: string; key: string };
type Question = { question_key: string; option_list: { id: string }[] };

/** What a tap must never end in: the apology for a bug, a validation error, a dead button. */
const BROKEN = [APOLOGY, 'Invalid input', '这个按钮暂时没有对应的功能', 'undefined', 'NaN', '[object Object]'];

/**
 * Taps every button of every card the bot has sent, as each recipient now sees it (the card
 * after its latest update, as the sandbox page and the WeCom client show it), then every button
 * of the cards those taps update or send, until nothing new is left. A tap carries the task_id
 * of the card it is on, as WeCom's client does. Returns each problem found, with the card and
 * the button; a button is not tapped once an earlier tap changed its card (the client shows the
 * new card instead).
 */
export async function walkCards(h: Harness, clock: Clock, opts: { maxTaps?: number } = {}): Promise<{ taps: string[]; problems: string[] }> {
  const walked = new Set<string>();
  const taps: string[] = [];
  const problems: string[] = [];
  const deadSeen = new Set<bigint>();
  let createTime = Math.floor(clock.now().getTime() / 1000);
  for (;;) {
    const cards = h.fake.messages.filter((m) => m.msgtype === 'template_card' && !m.dropped);
    let progressed = false;
    for (const sent of cards) {
      const taskId = String(sent.body.task_id);
      const user = sent.touser;
      const before = h.fake.cardView(taskId, user);
      const signature = `${taskId}|${user}|${JSON.stringify(before)}`;
      if (!before || walked.has(signature)) continue;
      walked.add(signature);
      if (before.replacedName) continue; // greyed out: nothing to tap
      const buttons: Button[] = (before.card.button_list as Button[] | undefined) ?? (before.card.submit_button ? [before.card.submit_button as Button] : []);
      for (const button of buttons) {
        const view = h.fake.cardView(taskId, user)!;
        if (JSON.stringify(view) !== JSON.stringify(before)) break;
        progressed = true;
        const where = `「${String((view.card.main_title as { title?: string } | undefined)?.title ?? view.card.card_type)}」 → ${button.text} (${user}, ${button.key})`;
        if (opts.maxTaps !== undefined && taps.length >= opts.maxTaps) return { taps, problems: [...problems, `more than ${opts.maxTaps} taps: the walk does not end`] };
        taps.push(where);
        // The client sends back the task_id of the card as it shows it.
        const shownTaskId = view.card.task_id;
        if (shownTaskId !== taskId) problems.push(`${where}: the card shown carries task_id ${String(shownTaskId)}, not ${taskId}`);
        const inbox = h.fake.inbox(user).length;
        const inboundBefore = await h.app.db.inboundMessage.count();
        const extra =
          innerXml({ TaskId: shownTaskId === undefined ? undefined : String(shownTaskId), CardType: String(view.card.card_type), ResponseCode: h.fake.issueResponseCode(taskId) }).slice(5, -6) +
          selectionsFor(view.card);
        await h.deliver(eventMessage(h.keys, user, 'template_card_event', button.key, extra, ++createTime), { timestamp: String(Math.floor(clock.now().getTime() / 1000)) });
        await h.settle();
        const answers = h.fake
          .inbox(user)
          .slice(inbox)
          .map((m) => String(m.body.content ?? ''));
        for (const text of answers) if (BROKEN.some((b) => text.includes(b))) problems.push(`${where}: answered 「${text}」`);
        const [row] = await h.app.db.inboundMessage.findMany({ where: { fromUser: user }, orderBy: { id: 'desc' }, take: 1 });
        if ((await h.app.db.inboundMessage.count()) === inboundBefore) problems.push(`${where}: the tap was not stored`);
        else if (row.status !== 'done' || row.lastError) problems.push(`${where}: handler ${row.status}${row.lastError ? ` (${row.lastError})` : ''}`);
        const dead = await h.app.db.outboxMessage.findMany({ where: { status: 'dead', id: { notIn: [...deadSeen] } } });
        for (const d of dead) deadSeen.add(d.id);
        if (dead.length) problems.push(`${where}: WeCom refused ${dead.length} message(s): ${dead.map((d) => d.lastError).join('; ')}`);
      }
    }
    if (!progressed) return { taps, problems };
  }
}

/** A submit button answers every question of its card with the first option. */
function selectionsFor(card: Record<string, unknown>): string {
  const questions: Question[] = [...((card.select_list as Question[] | undefined) ?? []), ...(card.checkbox ? [card.checkbox as Question] : [])];
  if (!card.submit_button || questions.length === 0) return '';
  const items = questions.map(
    (q) => `<SelectedItem><QuestionKey><![CDATA[${q.question_key}]]></QuestionKey><OptionIds><OptionId><![CDATA[${q.option_list[0].id}]]></OptionId></OptionIds></SelectedItem>`,
  );
  return `<SelectedItems>${items.join('')}</SelectedItems>`;
}
