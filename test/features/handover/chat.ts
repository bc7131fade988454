import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Feature } from '../../../src/bot/registry';
import { importMasterData } from '../../../src/features/masterdata/import';
import { currentRepairSetup, equipmentNames, handoverFeature } from '../../../src/features/handover';
import { workOrdersFeature } from '../../../src/features/workorders';
import { stockFeature } from '../../../src/features/stock';
import { tasksFeature } from '../../../src/features/tasks';
import { importChecklist } from '../../../src/features/handover/templates';
import type { DeliveredMessage } from '../../../src/sandbox/fake-wecom';
import { TestClock } from '../../helpers/clock';
import { startHarness, type Harness } from '../../helpers/harness';
import { eventMessage, innerXml, nextMsgId, textMessage } from '../../helpers/wecom-callback';

/** A store with staff, a manager, an area manager, a maintenance contact and three counted SKUs. */
export async function startHandoverHarness(opts: { clock?: TestClock; features?: Feature[]; env?: Record<string, string> } = {}) {
  const clock = opts.clock ?? new TestClock(Date.parse('2026-11-25T06:00:00Z'));
  const mediaDir = fs.mkdtempSync(path.join(os.tmpdir(), 'handover-media-'));
  const h = await startHarness({
    features: opts.features ?? [tasksFeature, handoverFeature, workOrdersFeature(currentRepairSetup, equipmentNames), stockFeature],
    clock,
    env: { MEDIA_DIR: mediaDir, ...opts.env },
  });
  const db = h.app.db;
  const load = async (kind: Parameters<typeof importMasterData>[1], csv: string) => {
    const outcome = await importMasterData(db, kind, csv, 'csv');
    if (!outcome.ok) throw new Error(JSON.stringify(outcome.problems));
  };
  await load('stores', 'code,name,area\nS1,一店 · 人民路,华东区\nS2,二店 · 滨江路,华东区\n');
  await load(
    'staff',
    'userid,name,store,role,area,hire_date\nxiaomei,张小美,S1,店员,,2024-05-10\nliqiang,李强,S1,店员,,2023-09-01\nzhou,周店长,S1,店长,,2021-06-01\nliu,刘经理,,区域经理,华东区,2019-04-01\nfixer,王师傅,,管理员,,2020-01-01\nwu,吴店长,S2,店长,,2020-10-12\n',
  );
  await load('skus', 'code,name,category,base_unit,pack_units,cost_price\nMILK,牛奶,乳品,盒,箱=12,6.5\nCREAM,奶油,乳品,盒,箱=12,28\nCHEESE,芝士奶盖粉,乳品,袋,箱=10,45\n');
  return new Chat(h, clock, mediaDir);
}

/** A three-item checklist for S1 (cash, the ice machine, notes) with hints, so a test hands over quickly. */
export async function importShortChecklist(chat: Chat): Promise<void> {
  const template = {
    store: 'S1',
    name: '一店短清单',
    equipment: { ice_machine: '制冰机', oven: '烤箱' },
    maintenance: { byEquipment: { ice_machine: 'fixer' } },
    items: [
      { key: 'cash_drawer', label: '钱箱现金', kind: 'number', unit: '元', expected: 500, tolerance: 10, cash: true, hint: { where: '收银台下方钱箱', good: '500 元备用零钱' } },
      { key: 'ice_machine', label: '制冰机', kind: 'yes_no', equipment: 'ice_machine', hint: { good: '冰块透明、无异响', photoUrl: 'https://example.com/ice.jpg' } },
      { key: 'notes', label: '交班备注', kind: 'text' },
    ],
  };
  const outcome = await importChecklist(chat.db, JSON.stringify(template), chat.clock.now());
  if (!outcome.ok) throw new Error(outcome.problems.join('; '));
}

export class Chat {
  private tick = 0;
  constructor(
    readonly h: Harness,
    readonly clock: TestClock,
    readonly mediaDir: string,
  ) {}

  get db() {
    return this.h.app.db;
  }

  /** The envelope is as fresh as our (possibly moved) clock. */
  private fresh() {
    return { timestamp: String(Math.floor(this.clock.now().getTime() / 1000)) };
  }

  private createTime() {
    return Math.floor(this.clock.now().getTime() / 1000) + this.tick++;
  }

  /** One run of the task engine's tasks.walkDue at the clock's time, then the outbox drained. */
  async walk(): Promise<void> {
    await this.h.app.scheduler.runJob(
      this.h.app.bot.jobs.find((j) => j.name === 'tasks.walkDue')!,
      this.clock.now(),
    );
    await this.h.settle();
  }

  last(user: string): DeliveredMessage {
    return this.h.fake.inbox(user).at(-1)!;
  }

  async say(user: string, text: string): Promise<DeliveredMessage> {
    await this.h.deliver(textMessage(this.h.keys, user, text, { createTime: this.createTime() }), this.fresh());
    await this.h.settle();
    return this.last(user);
  }

  /** Sends an image from the member's phone: stored in the fake WeCom, delivered as an image message. */
  async photo(user: string, bytes = Buffer.from(`\x89PNG photo ${Math.random()}`)): Promise<{ mediaId: string; bytes: Buffer }> {
    const mediaId = this.h.fake.putMedia(bytes, 'image/png', 'photo.png');
    const xml = innerXml({
      ToUserName: this.h.keys.corpId,
      FromUserName: user,
      CreateTime: this.createTime(),
      MsgType: 'image',
      PicUrl: `https://example.invalid/${mediaId}`,
      MediaId: mediaId,
      MsgId: nextMsgId(),
      AgentID: 1000002,
    });
    await this.h.deliver(xml, this.fresh());
    await this.h.settle();
    return { mediaId, bytes };
  }

  /** Taps a button of a card the member received (by button text), optionally with selections. */
  async tap(user: string, card: DeliveredMessage, buttonText: string, selections: Record<string, string> = {}): Promise<DeliveredMessage> {
    const body = card.body;
    const button = buttonText === 'submit' ? (body.submit_button as { key: string }) : (body.button_list as { text: string; key: string }[]).find((b) => b.text === buttonText);
    if (!button) throw new Error(`no button ${buttonText} on ${JSON.stringify(body)}`);
    const taskId = String(body.task_id);
    const selected = Object.entries(selections)
      .map(([q, o]) => `<SelectedItem><QuestionKey><![CDATA[${q}]]></QuestionKey><OptionIds><OptionId><![CDATA[${o}]]></OptionId></OptionIds></SelectedItem>`)
      .join('');
    const extra =
      innerXml({ TaskId: taskId, CardType: String(body.card_type), ResponseCode: this.h.fake.issueResponseCode(taskId) }).slice(5, -6) + (selected ? `<SelectedItems>${selected}</SelectedItems>` : '');
    await this.h.deliver(eventMessage(this.h.keys, user, 'template_card_event', button.key, extra, this.createTime()), this.fresh());
    await this.h.settle();
    return this.last(user);
  }

  /** The member's latest card. */
  card(user: string, nth = 1): DeliveredMessage {
    const cards = this.h.fake.inbox(user).filter((m) => m.msgtype === 'template_card');
    return cards.at(-nth)!;
  }

  /** All select questions of a multiple-interaction card answered with `option` unless listed. */
  selections(card: DeliveredMessage, option: string, except: Record<string, string> = {}): Record<string, string> {
    const list = card.body.select_list as { question_key: string; title: string }[];
    return Object.fromEntries(list.map((q) => [q.question_key, except[q.title] ?? option]));
  }

  async stop() {
    await this.h.stop();
    fs.rmSync(this.mediaDir, { recursive: true, force: true });
  }
}
