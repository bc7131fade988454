/** A decrypted WeCom callback as handlers see it: the fields every feature needs, typed. */
export interface InboundMessage {
  /** Row id in inbound_message (string: it is a bigint). */
  id: string;
  dedupeKey: string;
  msgType: string;
  /** Lower-cased: WeCom and its docs disagree on the case of `click`. */
  event?: string;
  eventKey?: string;
  fromUser: string;
  agentId?: string;
  createTime: number;
  msgId?: string;
  /** Text messages. */
  content?: string;
  /** Image, voice, video and file messages. */
  mediaId?: string;
  picUrl?: string;
  format?: string;
  location?: { latitude: number; longitude: number; scale?: number; label?: string };
  /** `scancode_push` / `scancode_waitmsg`: what the camera read. */
  scan?: { type: string; result: string };
  /** `template_card_event`: which card, which button, and what was selected. */
  card?: {
    taskId: string;
    cardType?: string;
    responseCode?: string;
    selections: { questionKey: string; optionIds: string[] }[];
  };
}

export type InboundFields = Omit<InboundMessage, 'id'>;
