/** What the bot can send. Anything else WeCom supports is added here, not hand-built in features. */
export type OutboundContent =
  | { kind: 'text'; content: string }
  | { kind: 'markdown'; content: string }
  | { kind: 'template_card'; card: TemplateCard }
  /** An image already uploaded with media/upload (media ids live three days). */
  | { kind: 'image'; mediaId: string }
  /** Not a new message: rewrites a card the person tapped (message/update_template_card). */
  | { kind: 'card_update'; update: CardUpdate };

/**
 * A tap's response_code lets the app update that card once, within 72 hours: either grey out
 * the buttons with a new label, or replace the whole card.
 */
export type CardUpdate = { responseCode: string } & ({ replaceName: string } | { card: TemplateCard });

/**
 * A WeCom template card (card_type text_notice, news_notice, button_interaction,
 * vote_interaction or multiple_interaction). `task_id` is set by the outbox when absent.
 */
export type TemplateCard = { card_type: string; task_id?: string } & Record<string, unknown>;

export const text = (content: string): OutboundContent => ({ kind: 'text', content });
export const markdown = (content: string): OutboundContent => ({ kind: 'markdown', content });
export const templateCard = (card: TemplateCard): OutboundContent => ({ kind: 'template_card', card });
export const image = (mediaId: string): OutboundContent => ({ kind: 'image', mediaId });

/** WeCom refuses text and markdown `content` over 2,048 bytes of UTF-8. */
export const CONTENT_LIMIT_BYTES = 2048;
/**
 * Room the sender keeps at the end of each part for invisible marks that tell a repeated reply
 * apart from the last one for WeCom's duplicate check (see src/platform/sender.ts): ten marks,
 * enough for 1,023 identical messages to one person within the interval.
 */
export const DISTINCT_MARK_RESERVE_BYTES = 30;
/** Past this many parts a reply is cut, not split further: nobody reads the sixth screen in chat. */
export const MAX_PARTS = 5;
const CUT_NOTE = '\n…（内容过长，已截断）';

/**
 * Splits long text into parts of at most `limit` bytes, preferring line breaks, never cutting a
 * character in half; beyond MAX_PARTS the last part is cut and says so.
 */
export function splitContent(content: string, limit = CONTENT_LIMIT_BYTES - DISTINCT_MARK_RESERVE_BYTES): string[] {
  const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
  if (bytes(content) <= limit) return [content];
  const parts: string[] = [];
  let rest = content;
  while (rest.length > 0) {
    if (bytes(rest) <= limit) {
      parts.push(rest);
      break;
    }
    if (parts.length === MAX_PARTS - 1) {
      parts.push(prefixWithin(rest, limit - bytes(CUT_NOTE)) + CUT_NOTE);
      break;
    }
    const head = prefixWithin(rest, limit);
    const lineBreak = head.lastIndexOf('\n');
    const cut = lineBreak > head.length / 2 ? lineBreak + 1 : head.length;
    parts.push(rest.slice(0, cut).replace(/\n$/, ''));
    rest = rest.slice(cut);
  }
  return parts;
}

/** The longest prefix of `s` within `limit` UTF-8 bytes, on a code point boundary. */
function prefixWithin(s: string, limit: number): string {
  let used = 0;
  let end = 0;
  for (const ch of s) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (used + size > limit) break;
    used += size;
    end += ch.length;
  }
  return s.slice(0, end);
}
