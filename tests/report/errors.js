// Injected first into <head> by tests/check_report.sh: records every script error and failed load.
window.__errors = [];
window.addEventListener('error', function (e) {
  window.__errors.push(e.message ? e.message : 'failed to load ' + (e.target && (e.target.src || e.target.href)));
}, true);
