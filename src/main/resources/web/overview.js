// Overview hook (overview.jte): the latency and throughput charts, drawn with uPlot. They start from the history the
// page embeds (never an empty chart) and take the point the live stream sends each second (SSE event "chart"),
// keeping the last five minutes. Sizes follow the panels; nothing else on the page moves.
(function () {
  'use strict';
  var feed = document.getElementById('chart-feed');
  if (!feed || !window.uPlot) { return; }
  var WINDOW = 300;
  var COLORS = { p50: '#60a5fa', p95: '#a78bfa', p99: '#f472b6',
    rps2xx: '#22c55e', rps3xx: '#60a5fa', rps4xx: '#f59e0b', rps5xx: '#ef4444' };
  var KEYS = Object.keys(COLORS);
  var data = JSON.parse(feed.getAttribute('data-history'));
  var charts = [];

  function pad(n) { return n < 10 ? '0' + n : String(n); }
  function compact(v) {
    return v >= 1e6 ? +(v / 1e6).toFixed(1) + 'M' : v >= 1e3 ? +(v / 1e3).toFixed(1) + 'k' : String(+v.toFixed(2));
  }
  function axis(x) {
    return { stroke: '#9ca3af', font: '11px system-ui, sans-serif', size: x ? 30 : 46, space: x ? 80 : 36,
      grid: { stroke: 'rgba(75, 85, 99, .35)', width: 1 }, ticks: { stroke: 'rgba(75, 85, 99, .35)', width: 1, size: 4 },
      values: x
        ? function (u, splits) {
          return splits.map(function (t) {
            var d = new Date(t * 1000);
            return pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
          });
        }
        : function (u, splits) { return splits.map(compact); } };
  }
  function columns(names) {
    return [data.t].concat(names.map(function (n) { return data[n]; }));
  }
  function fmt(v) {
    if (v === null || v === undefined) { return '–'; }
    return v >= 100 ? Math.round(v).toString() : v >= 10 ? v.toFixed(1) : v.toFixed(2);
  }
  function legend(p) {
    KEYS.forEach(function (k) {
      var el = document.getElementById('lg-' + k);
      if (el) { el.textContent = fmt(p[k]); }
    });
  }
  function make(el) {
    var names = el.getAttribute('data-series').split(',');
    var u = new uPlot({
      width: el.clientWidth, height: el.clientHeight,
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { size: 6 } },
      scales: { x: { time: true }, y: { range: function (u, min, max) {
        return [0, max === null || isNaN(max) || max <= 0 ? 1 : max * 1.15]; } } },
      axes: [axis(true), axis(false)],
      series: [{}].concat(names.map(function (n) {
        return { label: n, stroke: COLORS[n], width: 1.6, fill: COLORS[n] + '14', points: { show: false } };
      }))
    }, columns(names), el);
    charts.push({ u: u, names: names, el: el });
  }
  function push(p) {
    var n = data.t.length;
    if (n && p.t <= data.t[n - 1]) { return; }
    data.t.push(p.t);
    KEYS.forEach(function (k) { data[k].push(p[k] === undefined ? null : p[k]); });
    while (data.t.length > WINDOW) {
      data.t.shift();
      KEYS.forEach(function (k) { data[k].shift(); });
    }
    charts.forEach(function (c) {
      c.u.setData(columns(c.names));
      c.el.setAttribute('data-last', String(p.t));
    });
    legend(p);
  }

  make(document.getElementById('chart-latency'));
  make(document.getElementById('chart-throughput'));
  if (data.t.length) {
    var last = {};
    KEYS.forEach(function (k) { last[k] = data[k][data[k].length - 1]; });
    legend(last);
  }
  feed.addEventListener('htmx:sseMessage', function (e) { push(JSON.parse(e.detail.data)); });
  new ResizeObserver(function () {
    charts.forEach(function (c) { c.u.setSize({ width: c.el.clientWidth, height: c.el.clientHeight }); });
  }).observe(document.getElementById('main'));
})();
