// The sandbox page: chat as a demo member of staff. Everything you do is sent to the server,
// which seals it like WeCom and posts it to /wecom/callback; what you see is what the bot sent
// to the fake WeCom. No framework: one file, rendered from /sandbox/api/state every second.
(() => {
  const $ = (id) => document.getElementById(id);
  const state = { user: localStorage.getItem('sandbox.user') || '', personas: [], lastRender: '', lastMenu: '', scanKey: null, seen: 0, catalogue: null, notes: [] };

  async function api(path, body) {
    const res = await fetch(path, body ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : undefined);
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(data.message || data.detail || data.error || `HTTP ${res.status}`);
    return data;
  }

  /** Sends what the visitor did; false when the server refused it (the reason is shown in the chat). */
  async function act(action) {
    let sent = true;
    try {
      const { status } = await api('/sandbox/api/send', { user: state.user, ...action });
      if (status !== 200) flash(`回调被拒绝（HTTP ${status}）`);
    } catch (err) {
      sent = false;
      flash(`发送失败：${err.message}`);
    }
    setTimeout(refresh, 150);
    setTimeout(refresh, 600);
    return sent;
  }

  /** A note of the page's own (a send refused): kept where it was said, through the redraws new messages cause. */
  function flash(text) {
    state.notes.push({ after: state.seen, text });
    $('messages').append(noteItem(text));
  }
  const noteItem = (text) => el('li', { class: 'msg' }, el('div', { class: 'bubble action' }, text));

  // --- tiny DOM helper: el('div', {class: 'x', onclick}, children…); strings become text nodes
  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else if (k === 'dataset') Object.assign(node.dataset, v);
      else node.setAttribute(k, v === true ? '' : v);
    }
    // Any depth: a card's key/value rows are a list of [dt, dd] pairs.
    for (const child of children.flat(Infinity)) if (child !== null && child !== undefined && child !== false) node.append(child instanceof Node ? child : String(child));
    return node;
  }

  // WeCom's markdown is a small subset plus <font color="info|comment|warning">. We escape
  // everything first and then allow only that subset, so no HTML from a message ever runs.
  function markdown(src) {
    const escape = (s) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
    const inline = (s) =>
      escape(s)
        .replace(/&lt;font color=&quot;(info|comment|warning)&quot;&gt;(.*?)&lt;\/font&gt;/g, '<span class="$1">$2</span>')
        .replace(/\*\*(.+?)\*\*/g, '<b>$1</b>')
        .replace(/`([^`]+)`/g, '<code>$1</code>')
        .replace(/\[([^\]]+)\]\((https?:\/\/[^)\s]+)\)/g, '<a href="$2" target="_blank" rel="noopener">$1</a>');
    const html = src.split('\n').map((line) => {
      const h = /^(#{1,6})\s+(.*)$/.exec(line);
      if (h) return `<h${Math.min(h[1].length, 3)}>${inline(h[2])}</h${Math.min(h[1].length, 3)}>`;
      if (line.startsWith('> ')) return `<blockquote>${inline(line.slice(2))}</blockquote>`;
      return `${inline(line)}<br>`;
    });
    const div = el('div', { class: 'bubble md' });
    div.innerHTML = html.join('');
    return div;
  }

  // Links in cards come from the bot; still, only http(s) and our own pages may be opened.
  function safeUrl(url) {
    return /^(https?:\/\/|\/)/.test(url) ? url : '#';
  }

  function renderCard(view) {
    if (!view) return el('div', { class: 'bubble' }, '[卡片]');
    const card = view.card;
    const tap = (key, selections = []) => act({ type: 'card', taskId: card.task_id, key, cardType: card.card_type, selections });
    const parts = [];
    if (card.source) parts.push(el('div', { class: 'source' }, card.source.desc || ''));
    if (card.main_title) {
      parts.push(el('div', { class: 'title' }, card.main_title.title || ''));
      if (card.main_title.desc) parts.push(el('div', { class: 'desc' }, card.main_title.desc));
    }
    if (card.emphasis_content) parts.push(el('div', { class: 'emph' }, el('b', {}, card.emphasis_content.title || ''), card.emphasis_content.desc || ''));
    if (card.card_image?.url) parts.push(el('img', { class: 'card-image', src: safeUrl(card.card_image.url), alt: '' }));
    if (card.image_text_area) {
      const a = card.image_text_area;
      parts.push(
        el(
          'div',
          { class: 'image-text' },
          a.image_url ? el('img', { src: safeUrl(a.image_url), alt: '' }) : null,
          el('div', {}, el('b', {}, a.title || ''), el('div', { class: 'desc' }, a.desc || '')),
        ),
      );
    }
    if (card.quote_area) parts.push(el('blockquote', { class: 'quote' }, card.quote_area.title ? el('b', {}, card.quote_area.title) : null, card.quote_area.quote_text || ''));
    if (card.sub_title_text) parts.push(el('div', { class: 'subtitle' }, card.sub_title_text));
    if (card.horizontal_content_list?.length) {
      parts.push(
        el(
          'dl',
          {},
          card.horizontal_content_list.map((h) => [
            el('dt', {}, h.keyname),
            el('dd', {}, h.url ? el('a', { href: safeUrl(h.url), target: '_blank', rel: 'noopener' }, h.value || h.url) : h.value || ''),
          ]),
        ),
      );
    }
    if (card.vertical_content_list?.length) {
      parts.push(
        el(
          'div',
          { class: 'vertical' },
          card.vertical_content_list.map((v) => el('div', {}, el('b', {}, v.title || ''), el('div', { class: 'desc' }, v.desc || ''))),
        ),
      );
    }
    if (card.jump_list?.length) {
      parts.push(
        el(
          'div',
          { class: 'jumps' },
          card.jump_list.map((j) => el('a', { href: safeUrl(j.url || '#'), target: '_blank', rel: 'noopener' }, `${j.title} ›`)),
        ),
      );
    }
    if (card.card_action?.url) parts.push(el('div', { class: 'jumps' }, el('a', { href: safeUrl(card.card_action.url), target: '_blank', rel: 'noopener' }, '查看详情 ›')));
    const questions = [];
    if (card.checkbox) {
      const multi = card.checkbox.mode === 1;
      questions.push({ key: card.checkbox.question_key, read: (f) => [...f.querySelectorAll(`input[name="${card.checkbox.question_key}"]:checked`)].map((i) => i.value) });
      parts.push(
        el(
          'fieldset',
          { class: 'question' },
          el('legend', {}, multi ? '可多选' : '单选'),
          card.checkbox.option_list.map((o) =>
            el('label', { class: 'option' }, el('input', { type: multi ? 'checkbox' : 'radio', name: card.checkbox.question_key, value: o.id, checked: o.is_checked }), o.text),
          ),
        ),
      );
    }
    for (const s of card.select_list || []) {
      questions.push({ key: s.question_key, read: (f) => [f.querySelector(`select[name="${s.question_key}"]`).value] });
      parts.push(
        el(
          'div',
          { class: 'question' },
          el('label', { class: 'q' }, s.title || ''),
          el(
            'select',
            { name: s.question_key, id: `pick-${card.task_id}-${s.question_key}` },
            s.option_list.map((o) => el('option', { value: o.id, selected: o.id === s.selected_id }, o.text)),
          ),
        ),
      );
    }
    // A button card's one dropdown (报损的原因): what is picked goes with whichever button is tapped.
    const picker = card.button_selection;
    if (picker) {
      questions.push({ key: picker.question_key, read: (f) => [f.querySelector(`select[name="${picker.question_key}"]`).value] });
      parts.push(
        el(
          'div',
          { class: 'question' },
          el('label', { class: 'q', for: `pick-${card.task_id}-${picker.question_key}` }, picker.title || ''),
          el(
            'select',
            { name: picker.question_key, id: `pick-${card.task_id}-${picker.question_key}`, disabled: !!view.replacedName },
            picker.option_list.map((o) => el('option', { value: o.id, selected: o.id === picker.selected_id }, o.text)),
          ),
        ),
      );
    }
    const form = el('form', { onsubmit: (e) => e.preventDefault() }, parts);
    const answers = () => questions.map((q) => ({ questionKey: q.key, optionIds: q.read(form) }));
    if (view.replacedName) {
      form.append(el('div', { class: 'replaced' }, view.replacedName));
    } else if (card.button_list?.length) {
      form.append(
        el(
          'div',
          { class: 'buttons' },
          card.button_list.map((b) => el('button', { type: 'button', class: `style-${b.style || 1}`, onclick: () => tap(b.key, answers()) }, b.text)),
        ),
      );
    } else if (card.submit_button) {
      form.append(el('div', { class: 'buttons' }, el('button', { type: 'submit', onclick: () => tap(card.submit_button.key, answers()) }, card.submit_button.text)));
    }
    return el('div', { class: 'card', dataset: { taskId: card.task_id || '' } }, form);
  }

  function renderMessage(m) {
    const persona = state.personas.find((p) => p.userid === state.user);
    if (m.from === 'me') {
      if (m.kind === 'click' || m.kind === 'scan') return el('li', { class: 'msg' }, el('div', { class: 'bubble action' }, `${m.text}${m.status !== 200 ? `（回调被拒绝 ${m.status}）` : ''}`));
      const bubble = m.kind === 'image' ? el('div', { class: 'bubble' }, el('img', { src: `/sandbox/api/media/${m.mediaId}`, alt: m.text })) : el('div', { class: 'bubble' }, m.text);
      return el('li', { class: 'msg me' }, el('div', { class: 'avatar' }, persona ? persona.name.slice(0, 1) : '我'), el('div', { class: 'body' }, bubble));
    }
    let bubble;
    if (m.msgtype === 'template_card') bubble = renderCard(m.body);
    else if (m.msgtype === 'markdown') bubble = markdown(m.body.content || '');
    // A photo the bot passes on (a handover item's, to the incoming colleague): the fake WeCom keeps its media.
    else if (m.msgtype === 'image') bubble = el('div', { class: 'bubble' }, el('img', { src: `/sandbox/api/media/${encodeURIComponent(m.body.media_id || '')}`, alt: '图片', class: 'sent-photo' }));
    else bubble = el('div', { class: 'bubble' }, m.body.content || `[${m.msgtype}]`);
    const wrap = el(
      'div',
      { class: 'body' },
      bubble,
      m.dropped ? el('div', { class: 'note warn' }, m.dropped === 'duplicate' ? '企业微信按重复消息丢弃了这条' : '超出频率限制，企业微信丢弃了这条') : null,
    );
    return el('li', { class: 'msg bot' }, el('div', { class: 'avatar' }, '助'), wrap);
  }

  function renderMenu(menu) {
    const nav = $('menu');
    nav.replaceChildren();
    const buttons = menu?.button || [];
    nav.hidden = buttons.length === 0;
    const press = (b) => {
      nav.querySelectorAll('.top.open').forEach((t) => t.classList.remove('open'));
      if (b.type === 'click') act({ type: 'click', key: b.key });
      else if (b.type.startsWith('scancode')) openScan(b);
      else if (b.type === 'view') window.open(b.url, '_blank', 'noopener');
    };
    for (const b of buttons) {
      const top = el('div', { class: 'top' });
      const head = el('button', { type: 'button', onclick: () => (b.sub_button?.length ? top.classList.toggle('open') : press(b)) }, b.sub_button?.length ? `☰ ${b.name}` : b.name);
      top.append(head);
      if (b.sub_button?.length)
        top.append(
          el(
            'div',
            { class: 'sub' },
            b.sub_button.map((s) => el('button', { type: 'button', onclick: () => press(s) }, s.name)),
          ),
        );
      nav.append(top);
    }
  }

  async function openScan(button) {
    state.scanKey = button.key;
    if (!state.catalogue) {
      state.catalogue = await api('/sandbox/api/catalogue').catch(() => []);
      $('scan-pick').replaceChildren(
        el('option', { value: '' }, '或从商品目录选一个条码…'),
        ...state.catalogue.map((c) => el('option', { value: c.barcode }, `${c.name}${c.unit ? `（${c.unit}）` : ''} · ${c.barcode}`)),
      );
    }
    $('scan-title').textContent = `${button.name}：对准条码（沙盒里输入条码代替摄像头）`;
    $('scan-panel').hidden = false;
    $('scan-input').focus();
  }

  function renderCalls(calls) {
    const list = $('call-list');
    list.replaceChildren(
      ...calls
        .slice()
        .reverse()
        .map((c) => {
          const code = c.answer?.errcode ?? c.answer?.httpStatus;
          return el(
            'li',
            {},
            el(
              'details',
              {},
              el('summary', {}, el('span', { class: code === 0 || c.answer?.file ? 'ok' : 'err' }, `${c.method} /cgi-bin/${c.path}`), ` → ${code === undefined ? 'file' : code}`),
              el('pre', {}, JSON.stringify({ query: c.query, body: c.body, answer: c.answer }, null, 2)),
            ),
          );
        }),
    );
  }

  async function refresh() {
    let data;
    try {
      data = await api(`/sandbox/api/state?user=${encodeURIComponent(state.user)}`);
    } catch {
      return;
    }
    if (!state.personas.length) setupPersonas(data.personas);
    // The menu is redrawn only when it changes, so an open submenu stays open while messages arrive.
    const menuFingerprint = JSON.stringify(data.menu);
    if (menuFingerprint !== state.lastMenu) {
      state.lastMenu = menuFingerprint;
      renderMenu(data.menu);
    }
    const fingerprint = JSON.stringify(data.messages);
    if (fingerprint !== state.lastRender) {
      state.lastRender = fingerprint;
      const list = $('messages');
      const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
      // A reason picked on a card but not sent yet survives the redraw a new message causes.
      const picked = new Map([...list.querySelectorAll('.card select')].map((s) => [s.id, s.value]));
      const items = data.messages.map(renderMessage);
      for (const note of [...state.notes].reverse()) items.splice(Math.min(note.after, items.length), 0, noteItem(note.text));
      list.replaceChildren(...(items.length ? items : [el('li', { class: 'empty' }, '还没有消息。试试发送「帮助」，或点下面的菜单。')]));
      for (const s of list.querySelectorAll('.card select')) if (picked.has(s.id) && !s.disabled) s.value = picked.get(s.id);
      if (atBottom || data.messages.length > state.seen) list.scrollTop = list.scrollHeight;
      state.seen = data.messages.length;
    }
    renderCalls(data.calls);
  }

  function setupPersonas(personas) {
    state.personas = personas;
    if (!personas.some((p) => p.userid === state.user)) state.user = personas[0].userid;
    const select = $('persona');
    select.replaceChildren(...personas.map((p) => el('option', { value: p.userid, selected: p.userid === state.user }, `${p.name}（${p.newHire ? '新员工' : p.role} · ${p.store}）`)));
    select.addEventListener('change', () => switchTo(select.value));
    switchTo(state.user);
  }

  function switchTo(userid) {
    state.user = userid;
    localStorage.setItem('sandbox.user', userid);
    const p = state.personas.find((x) => x.userid === userid);
    $('chat-sub').textContent = p ? `${p.name} · ${p.newHire ? '新员工' : p.role} · ${p.store}` : '';
    state.lastRender = '';
    state.notes = [];
    act({ type: 'enter' });
  }

  $('composer').addEventListener('submit', async (e) => {
    e.preventDefault();
    const text = $('text-input').value.trim();
    if (!text) return;
    // A refused message (too long) stays in the box, to be shortened or split.
    if (await act({ type: 'text', content: text })) $('text-input').value = '';
  });
  $('image-input').addEventListener('change', async () => {
    const file = $('image-input').files[0];
    $('image-input').value = '';
    if (!file) return;
    if (file.size > 10 * 1024 * 1024) return flash('图片不能超过 10 MB');
    const base64 = await new Promise((resolve) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result).split(',')[1]);
      reader.readAsDataURL(file);
    });
    act({ type: 'image', filename: file.name, contentType: file.type || 'image/png', base64 });
  });
  $('scan-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const result = $('scan-input').value.trim();
    if (!result) return;
    $('scan-input').value = '';
    $('scan-panel').hidden = true;
    act({ type: 'scan', key: state.scanKey, result });
  });
  $('scan-close').addEventListener('click', () => ($('scan-panel').hidden = true));
  $('scan-pick').addEventListener('change', () => {
    $('scan-input').value = $('scan-pick').value;
  });
  $('toggle-calls').addEventListener('click', () => {
    const open = $('calls').classList.toggle('open');
    $('toggle-calls').setAttribute('aria-expanded', String(open));
  });

  // --- the member panel: what each demo member (a WeCom customer) would receive
  async function refreshMembers() {
    if ($('members').hidden) return;
    let members;
    try {
      members = await api('/sandbox/api/members');
    } catch {
      return;
    }
    const query = $('member-search').value.trim();
    const shown = members
      .filter((m) => !query || [m.name, m.code, ...m.tags].some((t) => (t || '').includes(query)))
      // Members with messages first, then everyone else.
      .sort((a, b) => b.messages.length - a.messages.length || a.code.localeCompare(b.code));
    const fingerprint = JSON.stringify(shown);
    if (fingerprint === state.lastMembers) return;
    state.lastMembers = fingerprint;
    const withMessages = members.filter((m) => m.messages.length).length;
    const contacts = members.filter((m) => m.contact).length;
    // Every member is listed: the count says how many, and how many the search left.
    $('member-count').textContent = query
      ? `找到 ${shown.length} 位（共 ${members.length} 位会员）`
      : `共 ${members.length} 位会员，${contacts} 位是店员的企业微信客户（能收到群发），${withMessages} 位收到过消息`;
    const stateText = {
      pending: '等待店员在企业微信确认发送',
      received: '已收到',
      capped: '未送达：本月群发次数已满',
      not_contact: '未送达：不是该店员的客户',
      cancelled: '未送达：店员没有在券过期前确认，群发已停止',
    };
    $('member-list').replaceChildren(
      ...shown.map((m) =>
        el(
          'li',
          { class: 'member', dataset: { code: m.code } },
          el('div', { class: 'who-line' }, el('b', {}, `${m.name || m.code}`), el('span', {}, `${m.code} · 专属店员 ${m.ownerName}${m.optIn ? '' : ' · 已退订'}`)),
          m.tags.length
            ? el(
                'div',
                { class: 'chips' },
                m.tags.map((t) => el('span', { class: 'chip' }, t)),
              )
            : null,
          m.messages.length === 0 ? el('div', { class: 'note' }, m.contact ? '还没有收到消息' : '不是店员的企业微信客户，收不到群发') : null,
          m.messages.map((msg) =>
            el(
              'div',
              { class: `coupon ${msg.status === 'received' ? 'received' : msg.status === 'pending' ? 'pending' : 'failed'}` },
              msg.text,
              el(
                'div',
                { class: 'state' },
                stateText[msg.status] || msg.status,
                msg.status === 'pending' ? el('button', { type: 'button', onclick: () => confirmAsOwner(msg.msgid) }, `以${m.ownerName}身份确认发送`) : null,
              ),
            ),
          ),
        ),
      ),
      ...(shown.length ? [] : [el('li', { class: 'empty' }, '没有符合的会员')]),
    );
  }

  async function confirmAsOwner(msgid) {
    try {
      await api('/sandbox/api/members/confirm', { msgid });
    } catch (err) {
      flash(`确认失败：${err.message}`);
    }
    state.lastMembers = '';
    refreshMembers();
  }

  // The panel takes a column of its own (a phone: the top of the screen), so the chat and its send button stay usable.
  function showMembers(open) {
    $('members').hidden = !open;
    document.querySelector('.layout').classList.toggle('members-open', open);
    $('toggle-members').setAttribute('aria-expanded', String(open));
    state.lastMembers = '';
    refreshMembers();
  }
  $('toggle-members').addEventListener('click', () => showMembers($('members').hidden));
  $('close-members').addEventListener('click', () => showMembers(false));
  $('member-search').addEventListener('input', () => {
    state.lastMembers = '';
    refreshMembers();
  });

  refresh();
  setInterval(refresh, 1000);
  setInterval(refreshMembers, 1500);
})();
