import { FakeWecom, type FakeRecord } from '../../src/sandbox/fake-wecom';

/**
 * What the fake WeCom records of a conversation, handed to a new fake, gives back the same state:
 * messages as delivered (and a card as rewritten), media, mass messages to customers with their
 * results. The sandbox keeps these records in its database across restarts (chat-history.ts).
 */
const opts = { corpId: 'ww-test', secret: 'secret', agentId: 1000002 };

it('restores messages, a rewritten card, media and mass messages from its records', async () => {
  const first = new FakeWecom(opts);
  const records: FakeRecord[] = [];
  first.saveRecordsTo(async (batch) => {
    // Saved as JSON, as the database keeps them.
    records.push(...(JSON.parse(JSON.stringify(batch)) as FakeRecord[]));
  });
  first.addExternalContact({ external_userid: 'wm-1', name: '王女士', follow_userid: 'zhang' });
  const server = await first.listen();
  try {
    const { access_token: token } = (await (await fetch(`${server.url}/cgi-bin/gettoken?corpid=${opts.corpId}&corpsecret=${opts.secret}`)).json()) as { access_token: string };
    const post = async (path: string, body: unknown) =>
      (await fetch(`${server.url}/cgi-bin/${path}?access_token=${token}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json() as Promise<
        Record<string, unknown>
      >;
    await post('message/send', { touser: 'zhang', msgtype: 'text', agentid: opts.agentId, text: { content: '你好' } });
    const card = { card_type: 'button_interaction', task_id: 'task-1', main_title: { title: '确认？' }, button_list: [{ text: '好', key: 'ok' }] };
    const sent = await post('message/send', { touser: 'zhang', msgtype: 'template_card', agentid: opts.agentId, template_card: card });
    await post('message/update_template_card', { userids: ['zhang'], agentid: opts.agentId, response_code: sent.response_code, button: { replace_name: '已确认' } });
    const { msgid } = (await post('externalcontact/add_msg_template', { sender: 'zhang', external_userid: ['wm-1'], text: { content: '新品券' } })) as { msgid: string };
    first.confirmGroupMsg(msgid);
  } finally {
    await server.close();
  }
  const photo = first.putMedia(Buffer.from('photo-bytes'), 'image/png', '冰箱.png');
  await first.saveRecords();

  const second = new FakeWecom(opts);
  second.restore(records);
  expect(second.inbox('zhang').map((m) => ({ ...m }))).toEqual(first.inbox('zhang').map((m) => ({ ...m })));
  expect(second.cardView('task-1', 'zhang')).toEqual({ card: expect.objectContaining({ task_id: 'task-1' }), replacedName: '已确认' });
  expect(second.peekMedia(photo)).toMatchObject({ data: Buffer.from('photo-bytes'), contentType: 'image/png', filename: '冰箱.png' });
  expect(second.groupMsgs).toEqual(first.groupMsgs);
  expect(second.groupMsgs[0].results).toEqual(new Map([['wm-1', 1]]));
});
