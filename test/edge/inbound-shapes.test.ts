import fs from 'node:fs';
import path from 'node:path';
import { readInboundXml } from '../../src/edge/inbound';
import { parseXml } from '../../src/edge/xml';

/** Real payload shapes (test/fixtures/wecom/) read into the typed message handlers get. */
const read = (name: string) => readInboundXml(parseXml(fs.readFileSync(path.join(__dirname, '../fixtures/wecom', name), 'utf8')));

it('reads an image message', () => {
  expect(read('image.xml')).toMatchObject({ msgType: 'image', mediaId: '1M7cd2yN9Cv7z1wL2vQK8y9kQ', picUrl: 'https://wework.qpic.cn/wwpic/abc/0', dedupeKey: 'msg:7300000000000000001' });
});

it('reads a location message', () => {
  expect(read('location.xml')).toMatchObject({ msgType: 'location', location: { latitude: 31.230416, longitude: 121.473701, scale: 15, label: '上海市黄浦区人民路' } });
});

it('reads a scan and keeps the raw scan result', () => {
  expect(read('scancode-waitmsg.xml')).toMatchObject({
    msgType: 'event',
    event: 'scancode_waitmsg',
    eventKey: 'stock.scanReceive',
    scan: { type: 'barcode', result: 'EAN_13,6900000010006' },
    dedupeKey: 'evt|chenjing|1764040002|scancode_waitmsg|stock.scanReceive|',
  });
});

it('reads a card tap with several questions and repeated OptionId', () => {
  expect(read('template-card-event.xml')).toMatchObject({
    event: 'template_card_event',
    eventKey: 'stock.reviewWaste:42',
    card: {
      taskId: 't_review_42',
      cardType: 'multiple_interaction',
      responseCode: 'ResponseCode_abc',
      selections: [
        { questionKey: 'reason', optionIds: ['expired'] },
        { questionKey: 'items', optionIds: ['milk', 'cream'] },
      ],
    },
    dedupeKey: 'evt|zhoumanager|1764040003|template_card_event|stock.reviewWaste:42|t_review_42',
  });
});

it('lower-cases event names (WeCom and its docs disagree on CLICK)', () => {
  expect(read('menu-click.xml')).toMatchObject({ event: 'click', eventKey: 'help.show' });
});
