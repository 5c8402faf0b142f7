// Injected at the end of <body> by tests/check_report.sh, after window.__expect:
//   figures: SVG figures that must render; missing: "Figure missing" notes; rows: {section id: [row, ...]},
//   each row the cells' text joined by tabs, in table order (every table of the section).
// Writes one line per finding into a pre element of id report-check: "FAIL ..." or a final "PASS ...".
window.addEventListener('load', function () {
  var fails = [], exp = window.__expect;
  window.__errors.forEach(function (m) { fails.push('FAIL script error: ' + m); });
  if (performance.getEntriesByType('resource').length)
    fails.push('FAIL the page loaded ' + performance.getEntriesByType('resource').map(function (r) { return r.name; }).join(', '));
  var seen = {};
  document.querySelectorAll('[id]').forEach(function (el) {
    if (seen[el.id]) fails.push('FAIL duplicate id ' + el.id); seen[el.id] = 1;
  });
  document.querySelectorAll('*').forEach(function (el) {
    for (var i = 0; i < el.attributes.length; i++) {
      var a = el.attributes[i], v = a.value, m, re = /url\(#([^)]*)\)/g;
      if ((a.name === 'href' || a.name === 'xlink:href') && v.charAt(0) === '#' && !document.getElementById(v.slice(1)))
        fails.push('FAIL unresolved reference ' + v);
      while ((m = re.exec(v))) if (!document.getElementById(m[1])) fails.push('FAIL unresolved url(#' + m[1] + ')');
    }
  });
  var figs = document.querySelectorAll('figure svg.figure');
  figs.forEach(function (svg) {
    var b = svg.getBBox(), r = svg.getBoundingClientRect();
    if (!(b.width > 0 && b.height > 0 && r.width > 0 && r.height > 0))
      fails.push('FAIL figure does not render: ' + svg.parentNode.id + ' bbox ' + b.width + 'x' + b.height);
  });
  if (figs.length !== exp.figures) fails.push('FAIL ' + figs.length + ' figures, expected ' + exp.figures);
  var missing = 0;
  document.querySelectorAll('figure .missing').forEach(function (p) { if (/Figure missing/.test(p.textContent)) missing++; });
  if (missing !== exp.missing) fails.push('FAIL ' + missing + ' missing-figure notes, expected ' + exp.missing);
  if (document.querySelectorAll('img, link, iframe, object, embed').length) fails.push('FAIL an external element');
  var cells = 0;
  Object.keys(exp.rows).forEach(function (id) {
    var got = [];
    document.querySelectorAll('#' + id + ' table.md-table tr').forEach(function (tr) {
      got.push(Array.prototype.map.call(tr.cells, function (c) { return c.textContent; }).join('\t'));
    });
    var want = exp.rows[id];
    if (got.length !== want.length) fails.push('FAIL #' + id + ': ' + got.length + ' table rows, expected ' + want.length);
    for (var i = 0; i < want.length && i < got.length; i++) {
      if (got[i] !== want[i]) { fails.push('FAIL #' + id + ' row ' + i + ': "' + got[i] + '", expected "' + want[i] + '"'); break; }
      cells += want[i].split('\t').length;
    }
  });
  var out = document.createElement('pre');
  out.id = 'report-check';
  out.textContent = fails.length ? fails.join('\n') : 'PASS ' + figs.length + ' figures rendered, ' + missing +
    ' said missing, ' + cells + ' table cells as in the Markdown, no errors';
  document.body.appendChild(out);
});
