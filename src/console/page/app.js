'use strict';
/* The console page: the ranking (/console/) and a store (/console/store/<code>). Every figure
   comes from /console/api, which checks the session and the role on each request. */
(() => {
  const view = document.getElementById('view');
  const who = document.getElementById('who');
  let me = null;

  const el = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else if (k === 'class') node.className = v;
      else node.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
    return node;
  };

  async function api(path, opts = {}) {
    const init = { headers: {}, credentials: 'same-origin' };
    if (opts.body !== undefined) {
      init.method = 'POST';
      init.headers['content-type'] = 'application/json';
      if (me) init.headers['x-csrf-token'] = me.csrf;
      init.body = JSON.stringify(opts.body);
    }
    const res = await fetch(path, init);
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw Object.assign(new Error(data.message || `请求失败（${res.status}）`), { status: res.status });
    return data;
  }

  const fmt = (v) => (v === null || v === undefined || v === '' ? '—' : typeof v === 'number' ? String(Math.round(v * 10) / 10) : v);
  const changeText = (c) => ('delta' in c ? `${c.delta > 0 ? '+' : ''}${c.delta.toFixed(1)} 分` : c.reason === 'differentParts' ? '上月计分项不同，不比较' : '上月无分数');
  const monthText = (m) => `${Number(m.slice(0, 4))}年${Number(m.slice(5))}月`;

  function chart(node, option) {
    if (!window.echarts) return;
    const c = window.echarts.init(node, null, { renderer: 'svg' });
    c.setOption(option);
    window.addEventListener('resize', () => c.resize());
  }

  /** A table with a text filter, a choice per select column, CSV export and row actions. */
  function table(container, url, { onRow, onAction } = {}) {
    const filters = {};
    let options = null;
    const body = el('div', { class: 'table-wrap' });
    const bar = el('div', { class: 'filters' });
    const csv = el('a', { class: 'button', download: '' }, '导出 CSV');
    const summary = el('p', { class: 'summary' });
    container.append(summary, bar, body);

    const query = (extra = {}) => {
      const q = new URLSearchParams(url.includes('?') ? url.slice(url.indexOf('?') + 1) : '');
      for (const [k, v] of Object.entries({ ...filters, ...extra })) if (v) q.set(k, v);
      return `${url.split('?')[0]}?${q}`;
    };
    async function load() {
      const data = await api(query());
      if (!options) {
        options = {};
        const search = el('input', { type: 'search', placeholder: '搜索…', oninput: (e) => { filters.q = e.target.value; debounce(); } });
        bar.append(search);
        for (const col of data.columns.filter((c) => c.filter === 'select')) {
          const values = [...new Set(data.rows.map((r) => r.cells[col.key]).filter((v) => v !== null && v !== ''))].sort();
          bar.append(el('select', { 'aria-label': col.label, onchange: (e) => { filters[`f.${col.key}`] = e.target.value; load(); } }, el('option', { value: '' }, `全部${col.label}`), values.map((v) => el('option', { value: v }, v))));
        }
        bar.append(csv);
      }
      csv.href = query({ format: 'csv' });
      if (data.summary) summary.textContent = data.summary;
      body.replaceChildren(
        data.rows.length === 0
          ? el('p', { class: 'muted' }, '没有数据')
          : el('table', {},
              el('thead', {}, el('tr', {}, data.columns.map((c) => el('th', {}, c.label)), data.rows.some((r) => r.actions?.length) ? el('th', {}, '操作') : null)),
              el('tbody', {}, data.rows.map((r) =>
                el('tr', { class: onRow ? 'link' : null, onclick: onRow ? () => onRow(r) : null },
                  data.columns.map((c) => el('td', {}, fmt(r.cells[c.key]))),
                  data.rows.some((x) => x.actions?.length) ? el('td', { class: 'actions' }, (r.actions || []).map((a) => el('button', { type: 'button', 'data-action': a.key, onclick: async (e) => { e.stopPropagation(); await onAction(r, a); load(); } }, a.label))) : null)))),
      );
      return data;
    }
    let timer = null;
    const debounce = () => { clearTimeout(timer); timer = setTimeout(load, 250); };
    return load();
  }

  async function showRanking() {
    const params = new URLSearchParams(location.search);
    const month = params.get('month') || '';
    view.replaceChildren(el('h1', {}, '门店健康分排名'));
    const head = el('div', { class: 'card' });
    const chartBox = el('div', { class: 'chart', id: 'ranking-chart' });
    const tableCard = el('div', { class: 'card' });
    view.append(head, el('div', { class: 'card' }, chartBox), tableCard);
    const data = await table(tableCard, `/console/api/ranking${month ? `?month=${month}` : ''}`, { onRow: (r) => go(`/console/store/${encodeURIComponent(r.id)}`) });
    head.append(
      el('label', {}, '月份 ', el('select', { onchange: (e) => go(`/console/?month=${e.target.value}`) }, (data.months.length ? data.months : [data.month]).map((m) => el('option', { value: m, selected: m === data.month }, monthText(m))))),
      el('p', { class: 'muted' }, '得分率 = 得分 / 可得满分；缺数据的项不计入可得满分，这样的分数标为"不完整"。点一行看门店。'),
    );
    const scored = data.rows.filter((r) => r.cells.percent !== null);
    chart(chartBox, {
      grid: { left: 90, right: 20, top: 10, bottom: 30 },
      xAxis: { type: 'value', max: 100 },
      yAxis: { type: 'category', inverse: true, data: scored.map((r) => r.cells.store) },
      tooltip: {},
      series: [{ type: 'bar', name: '得分率%', data: scored.map((r) => ({ value: r.cells.percent, itemStyle: { color: r.cells.completeness === '完整' ? '#1f6feb' : '#f0a020' } })), label: { show: true, position: 'right' } }],
    });
  }

  async function showStore(code) {
    const info = await api(`/console/api/stores/${encodeURIComponent(code)}`);
    const score = await api(`/console/api/stores/${encodeURIComponent(code)}/score`);
    view.replaceChildren(el('p', {}, el('a', { href: '/console/', onclick: link }, '← 排名')), el('h1', {}, info.store.name, el('span', { class: 'muted' }, ` ${info.store.code} ${info.store.area || ''}`)));
    const summary = el('div', { class: 'card', id: 'score-summary' });
    const trendBox = el('div', { class: 'chart' });
    const partsBox = el('div', { class: 'chart' });
    view.append(el('div', { class: 'grid' }, summary, el('div', { class: 'card' }, el('h2', {}, '分数走势'), trendBox)), el('div', { class: 'card' }, el('h2', {}, '各项得分'), partsBox));
    const latest = score.latest;
    if (!latest) summary.append(el('h2', {}, '健康分'), el('p', { class: 'muted' }, '还没有月度分数（每月 1 日计算上月）。'));
    else {
      const c = latest.change;
      summary.append(
        el('h2', {}, `${monthText(latest.month)}健康分`),
        el('div', { class: 'big' }, latest.points === null ? '无数据' : latest.complete ? `${latest.points.toFixed(1)} 分` : `${latest.points.toFixed(1)}/${latest.availablePoints} 分`, latest.points !== null && !latest.complete ? el('span', { class: 'flag' }, '不完整') : null),
        el('div', { class: 'delta' in c ? (c.delta >= 0 ? 'up' : 'down') : 'muted' }, `比上月：${changeText(c)}`),
        el('ul', { class: 'parts' }, latest.parts.map((p) => el('li', {}, el('span', {}, p.label), el('span', {}, p.points === null ? '缺数据' : `${p.points.toFixed(1)}/${p.weight}`)))),
        latest.losses.length ? el('div', {}, el('strong', {}, '丢分最多'), el('ol', {}, latest.losses.map((l) => el('li', {}, `${l.label} −${l.points.toFixed(1)} 分`)))) : null,
      );
      chart(partsBox, {
        grid: { left: 80, right: 20, top: 10, bottom: 60 },
        xAxis: { type: 'value' },
        yAxis: { type: 'category', data: latest.parts.map((p) => p.label) },
        legend: { bottom: 0 },
        tooltip: {},
        series: [
          { type: 'bar', name: '得分', stack: 'p', data: latest.parts.map((p) => p.points ?? 0) },
          { type: 'bar', name: '丢分', stack: 'p', itemStyle: { color: '#e5e7eb' }, data: latest.parts.map((p) => (p.points === null ? 0 : Math.round((p.weight - p.points) * 10) / 10)) },
        ],
      });
    }
    chart(trendBox, {
      grid: { left: 40, right: 20, top: 20, bottom: 30 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: score.trend.map((t) => t.month) },
      yAxis: { type: 'value', max: 100 },
      series: [{ type: 'line', name: '得分率%', data: score.trend.map((t) => t.percent), connectNulls: false, label: { show: true } }],
    });
    for (const section of info.sections) {
      const card = el('div', { class: 'card', 'data-section': section.key }, el('h2', {}, section.title));
      view.append(card);
      table(card, `/console/api/stores/${encodeURIComponent(code)}/sections/${section.key}`, {
        onAction: async (row, action) => {
          try {
            await api(`/console/api/stores/${encodeURIComponent(code)}/sections/${section.key}/rows/${encodeURIComponent(row.id)}/${action.key}`, { body: {} });
          } catch (err) {
            alert(err.message);
          }
        },
      }).catch((err) => card.append(el('p', { class: 'error' }, err.message)));
    }
  }

  async function showSignIn() {
    const params = new URLSearchParams(location.search);
    const target = params.get('return') || location.pathname;
    let users;
    try {
      users = await api('/console/api/demo-users');
    } catch {
      location.href = `/console/login?return=${encodeURIComponent(target)}`;
      return;
    }
    view.replaceChildren(
      el('h1', {}, '演示登录'),
      el('p', { class: 'muted' }, '沙盒模式：选一位演示用户登录（正式环境从企业微信应用菜单打开，自动登录）。店员没有管理台权限。'),
      el('div', { class: 'users' }, users.map((u) => el('button', { type: 'button', 'data-user': u.userid, onclick: async () => { await api('/console/auth/demo', { body: { userid: u.userid } }); go(target.startsWith('/console/') ? target : '/console/'); } }, `${u.name}`, el('small', {}, `${u.role} · ${u.where}${u.mayUse ? '' : ' · 无权限'}`)))),
    );
  }

  function link(e) {
    e.preventDefault();
    go(e.currentTarget.getAttribute('href'));
  }
  function go(path) {
    history.pushState(null, '', path);
    route();
  }

  async function route() {
    try {
      me = await api('/console/api/me');
    } catch (err) {
      who.replaceChildren();
      if (err.status === 401) return showSignIn();
      view.replaceChildren(el('p', { class: 'error' }, err.message), el('button', { type: 'button', onclick: logout }, '换个账号'));
      return;
    }
    who.replaceChildren(el('span', {}, `${me.name} · ${me.roleName}`), el('button', { type: 'button', onclick: logout }, '退出'));
    const store = /^\/console\/store\/([^/]+)$/.exec(location.pathname);
    try {
      if (store) await showStore(decodeURIComponent(store[1]));
      else await showRanking();
    } catch (err) {
      view.replaceChildren(el('p', { class: 'error' }, err.message), el('p', {}, el('a', { href: '/console/', onclick: link }, '回到排名')));
    }
  }
  async function logout() {
    await fetch('/console/auth/logout', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': me ? me.csrf : '' }, body: '{}' }).catch(() => null);
    me = null;
    go('/console/');
  }

  window.addEventListener('popstate', route);
  route();
})();
