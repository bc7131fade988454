import type { DemoContext } from '../../bot/registry';
import type { Db } from '../../db';
import { MANUAL_KIND } from './commands';
import { openTask } from './engine';

/**
 * Two open tasks: one due soon for 张小美, one overdue with nobody assigned (the roster's demo
 * shifts say who is on shift), so the reminder and the ladder can be watched at once.
 */
export async function seedTaskDemo(db: Db, { now }: DemoContext): Promise<void> {
  await db.$transaction(async (tx) => {
    await openTask(
      tx,
      {
        kind: MANUAL_KIND,
        sourceRef: 'demo:ice-machine',
        storeCode: 'S001',
        assignee: 'zhangxiaomei',
        title: '清洁制冰机',
        detail: '按清洁手册第 3 步，拍照留档。',
        dueAt: new Date(now.getTime() + 2 * 60_000),
      },
      { by: 'zhoumanager', now },
    );
    await openTask(
      tx,
      { kind: MANUAL_KIND, sourceRef: 'demo:fridge-temperature', storeCode: 'S002', assignee: null, title: '检查冷柜温度并登记', dueAt: new Date(now.getTime() - 40 * 60_000) },
      { by: 'wumanager', now },
    );
  });
}
