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

  /** Made once per form or button shown: a double tap or a retry sends the same id and gets the same answer. */
  const requestId = () => Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');

  const fmt = (v) => (v === null || v === undefined || v === '' ? '—' : typeof v === 'number' ? String(Math.round(v * 10) / 10) : v);
  const changeText = (c) => ('delta' in c ? `${c.delta > 0 ? '+' : ''}${c.delta.toFixed(1)} 分` : c.reason === 'differentParts' ? '上月计分项不同，不比较' : '上月无分数');
  const monthText = (m) => `${Number(m.slice(0, 4))}年${Number(m.slice(5))}月`;

  function chart(node, option) {
    if (!window.echarts) return;
    const c = window.echarts.init(node, null, { renderer: 'svg' });
    c.setOption(option);
    window.addEventListener('resize', () => c.resize());
  }

  /** A photo full screen over the page; a tap anywhere, or Esc, closes it. */
  function showPhoto(src) {
    const close = () => {
      box.remove();
      document.removeEventListener('keydown', onKey);
    };
    const onKey = (e) => {
      if (e.key === 'Escape') close();
    };
    const box = el(
      'div',
      { class: 'lightbox', role: 'dialog', 'aria-label': '照片', onclick: close },
      el('img', { src, alt: '照片' }),
      el('button', { type: 'button', class: 'close', 'aria-label': '关闭' }, '×'),
    );
    document.addEventListener('keydown', onKey);
    document.body.append(box);
  }

  /** A cell: photo thumbnails for a `photos` column (its URLs, space-separated), text otherwise. */
  /* On a phone each row is a card of "label value" lines (style.css), so every cell carries its column's label. */
  const cell = (col, value) =>
    col.format === 'photos' && value
      ? el(
          'td',
          { class: 'photos', 'data-label': col.label },
          value.split(' ').map((src) =>
            el(
              'button',
              {
                type: 'button',
                class: 'thumb',
                onclick: (e) => {
                  e.stopPropagation();
                  showPhoto(src);
                },
              },
              el('img', { src, alt: '照片', loading: 'lazy' }),
            ),
          ),
        )
      : el('td', { 'data-label': col.label, class: value === null || value === undefined || value === '' ? 'empty' : null }, fmt(value));

  /** A table's own chart (declared by its section): one category column against numeric columns. */
  function tableChart(node, spec, columns, rows) {
    let shown = spec.limit ? rows.slice(0, spec.limit) : rows.slice();
    if (spec.reversed) shown = shown.reverse();
    const label = (key) => (columns.find((c) => c.key === key) || { label: key }).label;
    const option = {
      grid: { left: 50, right: 20, top: 30, bottom: spec.kind === 'bar' ? 70 : 30 },
      tooltip: { trigger: 'axis' },
      legend: spec.series.length > 1 ? { top: 0 } : undefined,
      xAxis: { type: 'category', data: shown.map((r) => r.cells[spec.category]), axisLabel: spec.kind === 'bar' ? { rotate: 40, interval: 0 } : {} },
      yAxis: { type: 'value', scale: spec.kind === 'line' },
      series: spec.series.map((key) => ({ type: spec.kind, name: label(key), data: shown.map((r) => (r.cells[key] === null ? null : Number(r.cells[key]))) })),
    };
    const c = window.echarts && (window.echarts.getInstanceByDom(node) || window.echarts.init(node, null, { renderer: 'svg' }));
    if (!c) return;
    c.setOption(option, true);
    if (!node.dataset.sized) {
      node.dataset.sized = '1';
      window.addEventListener('resize', () => c.resize());
    }
  }

  /** A table with a text filter, a choice per select column, CSV export and row actions. */
  function table(container, url, { onRow, onAction } = {}) {
    const filters = {};
    let options = null;
    const body = el('div', { class: 'table-wrap' });
    const bar = el('div', { class: 'filters' });
    const csv = el('a', { class: 'button', download: '' }, '导出 CSV');
    const summary = el('p', { class: 'summary' });
    const chartBox = el('div', { class: 'chart', hidden: true });
    container.append(summary, chartBox, bar, body);

    const query = (extra = {}) => {
      const q = new URLSearchParams(url.includes('?') ? url.slice(url.indexOf('?') + 1) : '');
      for (const [k, v] of Object.entries({ ...filters, ...extra })) if (v) q.set(k, v);
      return `${url.split('?')[0]}?${q}`;
    };
    async function load() {
      const data = await api(query());
      for (const r of data.rows) for (const a of r.actions || []) if (a.post) a.requestId = requestId();
      if (!options) {
        options = {};
        const search = el('input', {
          type: 'search',
          placeholder: '搜索…',
          oninput: (e) => {
            filters.q = e.target.value;
            debounce();
          },
        });
        bar.append(search);
        for (const col of data.columns.filter((c) => c.filter === 'select')) {
          const values = [...new Set(data.rows.map((r) => r.cells[col.key]).filter((v) => v !== null && v !== ''))].sort();
          bar.append(
            el(
              'select',
              {
                'aria-label': col.label,
                onchange: (e) => {
                  filters[`f.${col.key}`] = e.target.value;
                  load();
                },
              },
              el('option', { value: '' }, `全部${col.label}`),
              values.map((v) => el('option', { value: v }, v)),
            ),
          );
        }
        bar.append(csv);
      }
      csv.href = query({ format: 'csv' });
      if (data.summary) summary.textContent = data.summary;
      if (data.chart && data.rows.length) {
        chartBox.hidden = false;
        tableChart(chartBox, data.chart, data.columns, data.rows);
      } else chartBox.hidden = true;
      body.replaceChildren(
        data.rows.length === 0
          ? el('p', { class: 'muted' }, '没有数据')
          : el(
              'table',
              {},
              el(
                'thead',
                {},
                el(
                  'tr',
                  {},
                  data.columns.map((c) => el('th', {}, c.label)),
                  data.rows.some((r) => r.actions?.length) ? el('th', {}, '操作') : null,
                ),
              ),
              el(
                'tbody',
                {},
                data.rows.map((r) =>
                  el(
                    'tr',
                    { class: onRow ? 'link' : null, onclick: onRow ? () => onRow(r) : null },
                    data.columns.map((c) => cell(c, r.cells[c.key])),
                    data.rows.some((x) => x.actions?.length)
                      ? el(
                          'td',
                          { class: 'actions', 'data-label': '操作' },
                          (r.actions || []).map((a) =>
                            el(
                              'button',
                              {
                                type: 'button',
                                'data-action': a.key,
                                onclick: async (e) => {
                                  e.stopPropagation();
                                  e.currentTarget.disabled = true;
                                  await onAction(r, a);
                                  load();
                                },
                              },
                              a.label,
                            ),
                          ),
                        )
                      : null,
                  ),
                ),
              ),
            ),
      );
      return data;
    }
    let timer = null;
    const debounce = () => {
      clearTimeout(timer);
      timer = setTimeout(load, 250);
    };
    container.addEventListener('reload', () => load());
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
      el(
        'label',
        {},
        '月份 ',
        el(
          'select',
          { onchange: (e) => go(`/console/?month=${e.target.value}`) },
          (data.months.length ? data.months : [data.month]).map((m) => el('option', { value: m, selected: m === data.month }, monthText(m))),
        ),
      ),
      el('p', { class: 'muted' }, '得分率 = 得分 / 可得满分；缺数据的项不计入可得满分，这样的分数标为"不完整"。点一行看门店。'),
    );
    if (me.stores.length > 1) membersPanel(view, '/console/api/members', { crossStore: true });
    const scored = data.rows.filter((r) => r.cells.percent !== null);
    chart(chartBox, {
      grid: { left: 90, right: 20, top: 10, bottom: 30 },
      xAxis: { type: 'value', max: 100 },
      yAxis: { type: 'category', inverse: true, data: scored.map((r) => r.cells.store) },
      tooltip: {},
      series: [
        {
          type: 'bar',
          name: '得分率%',
          data: scored.map((r) => ({ value: r.cells.percent, itemStyle: { color: r.cells.completeness === '完整' ? '#1f6feb' : '#f0a020' } })),
          label: { show: true, position: 'right' },
        },
      ],
    });
  }

  async function showStore(code) {
    const info = await api(`/console/api/stores/${encodeURIComponent(code)}`);
    const score = await api(`/console/api/stores/${encodeURIComponent(code)}/score`);
    view.replaceChildren(
      el('p', {}, el('a', { href: '/console/', onclick: link }, '← 排名')),
      el('h1', {}, info.store.name, el('span', { class: 'muted' }, ` ${info.store.code} ${info.store.area || ''}`)),
    );
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
        el(
          'div',
          { class: 'big' },
          latest.points === null ? '无数据' : latest.complete ? `${latest.points.toFixed(1)} 分` : `${latest.points.toFixed(1)}/${latest.availablePoints} 分`,
          latest.points !== null && !latest.complete ? el('span', { class: 'flag' }, '不完整') : null,
        ),
        el('div', { class: 'delta' in c ? (c.delta >= 0 ? 'up' : 'down') : 'muted' }, `比上月：${changeText(c)}`),
        el(
          'ul',
          { class: 'parts' },
          latest.parts.map((p) => el('li', {}, el('span', {}, p.label), el('span', {}, p.points === null ? '缺数据' : `${p.points.toFixed(1)}/${p.weight}`))),
        ),
        latest.losses.length
          ? el(
              'div',
              {},
              el('strong', {}, '丢分最多'),
              el(
                'ol',
                {},
                latest.losses.map((l) => el('li', {}, `${l.label} −${l.points.toFixed(1)} 分`)),
              ),
            )
          : null,
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
    view.querySelector('h1').after(sectionNav([{ id: 'score-summary', title: '健康分' }, ...info.sections.map((s) => ({ id: `section-${s.key}`, title: s.title }))]));
    for (const section of info.sections) {
      const card = el('div', { class: 'card', id: `section-${section.key}`, 'data-section': section.key }, el('h2', {}, section.title));
      view.append(card);
      const sectionUrl = `/console/api/stores/${encodeURIComponent(code)}/sections/${section.key}`;
      // A section with a detail: tapping a row opens its table (a count's variance, a handover's items) below.
      const detail = el('div', { class: 'detail', 'data-detail': section.key });
      if (section.detail) card.after(detail);
      const openDetail = async (row) => {
        const heading = el('h2', {});
        detail.replaceChildren(el('div', { class: 'card' }, el('button', { type: 'button', class: 'close-detail', onclick: () => detail.replaceChildren() }, '收起'), heading));
        const data = await table(detail.firstChild, `${sectionUrl}/rows/${encodeURIComponent(row.id)}`).catch((err) => detail.firstChild.append(el('p', { class: 'error' }, err.message)));
        if (data && data.title) heading.textContent = data.title;
        detail.scrollIntoView({ behavior: 'smooth', block: 'start' });
      };
      table(card, sectionUrl, {
        onRow: section.detail ? openDetail : undefined,
        onAction: async (row, action) => {
          try {
            // An action with an API of its own (a loss hold's 批准/驳回) gets the button's request id.
            if (action.post) await api(action.post, { body: { requestId: action.requestId } });
            else await api(`/console/api/stores/${encodeURIComponent(code)}/sections/${section.key}/rows/${encodeURIComponent(row.id)}/${action.key}`, { body: {} });
          } catch (err) {
            alert(err.message);
          }
          // One decision shows in other sections too (approving held waste closes its task): refresh them.
          for (const other of view.querySelectorAll('.card[data-section]')) if (other !== card) other.dispatchEvent(new Event('reload'));
        },
      }).catch((err) => card.append(el('p', { class: 'error' }, err.message)));
      if (section.key === 'tasks') taskForm(card, code);
    }
    const segments = view.querySelector('[data-section="memberSegments"]');
    if (segments) membersPanel(segments, `/console/api/stores/${encodeURIComponent(code)}/members`, { before: true });
  }

  /**
   * The store page is long (a dozen tables): a bar of its parts that stays under the header. A tap
   * scrolls to the part without touching the URL (the router reads the path; a #hash would be a
   * navigation); the part in view is marked as the page scrolls.
   */
  function sectionNav(parts) {
    const links = parts.map((p) =>
      el(
        'a',
        {
          href: `#${p.id}`,
          'data-target': p.id,
          onclick: (e) => {
            e.preventDefault();
            document.getElementById(p.id)?.scrollIntoView({ block: 'start' });
          },
        },
        p.title,
      ),
    );
    const nav = el('nav', { class: 'section-nav', 'aria-label': '本页目录' }, links);
    let shown = null;
    const mark = (id) => {
      if (id === shown) return;
      shown = id;
      for (const a of links) {
        const current = a.dataset.target === id;
        if (current) a.setAttribute('aria-current', 'true');
        else a.removeAttribute('aria-current');
        if (current) nav.scrollLeft = a.offsetLeft - nav.clientWidth / 2 + a.clientWidth / 2;
      }
    };
    const onScroll = () => {
      if (!nav.isConnected) return window.removeEventListener('scroll', onScroll);
      // The last part whose top has passed the bar is the one being read.
      const line = nav.getBoundingClientRect().bottom + 8;
      let current = parts[0].id;
      for (const p of parts) {
        const node = document.getElementById(p.id);
        if (node && node.getBoundingClientRect().top <= line) current = p.id;
      }
      mark(current);
    };
    window.addEventListener('scroll', onScroll, { passive: true });
    mark(parts[0].id);
    return nav;
  }

  /* ── members: segments and campaign results (charts; the tables are sections) ── */
  // Rounded by the server's own percentFigure (src/percent.ts, served as /console/percent.js), as in chat.
  const pct = (r) => (r === null || r === undefined ? '—' : `${window.percentFigure(r).toFixed(1)}%`);

  const CAMPAIGN_HEADERS = ['活动', '门店', '状态', '发出', '送达', '核销', '核销率', '复购率提升 [95%区间]', '人均消费提升', 'ROI'];

  /** Segment sizes and the campaigns' uplift with its 95% interval; across stores also a table of the campaigns. */
  async function membersPanel(anchor, url, { before = false, crossStore = false } = {}) {
    const card = el('div', { class: 'card', id: 'members-panel' }, el('h2', {}, crossStore ? '会员概况（你负责的门店）' : '会员概况'));
    if (before) anchor.before(card);
    else anchor.append(card);
    let data;
    try {
      data = await api(url);
    } catch (err) {
      card.append(el('p', { class: 'error' }, err.message));
      return;
    }
    card.append(el('p', {}, data.members ? `会员 ${data.members} 人，30 天内到店 ${data.active30d} 人（活跃率 ${pct(data.activeShare)}）。` : '还没有会员。'));
    if (crossStore && data.stores.length > 1) card.append(el('p', { class: 'muted' }, data.stores.map((st) => `${st.name}：${st.members} 人，活跃率 ${pct(st.activeShare)}`).join('；')));
    const boxes = el('div', { class: 'grid' });
    card.append(boxes);
    // Both boxes in the grid before either chart is drawn: ECharts takes its size when it starts.
    const tags = data.segments.slice(0, 12);
    const segmentsBox = tags.length ? el('div', { class: 'chart', id: 'segments-chart' }) : null;
    const measured = data.campaigns.filter((c) => c.results.treated.members && c.results.holdout.members);
    const upliftBox = measured.length ? el('div', { class: 'chart', id: 'uplift-chart' }) : null;
    if (segmentsBox) boxes.append(el('div', {}, el('h3', {}, '各分群人数'), segmentsBox));
    if (upliftBox) boxes.append(el('div', {}, el('h3', {}, '复购率：发券组 − 对照组（百分点，95% 区间）'), upliftBox));
    if (segmentsBox) {
      chart(segmentsBox, {
        grid: { left: 90, right: 20, top: 10, bottom: 40 },
        legend: { bottom: 0 },
        tooltip: { trigger: 'axis' },
        xAxis: { type: 'value' },
        yAxis: { type: 'category', inverse: true, data: tags.map((t) => t.tag) },
        series: [
          { type: 'bar', stack: 'm', name: '30天到店', data: tags.map((t) => t.active30d) },
          { type: 'bar', stack: 'm', name: '30天未到店', itemStyle: { color: '#d0d7de' }, data: tags.map((t) => t.members - t.active30d) },
        ],
      });
    }
    if (upliftBox) upliftChart(upliftBox, measured);
    if (!data.campaigns.length) card.append(el('p', { class: 'muted' }, '还没有涉及这些会员的活动。'));
    else if (crossStore) {
      card.append(
        el(
          'div',
          { class: 'table-wrap' },
          el(
            'table',
            {},
            el(
              'thead',
              {},
              el(
                'tr',
                {},
                CAMPAIGN_HEADERS.map((h) => el('th', {}, h)),
              ),
            ),
            el(
              'tbody',
              {},
              data.campaigns.map((c) => {
                const r = c.results;
                const u = r.uplift.repeatRate;
                const values = [
                  c.name,
                  c.stores.join('、'),
                  c.statusText,
                  r.sent,
                  r.delivered,
                  r.redeemed,
                  pct(r.redemptionRate),
                  `${pct(u.difference)} [${pct(u.low)}, ${pct(u.high)}]`,
                  `¥${r.uplift.revenuePerMember.difference.toFixed(2)}`,
                  r.uplift.roi === null ? '—' : r.uplift.roi.toFixed(2),
                ];
                return el(
                  'tr',
                  {},
                  values.map((v, i) => el('td', { 'data-label': CAMPAIGN_HEADERS[i] }, v)),
                );
              }),
            ),
          ),
        ),
      );
      card.append(el('p', { class: 'muted' }, '每个活动只计你负责的门店的会员。区间跨过 0 即与对照组无显著差异。'));
    }
  }

  /** One bar per campaign (the difference) with a whisker from the interval's low to its high end. */
  function upliftChart(box, campaigns) {
    const points = (n) => window.percentFigure(n);
    const diffs = campaigns.map((c) => c.results.uplift.repeatRate);
    chart(box, {
      grid: { left: 50, right: 20, top: 20, bottom: 40 },
      tooltip: {
        trigger: 'axis',
        formatter: (items) => {
          const c = campaigns[items[0].dataIndex];
          const r = c.results;
          // The tooltip is HTML: the campaign's name is text.
          const name = c.name.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
          return `${name}<br>发券组 ${pct(r.treated.repeatRate)}（${r.treated.members} 人）<br>对照组 ${pct(r.holdout.repeatRate)}（${r.holdout.members} 人）<br>提升 ${points(r.uplift.repeatRate.difference)} [${points(r.uplift.repeatRate.low)}, ${points(r.uplift.repeatRate.high)}] 百分点`;
        },
      },
      xAxis: { type: 'category', data: campaigns.map((c) => c.name) },
      yAxis: { type: 'value' },
      series: [
        { type: 'bar', name: '提升', barMaxWidth: 48, data: diffs.map((d) => ({ value: points(d.difference), itemStyle: { color: d.low > 0 ? '#1a7f37' : d.high < 0 ? '#cf222e' : '#8f959e' } })) },
        {
          type: 'custom',
          name: '95% 区间',
          data: diffs.map((d, i) => [i, points(d.low), points(d.high)]),
          // Both ends on the value axis, so the axis reaches the whole interval.
          encode: { x: 0, y: [1, 2] },
          renderItem: (params, api) => {
            const low = api.coord([api.value(0), api.value(1)]);
            const high = api.coord([api.value(0), api.value(2)]);
            const half = Math.min(api.size([1, 0])[0] * 0.15, 16);
            const line = (x1, y1, x2, y2) => ({ type: 'line', shape: { x1, y1, x2, y2 }, style: { stroke: '#1f2329', lineWidth: 1.5 } });
            return { type: 'group', children: [line(low[0], low[1], high[0], high[1]), line(low[0] - half, low[1], low[0] + half, low[1]), line(high[0] - half, high[1], high[0] + half, high[1])] };
          },
          z: 10,
        },
      ],
    });
  }

  /* ── a task given from the store page: through the task engine, like `任务 … @张三` in chat ── */
  async function taskForm(card, code) {
    const { staff, timezone } = await api(`/console/api/stores/${encodeURIComponent(code)}/staff`).catch(() => ({ staff: [] }));
    if (!staff.length) return;
    const tomorrow = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(Date.now() + 86_400_000));
    let id = requestId();
    const message = el('p', { class: 'form-message', role: 'status' });
    const form = el(
      'form',
      { class: 'task-form', hidden: true },
      el('label', {}, '任务', el('input', { name: 'title', required: true, maxlength: '100', placeholder: '例如：清洁制冰机' })),
      el(
        'label',
        {},
        '负责人',
        el(
          'select',
          { name: 'assignee', required: true },
          el('option', { value: '' }, '请选择'),
          staff.map((s) => el('option', { value: s.userid }, `${s.name}（${s.roleName}）`)),
        ),
      ),
      el('label', {}, `截止（${timezone}）`, el('input', { name: 'due', type: 'datetime-local', required: true, value: `${tomorrow}T09:00` })),
      el('label', {}, '备注（可选）', el('textarea', { name: 'note', rows: '2', maxlength: '500' })),
      el(
        'div',
        {},
        el('button', { type: 'submit', class: 'primary' }, '派任务'),
        ' ',
        el(
          'button',
          {
            type: 'button',
            onclick: () => {
              form.hidden = true;
              open.hidden = false;
            },
          },
          '取消',
        ),
      ),
      message,
    );
    const open = el(
      'button',
      {
        type: 'button',
        class: 'primary',
        id: 'new-task',
        onclick: () => {
          form.hidden = false;
          open.hidden = true;
          message.textContent = '';
        },
      },
      '＋ 派任务',
    );
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const submit = form.querySelector('button[type="submit"]');
      const values = Object.fromEntries(new FormData(form));
      submit.disabled = true;
      message.className = 'form-message';
      message.textContent = '提交中…';
      try {
        const task = await api(`/console/api/stores/${encodeURIComponent(code)}/tasks`, { body: { ...values, note: values.note || undefined, requestId: id } });
        const who = staff.find((s) => s.userid === task.assignee);
        message.textContent = `已派给 ${who ? who.name : task.assignee}，任务卡片已发到企业微信。`;
        id = requestId();
        form.elements.namedItem('title').value = '';
        form.elements.namedItem('note').value = '';
        card.dispatchEvent(new Event('reload'));
      } catch (err) {
        message.className = 'form-message error';
        message.textContent = err.message;
      } finally {
        submit.disabled = false;
      }
    });
    card.querySelector('h2').after(open, form);
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
      el(
        'div',
        { class: 'users' },
        users.map((u) =>
          el(
            'button',
            {
              type: 'button',
              'data-user': u.userid,
              onclick: async () => {
                await api('/console/auth/demo', { body: { userid: u.userid } });
                go(target.startsWith('/console/') ? target : '/console/');
              },
            },
            `${u.name}`,
            el('small', {}, `${u.role} · ${u.where}${u.mayUse ? '' : ' · 无权限'}`),
          ),
        ),
      ),
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
