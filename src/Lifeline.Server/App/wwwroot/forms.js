// The channel page after "Send test": reloads a few times until the test's outcome is recorded.
// The page works without this; the notice says to reload.
(() => {
  'use strict';
  const waiting = document.querySelector('[data-awaiting="true"]');
  if (!waiting) return;
  const key = 'lifeline-test-reloads:' + location.pathname + location.search;
  const tries = Number(sessionStorage.getItem(key) || '0');
  if (tries >= 10) return;
  sessionStorage.setItem(key, String(tries + 1));
  setTimeout(() => location.reload(), 1000);
})();
