import fs from 'node:fs';
import type { DemoContext } from '../../bot/registry';
import type { Db } from '../../db';
import { importMasterData } from '../masterdata';
import { DEFAULT_CHECKLIST_FILE, importChecklist } from './templates';

/** The demo chain's repairer: work orders go to them besides the store manager. */
const REPAIRER = 'userid,name,store,role\nchenshifu,陈师傅（维修）,,管理员\n';

/** The sandbox's checklist: the 12-item chain default, with the demo chain's maintenance contact. */
export async function seedHandoverDemo(db: Db, { now }: DemoContext): Promise<void> {
  const staff = await importMasterData(db, 'staff', REPAIRER, 'csv');
  if (!staff.ok) throw new Error(`demo repairer does not import: ${JSON.stringify(staff.problems)}`);
  const template = JSON.parse(fs.readFileSync(DEFAULT_CHECKLIST_FILE, 'utf8')) as Record<string, unknown>;
  const outcome = await importChecklist(db, JSON.stringify({ ...template, maintenance: { default: 'chenshifu', byEquipment: {} } }), now);
  if (!outcome.ok) throw new Error(`demo checklist does not import: ${outcome.problems.join('; ')}`);
}
