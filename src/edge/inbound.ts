import type { InboundFields } from '../bot/message';
import { field, type XmlFields } from './xml';

export class IncompleteMessage extends Error {}

/**
 * Turns the decrypted XML into an InboundMessage and its dedupe key: messages by MsgId, events by
 * sender + CreateTime + event + key (+ TaskId for cards) — coarser keys drop distinct taps.
 */
export function readInboundXml(x: XmlFields): InboundFields {
  const fromUser = field(x, 'FromUserName');
  const msgType = field(x, 'MsgType')?.toLowerCase();
  const createTimeText = field(x, 'CreateTime');
  if (!fromUser || !msgType || !createTimeText || !/^\d+$/.test(createTimeText)) {
    throw new IncompleteMessage('FromUserName, MsgType and a numeric CreateTime are required');
  }
  const createTime = Number(createTimeText);
  const msg: InboundFields = {
    dedupeKey: '',
    msgType,
    fromUser,
    agentId: field(x, 'AgentID'),
    createTime,
    msgId: field(x, 'MsgId'),
  };
  // Zero-width characters mean nothing to a reader; they arrive when someone pastes a bot reply
  // back (the sender marks repeated replies with them) and would hide a command word.
  if (msgType === 'text') msg.content = (field(x, 'Content') ?? '').replace(/[\u200b-\u200d\u2060\ufeff]/g, '');
  if (['image', 'voice', 'video', 'file'].includes(msgType)) {
    msg.mediaId = field(x, 'MediaId');
    msg.picUrl = field(x, 'PicUrl');
    msg.format = field(x, 'Format');
  }
  if (msgType === 'location') {
    msg.location = {
      latitude: Number(field(x, 'Location_X')),
      longitude: Number(field(x, 'Location_Y')),
      scale: field(x, 'Scale') ? Number(field(x, 'Scale')) : undefined,
      label: field(x, 'Label'),
    };
  }
  if (msgType === 'event') {
    msg.event = field(x, 'Event')?.toLowerCase();
    msg.eventKey = field(x, 'EventKey');
    const scan = x.ScanCodeInfo as XmlFields | undefined;
    if (scan && typeof scan === 'object') {
      msg.scan = { type: field(scan, 'ScanType') ?? '', result: field(scan, 'ScanResult') ?? '' };
    }
    if (msg.event === 'template_card_event') {
      const selected = (x.SelectedItems as XmlFields | undefined)?.SelectedItem as XmlFields[] | undefined;
      msg.card = {
        taskId: field(x, 'TaskId') ?? '',
        cardType: field(x, 'CardType'),
        responseCode: field(x, 'ResponseCode'),
        selections: (selected ?? []).map((item) => ({
          questionKey: field(item, 'QuestionKey') ?? '',
          optionIds: (((item.OptionIds as XmlFields | undefined)?.OptionId as unknown[]) ?? []).map(String),
        })),
      };
    }
  }
  msg.dedupeKey = msg.msgId ? `msg:${msg.msgId}` : ['evt', fromUser, createTime, msg.event ?? msgType, msg.eventKey ?? '', msg.card?.taskId ?? ''].join('|');
  return msg;
}
