// trainbook report: the interactive layer. The page reads fully without it (static SVG charts,
// plain tables). Run data only ever reaches the page through textContent, attributes set with
// setAttribute, and Vega data values: never through innerHTML or a Vega expression.
// The build bundles this file (esbuild, into sdk/dist/report/page.js) with the core's run lookup:
// a `#run=` or `#compare=` link names runs exactly as the CLI does (id, id prefix, name, archive name).
import { lookupRun } from 'trainbook/core';

(function () {
  'use strict';
  var root = document.documentElement;
  // The builder writes its data block after everything a template renders: read the last one, so
  // an element a template names report-data can never stand in for it.
  var dataBlocks = document.querySelectorAll('script#report-data[type="application/json"]');
  var dataElement = dataBlocks[dataBlocks.length - 1];
  if (!dataElement) return;
  var report = JSON.parse(dataElement.textContent || '{}');
  var runs = report.runs || [];
  var labelOf = {};
  runs.forEach(function (run) { labelOf[run.id] = run.label; });
  var views = {};
  var selected = [];

  Array.prototype.forEach.call(document.querySelectorAll('[data-controls], [data-interactive-hint]'), function (el) { el.hidden = false; });
  Array.prototype.forEach.call(document.querySelectorAll('.run-select'), function (el) { el.hidden = false; });

  // ---- runs table: sort, filter, select ----
  var table = document.getElementById('runs-table');
  var tbody = table && table.tBodies[0];
  function cellValue(row, column) {
    var cell = row.cells[column];
    return cell ? cell.getAttribute('data-sort') || '' : '';
  }
  function compareValues(a, b) {
    if (a === b) return 0;
    if (a === '') return 1;
    if (b === '') return -1;
    var x = Number(a), y = Number(b);
    if (!isNaN(x) && !isNaN(y)) return x - y;
    return a.localeCompare(b, undefined, { numeric: true });
  }
  if (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, column) {
      if (!th.hasAttribute('data-sort-type')) return;
      th.tabIndex = 0;
      var sort = function () {
        var ascending = th.getAttribute('aria-sort') !== 'ascending';
        Array.prototype.forEach.call(table.tHead.rows[0].cells, function (other) { other.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
        var rows = Array.prototype.slice.call(tbody.rows);
        rows.sort(function (r1, r2) {
          var order = compareValues(cellValue(r1, column), cellValue(r2, column));
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { tbody.appendChild(row); });
      };
      th.addEventListener('click', sort);
      th.addEventListener('keydown', function (event) { if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); sort(); } });
    });
  }
  var filter = document.getElementById('run-filter');
  if (filter && tbody) {
    filter.addEventListener('input', function () {
      var words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      Array.prototype.forEach.call(tbody.rows, function (row) {
        var text = row.textContent.toLowerCase();
        var match = words.every(function (word) { return text.indexOf(word) >= 0; });
        row.hidden = !match;
        if (match) shown++;
      });
      document.getElementById('no-match').hidden = shown > 0;
    });
  }

  function setSelection(ids, updateHash) {
    selected = ids.filter(function (id, i) { return labelOf[id] !== undefined && ids.indexOf(id) === i; });
    if (tbody) {
      Array.prototype.forEach.call(tbody.rows, function (row) {
        var on = selected.indexOf(row.getAttribute('data-run')) >= 0;
        row.classList.toggle('selected', on);
        var box = row.querySelector('.run-select');
        if (box) box.checked = on;
      });
    }
    var note = document.getElementById('selection-note');
    if (note) {
      note.textContent = selected.length === 0 ? 'Tick runs to compare them in the charts.' :
        'Comparing ' + selected.map(function (id) { return labelOf[id]; }).join(', ');
    }
    var clear = document.getElementById('clear-selection');
    if (clear) clear.disabled = selected.length === 0;
    root.setAttribute('data-selected', selected.join(','));
    Object.keys(views).forEach(function (key) { applyFocus(views[key]); });
    if (updateHash) {
      var hash = selected.length > 0 ? '#compare=' + selected.map(encodeURIComponent).join(',') : '';
      history.replaceState(null, '', hash || location.pathname + location.search);
    }
  }
  if (tbody) {
    tbody.addEventListener('change', function (event) {
      var box = event.target;
      if (!box.classList || !box.classList.contains('run-select')) return;
      var ids = selected.filter(function (id) { return id !== box.value; });
      if (box.checked) ids.push(box.value);
      setSelection(ids, true);
    });
  }
  var clearButton = document.getElementById('clear-selection');
  if (clearButton) clearButton.addEventListener('click', function () { setSelection([], true); });

  var onlyDiffering = document.getElementById('only-differing');
  if (onlyDiffering) {
    onlyDiffering.addEventListener('change', function () {
      document.getElementById('param-diff').classList.toggle('only-differing', onlyDiffering.checked);
    });
  }

  // ---- charts: static SVG first, then an interactive Vega view once a chart comes into sight ----
  function applyFocus(view) {
    var labels = selected.map(function (id) { return labelOf[id]; });
    view.signal('focus', labels).runAsync();
  }
  var embedded = 0;
  function embedChart(figure) {
    var index = Number(figure.getAttribute('data-chart'));
    var chart = report.charts[index];
    if (!chart || typeof vegaEmbed !== 'function' || figure.getAttribute('data-live')) return;
    figure.setAttribute('data-live', 'pending');
    // The builder compiled the spec from the core's chart model, points included: it is embedded as it is.
    var live = figure.querySelector('.chart-live');
    var dark = window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches;
    vegaEmbed(live, chart.spec, { mode: 'vega', renderer: 'svg', actions: false, ast: true, tooltip: { theme: dark ? 'dark' : 'light' } })
      .then(function (result) {
        views[index] = result.view;
        applyFocus(result.view);
        live.hidden = false;
        figure.querySelector('.chart-static').hidden = true;
        figure.setAttribute('data-live', 'ready');
        embedded++;
        root.setAttribute('data-charts-live', String(embedded));
      })
      .catch(function (error) {
        figure.setAttribute('data-live', 'failed');
        console.warn('trainbook: interactive chart unavailable, the static one stays', error);
      });
  }
  var figures = Array.prototype.slice.call(document.querySelectorAll('figure[data-chart]'));
  if ('IntersectionObserver' in window) {
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) { observer.unobserve(entry.target); embedChart(entry.target); }
      });
    }, { rootMargin: '300px' });
    figures.forEach(function (figure) { observer.observe(figure); });
  }
  // Charts out of sight become interactive too, one at a time while the page is idle.
  var idle = window.requestIdleCallback || function (fn) { return setTimeout(fn, 50); };
  function embedRest() {
    var next = figures.filter(function (figure) { return !figure.getAttribute('data-live'); })[0];
    if (!next) return;
    embedChart(next);
    idle(embedRest);
  }
  window.addEventListener('load', function () { idle(embedRest); });

  // ---- share links: #run=<id> and #compare=<a>,<b> ----
  var referable = runs.map(function (run) { return { record: { id: run.id, name: run.name || '' }, archive: run.archive ? { name: run.archive } : null }; });
  function resolveId(reference) {
    var outcome = lookupRun(referable, reference);
    return outcome.kind === 'found' ? outcome.run.record.id : null;
  }
  function followHash() {
    var hash = location.hash.slice(1);
    Array.prototype.forEach.call(document.querySelectorAll('.run.targeted'), function (el) { el.classList.remove('targeted'); });
    var at = hash.indexOf('=');
    if (at < 0) return;
    var kind = hash.slice(0, at);
    var value;
    try { value = decodeURIComponent(hash.slice(at + 1)); } catch (error) { return; }
    if (kind === 'run') {
      var id = resolveId(value);
      var section = id && document.getElementById('run=' + id);
      if (section) {
        section.classList.add('targeted');
        section.scrollIntoView({ block: 'start' });
        root.setAttribute('data-target-run', id);
      }
    } else if (kind === 'compare') {
      var ids = hash.slice(at + 1).split(',').map(function (part) {
        try { return resolveId(decodeURIComponent(part)); } catch (error) { return null; }
      }).filter(Boolean);
      setSelection(ids, false);
      var charts = document.getElementById('charts') || document.getElementById('runs');
      if (charts) charts.scrollIntoView({ block: 'start' });
    }
  }
  window.addEventListener('hashchange', followHash);
  followHash();
  // A printed report shows every run's captured output, whether it was opened or not.
  window.addEventListener('beforeprint', function () {
    document.querySelectorAll('details.output').forEach(function (details) { details.setAttribute('open', ''); });
  });
  root.setAttribute('data-report-ready', 'true');
})();
