import type { Clock } from '../../../src/clock';
import type { Harness } from '../../helpers/harness';
import { eventMessage, innerXml, textMessage } from '../../helpers/wecom-callback';

/** Talking to the bot through the encrypted callback path, as the stock tests do. */
export function stockChat(h: Harness, clock?: Clock) {
  let eventSeq = 0;
  // Events (taps, scans) happen now on the test's clock, a second apart so each is its own event.
  const eventTime = () => (clock ? Math.floor(clock.now().getTime() / 1000) : 1_000) + ++eventSeq;
  // The envelope is as fresh as our clock, which tests move.
  const fresh = () => (clock ? { timestamp: String(Math.floor(clock.now().getTime() / 1000)) } : undefined);
  const say = async (user: string, text: string) => {
    await h.deliver(textMessage(h.keys, user, text, clock ? { createTime: Math.floor(clock.now().getTime() / 1000) } : {}), fresh());
    await h.settle();
    return h.fake.inbox(user).at(-1)!;
  };
  /** Taps the button labelled `text` on `card` (as delivered to the person tapping). */
  const tap = async (user: string, card: { body: Record<string, unknown> }, text: string) => {
    const button = (card.body.button_list as { text: string; key: string }[]).find((b) => b.text === text);
    if (!button) throw new Error(`no button ${text} on the card`);
    const taskId = String(card.body.task_id);
    await h.deliver(
      eventMessage(
        h.keys,
        user,
        'template_card_event',
        button.key,
        innerXml({ TaskId: taskId, CardType: 'button_interaction', ResponseCode: h.fake.issueResponseCode(taskId) }).slice(5, -6),
        eventTime(),
      ),
      fresh(),
    );
    await h.settle();
    return h.fake.inbox(user).at(-1)!;
  };
  const scan = async (user: string, key: string, barcode: string) => {
    await h.deliver(
      eventMessage(h.keys, user, 'scancode_waitmsg', key, `<ScanCodeInfo><ScanType><![CDATA[barcode]]></ScanType><ScanResult><![CDATA[EAN_13,${barcode}]]></ScanResult></ScanCodeInfo>`, eventTime()),
      fresh(),
    );
    await h.settle();
    return h.fake.inbox(user).at(-1)!;
  };
  const onHand = async (store: string, sku: string) => (await h.app.db.stockBalance.findUnique({ where: { storeCode_skuCode: { storeCode: store, skuCode: sku } } }))?.onHand.toNumber() ?? 0;
  return { say, tap, scan, onHand };
}
