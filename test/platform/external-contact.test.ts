import { WecomApiError } from '../../src/platform/wecom-client';
import { startHarness, type Harness } from '../helpers/harness';

/** The customer-contact calls the members feature builds on, against the fake's rules. */
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ workers: false });
  h.fake.addExternalContact({ external_userid: 'wm_alice', name: '爱丽丝', follow_userid: 'zhangxiaomei' });
  h.fake.addExternalContact({ external_userid: 'wm_bob', name: '鲍勃', follow_userid: 'zhangxiaomei' });
  h.fake.addExternalContact({ external_userid: 'wm_carol', name: '卡罗', follow_userid: 'liqiang' });
});
afterAll(() => h.stop());

const errcode = (p: Promise<unknown>) =>
  p.then(
    () => 0,
    (err: unknown) => (err instanceof WecomApiError ? err.errcode : -999),
  );

it('creates corp tags, marks a customer, and reads the tags back on the contact', async () => {
  const { tag_group } = await h.app.wecom.addCorpTag({ group_name: '门店助手' }, [{ name: '潜在流失' }, { name: '高甜偏好' }]);
  const [churn, sweet] = tag_group.tag;
  expect(await errcode(h.app.wecom.addCorpTag({ group_id: tag_group.group_id }, [{ name: '潜在流失' }]))).toBe(40071);
  await h.app.wecom.markTag({ userid: 'zhangxiaomei', external_userid: 'wm_alice', add_tag: [churn.id, sweet.id] });
  await h.app.wecom.markTag({ userid: 'zhangxiaomei', external_userid: 'wm_alice', remove_tag: [churn.id] });
  const contact = await h.app.wecom.getExternalContact('wm_alice');
  expect(contact.follow_user).toEqual([{ userid: 'zhangxiaomei', tags: [{ group_name: '门店助手', tag_name: '高甜偏好', tag_id: sweet.id, type: 1 }] }]);
  expect(await errcode(h.app.wecom.markTag({ userid: 'liqiang', external_userid: 'wm_alice', add_tag: [sweet.id] }))).toBe(84061);
  expect(await errcode(h.app.wecom.markTag({ userid: 'zhangxiaomei', external_userid: 'wm_alice', add_tag: ['et_tag_nope'] }))).toBe(40068);
  expect(await errcode(h.app.wecom.getExternalContact('wm_nobody'))).toBe(40096);
  expect((await h.app.wecom.getCorpTagList()).tag_group).toHaveLength(1);
});

it('sends a mass message only after the member confirms, and honours the monthly cap', async () => {
  const created = await h.app.wecom.addMsgTemplate({ sender: 'zhangxiaomei', external_userid: ['wm_alice', 'wm_bob', 'wm_carol'], text: { content: '本周第二杯半价' } });
  expect(created.fail_list).toEqual(['wm_carol']); // not this member's customer
  let result = await h.app.wecom.getGroupMsgSendResult({ msgid: created.msgid, userid: 'zhangxiaomei' });
  expect(result.send_list.map((r) => r.status)).toEqual([0, 0]); // waiting for the member
  await h.app.wecom.remindGroupMsgSend(created.msgid);
  h.fake.confirmGroupMsg(created.msgid, 1);
  result = await h.app.wecom.getGroupMsgSendResult({ msgid: created.msgid, userid: 'zhangxiaomei' });
  expect(result.send_list.map((r) => [r.external_userid, r.status])).toEqual([
    ['wm_alice', 1],
    ['wm_bob', 1],
  ]);

  // With a cap of one a month, a second one this month does not reach them.
  const second = await h.app.wecom.addMsgTemplate({ sender: 'zhangxiaomei', external_userid: ['wm_alice'], text: { content: '再来一张券' } });
  h.fake.confirmGroupMsg(second.msgid, 1);
  expect((await h.app.wecom.getGroupMsgSendResult({ msgid: second.msgid, userid: 'zhangxiaomei' })).send_list[0].status).toBe(3);
  expect(h.fake.customerInbox('wm_alice')).toHaveLength(1);
  expect(await errcode(h.app.wecom.addMsgTemplate({ sender: 'zhangxiaomei', external_userid: ['wm_alice'] }))).toBe(44004);
});
