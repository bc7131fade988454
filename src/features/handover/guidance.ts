import type { BotContext } from '../../bot/context';
import { UserFacingError } from '../../bot/errors';
import { isManager } from '../../people';
import type { DbTx } from '../../db';
import type { Staff } from '../../generated/prisma/client';
import { HANDOVER_ERRORS } from './keys';

/** New staff (hired within `days`) and flagged staff get the hints on every card. */
export async function needsGuidance(db: DbTx, staff: Staff, now: Date, days: number): Promise<boolean> {
  if (staff.hireDate && now.getTime() - staff.hireDate.getTime() < days * 86_400_000) return true;
  return (await db.handoverGuidanceFlag.findUnique({ where: { userid: staff.userid } })) !== null;
}

/**
 * `新人指引 王欣` (store manager): hints on every card for this colleague whatever their hire
 * date; `新人指引 王欣 关闭` ends it. Staff hired within HANDOVER_NEW_STAFF_DAYS get them anyway.
 */
export async function flagForGuidance(ctx: BotContext): Promise<void> {
  const manager = ctx.staff;
  if (!isManager(manager)) throw new UserFacingError(HANDOVER_ERRORS.managersOnly, '只有店长、区域经理和管理员能设置新人指引。');
  const m = /^(\S+)\s*(关闭|取消|off)?$/i.exec(ctx.args.trim());
  if (!m) throw new UserFacingError(HANDOVER_ERRORS.guidanceFormat, '格式：新人指引 姓名（关闭：新人指引 姓名 关闭）');
  const matches = await ctx.db.staff.findMany({ where: { OR: [{ userid: m[1] }, { name: m[1] }], active: true } });
  const visible = matches.filter((s) => manager.role === 'admin' || (manager.role === 'store_manager' ? s.storeCode === manager.storeCode : true));
  if (visible.length !== 1) throw new UserFacingError(HANDOVER_ERRORS.unknownStaff, visible.length ? `有多位「${m[1]}」，请写企业微信账号。` : `本店没有在职的「${m[1]}」。`);
  const staff = visible[0];
  if (m[2]) {
    await ctx.db.handoverGuidanceFlag.deleteMany({ where: { userid: staff.userid } });
    await ctx.reply(`已关闭 ${staff.name} 的新人指引。`);
    return;
  }
  await ctx.db.handoverGuidanceFlag.upsert({
    where: { userid: staff.userid },
    create: { userid: staff.userid, flaggedBy: ctx.message.fromUser, flaggedAt: ctx.clock.now() },
    update: {},
  });
  await ctx.reply(`已为 ${staff.name} 打开新人指引：交班卡片会附上每一项的提示，并可选择逐项引导。`);
}
