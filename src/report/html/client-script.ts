/**
 * The report's script, inlined into index.html. It reads the run from the
 * `<script type="application/json" id="paymatrix-data">` block and builds every element with DOM
 * calls; data only ever reaches the page through textContent and attribute values, never as markup,
 * so bytes a firmware sent show as text. Plain ES2017 (kept free of backticks and dollar-braces so it
 * can live in this template string); the browser test runs it.
 */
export const CLIENT_SCRIPT = String.raw`
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('paymatrix-data').textContent);
  var STRIDE = 7, B = 0, H = 1, SC = 2, ST = 3, DT = 4, BF = 5, CH = 6;
  var S = data.statuses, CHG = data.changes;
  var PASS = S.indexOf('pass'), FAIL = S.indexOf('fail'), ERROR = S.indexOf('error');
  var NA = S.indexOf('n/a'), FLAKY = S.indexOf('flaky');
  var RANK = [FAIL, ERROR, FLAKY, PASS, NA];
  var cells = data.cells, count = cells.length / STRIDE;
  var state = { suite: '', tag: '', status: '', vendor: '', change: '', pair: null, cell: -1 };

  function el(tag, attrs) {
    var e = document.createElement(tag);
    if (attrs) {
      for (var k in attrs) {
        var v = attrs[k];
        if (v === undefined || v === null) continue;
        if (k === 'text') e.textContent = String(v);
        else if (k === 'class') e.className = v;
        else if (k.slice(0, 2) === 'on') e.addEventListener(k.slice(2), v);
        else e.setAttribute(k, String(v));
      }
    }
    for (var i = 2; i < arguments.length; i++) add(e, arguments[i]);
    return e;
  }
  function add(parent, child) {
    if (child === undefined || child === null || child === false) return;
    if (Array.isArray(child)) { child.forEach(function (c) { add(parent, c); }); return; }
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
  function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); return e; }
  function $(id) { return document.getElementById(id); }
  function fmt(n) { return Number(n).toLocaleString('en-US'); }
  function cls(status) { return status === 'n/a' ? 'na' : status; }
  function badge(status) { return el('span', { class: 'badge st-' + cls(status), text: status }); }
  function at(i, f) { return cells[i * STRIDE + f]; }

  var scenarios = data.scenarios, builds = data.builds, hosts = data.hosts;

  // Filters: a cell is shown when its scenario, status, build vendor and baseline change match.
  function visible(i) {
    var sc = scenarios[at(i, SC)];
    if (state.suite && sc.suite !== state.suite) return false;
    if (state.tag && sc.tags.indexOf(state.tag) < 0) return false;
    if (state.status && S[at(i, ST)] !== state.status) return false;
    if (state.vendor && builds[at(i, B)].vendor !== state.vendor) return false;
    if (state.change && CHG[at(i, CH)] !== state.change) return false;
    return true;
  }
  function aggregate(counts) {
    for (var r = 0; r < RANK.length; r++) if (counts[RANK[r]] > 0) return S[RANK[r]];
    return 'n/a';
  }
  function uniq(list) { return list.filter(function (x, i) { return list.indexOf(x) === i; }).sort(); }

  function header() {
    var h = clear($('head'));
    h.appendChild(el('h1', { text: data.title }));
    var run = data.run;
    h.appendChild(el('div', { class: 'muted', text: (run ? 'run ' + run.id + ' · seed ' + run.seed + ' · time scale ' + run.timeScale +
      (run.shard ? ' · shard ' + run.shard.index + '/' + run.shard.count : '') + ' · ' : '') +
      builds.length + ' builds × ' + hosts.length + ' host versions × ' + scenarios.length + ' scenarios · ' + fmt(count) + ' cells' }));
    var totals = [0, 0, 0, 0, 0];
    for (var i = 0; i < count; i++) totals[at(i, ST)]++;
    var chips = el('div', { class: 'chips', id: 'totals' });
    ['pass', 'fail', 'error', 'flaky', 'n/a'].forEach(function (s) {
      chips.appendChild(el('span', { class: 'chip st-' + cls(s), 'data-status': s, text: s + ' ' + fmt(totals[S.indexOf(s)]) }));
    });
    if (data.missing) chips.appendChild(el('span', { class: 'chip note', text: fmt(data.missing) + ' planned cells without a result' }));
    if (data.baseline) chips.appendChild(el('span', { class: 'chip', id: 'baseline',
      text: 'vs baseline ' + (data.baseline.id || '') + ': ' + data.baseline.worse + ' worse, ' + data.baseline.better + ' better' }));
    h.appendChild(chips);
    data.notes.forEach(function (n) { h.appendChild(el('div', { class: 'note', text: 'note: ' + n })); });
  }

  function filters() {
    var f = clear($('filters'));
    function select(key, label, values) {
      var s = el('select', { id: 'filter-' + key, onchange: function () { state[key] = s.value; render(); } },
        el('option', { value: '', text: 'all' }),
        values.map(function (v) { return el('option', { value: v, text: v }); }));
      f.appendChild(el('label', null, label, s));
    }
    select('suite', 'suite', uniq(scenarios.map(function (s) { return s.suite; })));
    select('tag', 'tag', uniq([].concat.apply([], scenarios.map(function (s) { return s.tags; }))));
    select('status', 'status', ['pass', 'fail', 'error', 'flaky', 'n/a']);
    select('vendor', 'vendor', uniq(builds.map(function (b) { return b.vendor; })));
    if (data.baseline) select('change', 'vs baseline', ['worse', 'better', 'changed', 'new']);
    f.appendChild(el('div', { class: 'muted', id: 'shown' }));
  }

  function fleet() {
    var f = $('fleet');
    if (!data.fleet) { f.hidden = true; return; }
    var hit = data.fleet.hosts.filter(function (h) { return h.terminals > 0; })
      .sort(function (a, b) { return b.terminals - a.terminals; });
    clear(f).appendChild(el('h2', { text: 'Fleet impact' + (data.fleet.title ? ' — ' + data.fleet.title : '') +
      ' (' + fmt(data.fleet.totalTerminals) + ' terminals)' }));
    var ul = el('ul', { class: 'impact' });
    if (hit.length === 0) ul.appendChild(el('li', { text: 'No host version breaks a build of the fleet.' }));
    hit.forEach(function (h) {
      var regions = Object.keys(h.byRegion).sort(function (a, b) { return h.byRegion[b] - h.byRegion[a]; })
        .map(function (r) { return r + ' ' + fmt(h.byRegion[r]); }).join(', ');
      ul.appendChild(el('li', null, el('strong', { text: h.summary }),
        el('span', { class: 'muted', text: ' — ' + h.builds.map(function (b) { return b.build + ' (' + fmt(b.terminals) + ')'; }).join(', ') +
          (regions ? '; by region: ' + regions : '') })));
    });
    if (data.fleet.notRun.length) ul.appendChild(el('li', { class: 'note', text: 'fleet builds not in this run (unknown): ' + data.fleet.notRun.join(', ') }));
    f.appendChild(ul);
  }

  // The heatmap: rows builds, columns host versions, colour by pass ratio of the shown cells.
  function matrix() {
    var pairs = {}, shown = 0;
    for (var i = 0; i < count; i++) {
      var key = at(i, B) + ':' + at(i, H);
      var p = pairs[key] || (pairs[key] = { counts: [0, 0, 0, 0, 0], planned: 0, worse: 0, better: 0 });
      p.planned++;
      if (!visible(i)) continue;
      shown++;
      p.counts[at(i, ST)]++;
      if (CHG[at(i, CH)] === 'worse') p.worse++;
      if (CHG[at(i, CH)] === 'better') p.better++;
    }
    $('shown').textContent = fmt(shown) + ' of ' + fmt(count) + ' cells shown';
    var table = el('table', { class: 'matrix', id: 'matrix' });
    var head = el('tr', null, el('th', { text: 'build \\ host version' }));
    hosts.forEach(function (hv) {
      var cut = hv.lastIndexOf('@');
      head.appendChild(el('th', { scope: 'col' }, hv.slice(0, cut), el('span', { class: 'sub', text: hv.slice(cut + 1) })));
    });
    table.appendChild(el('thead', null, head));
    var body = el('tbody');
    builds.forEach(function (b, bi) {
      if (state.vendor && b.vendor !== state.vendor) return;
      var row = el('tr', { 'data-build': b.id }, el('th', { scope: 'row' }, b.id,
        el('span', { class: 'sub', text: b.vendor + (b.model ? ' ' + b.model : '') +
          (b.terminals !== null ? ' · ' + fmt(b.terminals) + ' terminals' : '') })));
      hosts.forEach(function (hv, hi) {
        var p = pairs[bi + ':' + hi], td = el('td');
        row.appendChild(td);
        if (!p) { td.appendChild(el('span', { class: 'notplanned', title: 'not planned', text: '·' })); return; }
        var c = p.counts, applicable = c[PASS] + c[FAIL] + c[ERROR] + c[FLAKY], passed = c[PASS] + c[FLAKY];
        var total = applicable + c[NA], status = aggregate(c);
        var btn = el('button', { class: 'cell', type: 'button', 'data-build': b.id, 'data-host': hv, 'data-status': total ? status : 'none',
          title: b.id + ' × ' + hv + ': ' + passed + ' of ' + applicable + ' applicable passed',
          onclick: function () { state.pair = [bi, hi]; state.cell = -1; render(); } });
        if (state.pair && state.pair[0] === bi && state.pair[1] === hi) btn.className += ' selected';
        if (total === 0) { btn.className += ' empty'; btn.textContent = '–'; }
        else if (applicable === 0) { btn.className += ' na'; btn.textContent = 'n/a'; }
        else {
          btn.textContent = passed + '/' + applicable;
          // Colour says how much passed; a pair with errors (not known to work) also gets a purple frame.
          if (passed === 0 && c[FAIL] === 0) btn.className += ' error';
          else btn.style.background = 'hsl(' + Math.round(130 * passed / applicable) + ' 60% ' + (passed === applicable ? 78 : 82) + '%)';
          if (c[ERROR] > 0) { btn.className += ' has-error'; btn.title += '; ' + c[ERROR] + ' could not be played (error)'; }
          if (status === 'flaky') btn.className += ' flaky';
        }
        if (p.worse) btn.appendChild(el('span', { class: 'mark worse', title: p.worse + ' worse than the baseline', text: '▼' + p.worse }));
        else if (p.better) btn.appendChild(el('span', { class: 'mark better', title: p.better + ' better than the baseline', text: '▲' + p.better }));
        td.appendChild(btn);
      });
      body.appendChild(row);
    });
    table.appendChild(body);
    clear($('matrix-wrap')).appendChild(table);
  }

  function cellPanel() {
    var panel = $('cell');
    if (!state.pair) { panel.hidden = true; return; }
    panel.hidden = false;
    var b = builds[state.pair[0]], hv = hosts[state.pair[1]];
    clear(panel).appendChild(el('h2', { text: b.id + ' × ' + hv }));
    var rows = [];
    for (var i = 0; i < count; i++) if (at(i, B) === state.pair[0] && at(i, H) === state.pair[1] && visible(i)) rows.push(i);
    rows.sort(function (x, y) { return RANK.indexOf(at(x, ST)) - RANK.indexOf(at(y, ST)); });
    var table = el('table', { class: 'list', id: 'scenarios' },
      el('thead', null, el('tr', null, ['status', 'scenario', 'title', 'tags', 'why'].map(function (t) { return el('th', { text: t }); }))));
    var body = el('tbody');
    rows.forEach(function (i) {
      var sc = scenarios[at(i, SC)], d = at(i, DT) >= 0 ? data.details[at(i, DT)] : null, chg = CHG[at(i, CH)];
      var tr = el('tr', { class: 'pick' + (state.cell === i ? ' selected' : ''), tabindex: 0, 'data-scenario': sc.id, 'data-status': S[at(i, ST)],
        onclick: function () { state.cell = i; render(); },
        onkeydown: function (e) { if (e.key === 'Enter') { state.cell = i; render(); } } },
        el('td', null, badge(S[at(i, ST)]), chg === 'worse' || chg === 'better' ? el('span', { class: 'chg ' + chg, title: chg + ' than the baseline', text: chg === 'worse' ? ' ▼' : ' ▲' }) : null),
        el('td', { text: sc.id }), el('td', { text: sc.title }),
        el('td', null, sc.tags.map(function (t) { return el('span', { class: 'tag', text: t }); })),
        el('td', { text: d && d.reasons[0] ? d.reasons[0].message : '' }));
      body.appendChild(tr);
    });
    if (rows.length === 0) body.appendChild(el('tr', null, el('td', { colspan: 5, class: 'muted', text: 'no scenario matches the filters' })));
    table.appendChild(body);
    panel.appendChild(table);
  }

  function scenarioPanel() {
    var panel = $('scenario');
    if (state.cell < 0) { panel.hidden = true; return; }
    panel.hidden = false;
    var i = state.cell, sc = scenarios[at(i, SC)], status = S[at(i, ST)];
    var d = at(i, DT) >= 0 ? data.details[at(i, DT)] : null;
    clear(panel).appendChild(el('h2', null, badge(status), ' ', sc.id, ' — ', sc.title));
    var facts = builds[at(i, B)].id + ' × ' + hosts[at(i, H)];
    if (d) facts += ' · ' + d.durationMs + ' ms · seed ' + d.seed;
    if (at(i, BF) >= 0) facts += ' · baseline: ' + S[at(i, BF)] + ' → ' + status + ' (' + CHG[at(i, CH)] + ')';
    panel.appendChild(el('div', { class: 'muted', text: facts }));
    if (!d) { panel.appendChild(el('p', { text: 'Passed: every expectation and invariant held.' })); return; }
    var cited = {};
    if (d.reasons.length) {
      panel.appendChild(el('h3', { text: 'Reasons' }));
      d.reasons.forEach(function (r) {
        if (r.exchange !== undefined) cited[r.exchange] = true;
        var box = el('div', { class: 'reason kind-' + r.kind }, el('span', { class: 'kind', text: r.kind }),
          r.step !== undefined ? el('span', { class: 'kind', text: 'step ' + (r.step + 1) }) : null, r.message);
        if (r.exchange !== undefined) box.appendChild(el('a', { class: 'goto', href: '#x' + r.exchange, text: ' → exchange #' + r.exchange,
          onclick: function () { var x = $('x' + r.exchange); if (x) x.open = true; } }));
        if (r.expected !== undefined || r.actual !== undefined) box.appendChild(diffTable(r));
        panel.appendChild(box);
      });
    }
    if (d.steps && d.steps.length) {
      panel.appendChild(el('h3', { text: 'Steps' }));
      var st = el('table', { class: 'list' }, el('thead', null, el('tr', null, ['#', 'terminal did', 'outcome', 'messages'].map(function (t) { return el('th', { text: t }); }))));
      d.steps.forEach(function (s, n) {
        var q = s.request, o = s.outcome;
        st.appendChild(el('tr', null, el('td', { text: n + 1 }),
          el('td', { text: q.type + (q.amount !== undefined ? ' ' + (q.amount / 100).toFixed(2) : '') + (q.currency ? ' ' + q.currency : '') + (q.card ? ' · ' + q.card : '') }),
          el('td', null, o.status + (o.responseCode ? ' (' + o.responseCode + ')' : '') + ' — ' + o.detail, o.error ? el('pre', { class: 'body', text: o.error }) : null),
          el('td', { class: 'muted lines', text: s.messages.map(function (m) { return (m[0] === 'sent' ? '→ ' : '← ') + m[2]; }).join('\n') })));
      });
      panel.appendChild(st);
    }
    if (d.journal) {
      panel.appendChild(el('h3', { text: 'Message trace (as the host saw it, ' + d.journal.length + ' entries)' }));
      var dialect = data.dialects[data.hostDialect[hosts[at(i, H)]]] || {};
      var trace = el('div', { id: 'trace' });
      d.journal.forEach(function (x) { trace.appendChild(exchange(x, dialect, !!cited[x.seq])); });
      panel.appendChild(trace);
    }
    if (d.events && d.events.length) {
      panel.appendChild(el('details', null, el('summary', { text: 'Terminal events (' + d.events.length + ')' }),
        el('pre', { class: 'body', text: d.events.map(function (e) { return e[1].slice(11, 23) + '  ' + e[0] + '  ' + e[2]; }).join('\n') })));
    }
  }

  // Expected vs actual, the differing words highlighted on each side.
  function diffTable(r) {
    var exp = el('td', { class: 'expected' }), act = el('td', { class: 'actual' });
    if (r.diff) {
      r.diff.forEach(function (part) {
        if (part[0] <= 0) exp.appendChild(part[0] ? el('del', { class: 'd', text: part[1] }) : document.createTextNode(part[1]));
        if (part[0] >= 0) act.appendChild(part[0] ? el('ins', { class: 'd', text: part[1] }) : document.createTextNode(part[1]));
      });
    } else {
      exp.textContent = r.expected === undefined ? '—' : r.expected;
      act.textContent = r.actual === undefined ? '—' : r.actual;
    }
    return el('table', { class: 'diff' }, el('tr', null, el('th', { text: 'expected' }), exp), el('tr', null, el('th', { text: 'actual' }), act));
  }

  function exchange(x, dialect, cited) {
    var violated = x.violations && x.violations.length > 0;
    var line = '#' + x.seq + ' · conn ' + x.connection + ' · ' + String(x.at).slice(11, 23) + ' · ';
    if (x.event) line += x.event.kind + ': ' + x.event.detail;
    else line += (x.request ? x.request.summary : '?') + (x.response ? ' → ' + x.response.summary : ' → (no response)');
    if (x.durationMs !== undefined) line += ' · ' + x.durationMs + ' ms';
    if (violated) line += ' · ' + x.violations.length + ' violation' + (x.violations.length > 1 ? 's' : '');
    if (x.faults && x.faults.length) line += ' · faults: ' + x.faults.join(', ');
    var box = el('details', { class: 'exchange' + (cited ? ' cited' : '') + (violated ? ' violated' : ''), id: 'x' + x.seq }, el('summary', { text: line }));
    var filled = false;
    function fill() {
      if (filled) return;
      filled = true;
      if (x.notes && x.notes.length) box.appendChild(el('ul', { class: 'notes' }, x.notes.map(function (n) {
        return el('li', { text: n });
      })));
      if (violated) box.appendChild(el('ul', { class: 'violations' }, x.violations.map(function (v) {
        return el('li', { text: (v.path ? (x.transport === 'http' ? v.path : 'DE' + v.path) + ' ' : '') + '[' + v.rule + '] ' + v.message });
      })));
      var msgs = el('div', { class: 'msgs' });
      if (x.request) msgs.appendChild(message('request', x.request, dialect, violated ? x.violations : []));
      if (x.response) msgs.appendChild(message('response', x.response, dialect, []));
      box.appendChild(msgs);
    }
    // Decoded lazily: a long trace costs nothing until someone opens it.
    box.addEventListener('toggle', function () { if (box.open) fill(); });
    if (cited || violated) { box.open = true; fill(); }
    return box;
  }

  function message(label, m, dialect, violations) {
    var wrap = el('div', { class: 'msg' }, el('h3', { text: label + ' · ' + m.summary + ' · ' + m.size + ' bytes' }));
    var hi = {};
    violations.forEach(function (v) { hi[v.path] = v; });
    if (m.iso) {
      var t = el('table', { class: 'fields' });
      if (m.iso.tpdu) t.appendChild(row('TPDU', '', 'id ' + m.iso.tpdu.id + ' destination ' + m.iso.tpdu.destination + ' source ' + m.iso.tpdu.source, ''));
      if (m.iso.header !== undefined) t.appendChild(row('header', '', m.iso.header, ''));
      t.appendChild(row('MTI', '', m.iso.mti, ''));
      var ids = Object.keys(m.iso.fields).sort(function (a, b) { return Number(a) - Number(b); });
      ids.forEach(function (id) { fieldRows(t, id, m.iso.fields[id], dialect, hi, false); });
      // A mandatory field the host missed: expected here, absent in what it got.
      Object.keys(hi).forEach(function (p) {
        if (p && !has(m.iso.fields, p)) {
          var r = row('DE' + p, name(dialect, p), 'absent — ' + hi[p].message, 'hi absent');
          t.appendChild(r);
        }
      });
      wrap.appendChild(t);
    } else if (m.http) {
      var h = m.http;
      wrap.appendChild(el('div', { class: 'muted', text: [h.method, h.path, h.status, h.operation ? '(' + h.operation + ')' : ''].filter(function (s) { return s !== undefined && s !== ''; }).join(' ') }));
      var ht = el('table', { class: 'fields' });
      Object.keys(h.headers || {}).forEach(function (k) { ht.appendChild(row(k, '', h.headers[k], '')); });
      wrap.appendChild(ht);
      if (h.body !== undefined) wrap.appendChild(el('pre', { class: 'body', text: JSON.stringify(h.body, null, 2) }));
    }
    return wrap;
  }

  function has(fields, path) {
    var parts = path.split('.'), v = fields;
    for (var i = 0; i < parts.length; i++) {
      if (v === null || typeof v !== 'object') return false;
      if (Array.isArray(v)) { var item = v.filter(function (t) { return t && t.tag === parts[i]; })[0]; if (!item) return false; v = item.value; }
      else { if (!(parts[i] in v)) return false; v = v[parts[i]]; }
    }
    return true;
  }
  // Printable text as it is; anything with control bytes JSON-quoted, so every byte is visible.
  function shown(v) {
    var s = typeof v === 'string' ? v : JSON.stringify(v);
    return /[\u0000-\u001f\u007f-\u009f]/.test(s) ? JSON.stringify(s) : s;
  }
  function name(dialect, path) { var n = dialect[path]; return n ? n[0] + (n[1] ? ' (' + n[1] + ')' : '') : ''; }
  function row(p, n, v, extra) {
    return el('tr', { class: extra || null, 'data-path': p }, el('td', { class: 'p', text: p }), el('td', { class: 'n', text: n }), el('td', { class: 'v', text: v }));
  }
  function fieldRows(t, path, value, dialect, hi, sub) {
    var label = sub ? path : 'DE' + path;
    var mark = hi[path] ? 'hi' : '';
    if (value !== null && typeof value === 'object') {
      t.appendChild(row(label, name(dialect, path), '', (sub ? 'sub ' : '') + mark));
      if (Array.isArray(value)) value.forEach(function (item) { fieldRows(t, path + '.' + item.tag, item.value, dialect, hi, true); });
      else Object.keys(value).forEach(function (k) { fieldRows(t, path + '.' + k, value[k], dialect, hi, true); });
      return;
    }
    var r = row(label, name(dialect, path), shown(value), (sub ? 'sub ' : '') + mark);
    if (hi[path]) r.title = hi[path].message;
    t.appendChild(r);
  }

  function render() {
    matrix();
    cellPanel();
    scenarioPanel();
  }

  header();
  filters();
  fleet();
  render();
  // For people timing it (and the browser test): ms from navigation to a rendered matrix.
  window.paymatrixReport = { renderedAtMs: performance.now(), cells: count };
  document.documentElement.setAttribute('data-ready', '1');
})();
`;
