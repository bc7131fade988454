import { UserFacingError } from '../../src/bot/errors';
import type { Feature } from '../../src/bot/registry';
import { startHarness, type Harness } from '../helpers/harness';
import { textMessage } from '../helpers/wecom-callback';

/** A handler's writes and its replies commit together, and it knows who is talking. */
const feature: Feature = {
  name: 'feature',
  register: (bot) => {
    bot.command('开店', async (ctx) => {
      const [code, refuse] = ctx.args.split(' ');
      await ctx.transaction(async (tx) => {
        await tx.db.store.create({ data: { code, name: `门店 ${code}` } });
        await tx.reply(`已开店 ${code}`);
        if (refuse) throw new UserFacingError('demo.refused', '没开成，什么也没记下');
      });
    });
    bot.command('我是谁', (ctx) => ctx.reply(ctx.staff ? `${ctx.staff.name}（${ctx.staff.role}）` : '还不认识你'));
  },
};

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ features: [feature] });
  await h.app.db.store.create({ data: { code: 'S1', name: '一店' } });
  await h.app.db.staff.create({ data: { userid: 'known', name: '张小美', role: 'staff', storeCode: 'S1' } });
});
afterAll(() => h.stop());

it('stores the write and its reply together, or neither', async () => {
  await h.deliver(textMessage(h.keys, 'known', '开店 S2'));
  await h.deliver(textMessage(h.keys, 'known', '开店 S3 拒绝'));
  await h.settle();
  expect(await h.app.db.store.findUnique({ where: { code: 'S2' } })).not.toBeNull();
  expect(await h.app.db.store.findUnique({ where: { code: 'S3' } })).toBeNull();
  expect(h.fake.inbox('known').map((m) => m.body.content)).toEqual(['已开店 S2', '没开成，什么也没记下']);
});

it('tells the handler who the sender is', async () => {
  await h.deliver(textMessage(h.keys, 'known', '我是谁'));
  await h.deliver(textMessage(h.keys, 'stranger', '我是谁'));
  await h.settle();
  expect(h.fake.inbox('known').at(-1)!.body.content).toBe('张小美（staff）');
  expect(h.fake.inbox('stranger')[0].body.content).toBe('还不认识你');
});
