// Live monitor list: follows the rows on this page over Server-Sent Events (/app/live) and patches
// each row that changed (status, last signal, response time, new heartbeat cells). Without this
// script the page is the same, only as of its loading.
(() => {
  'use strict';
  const table = document.querySelector('table.monitors[data-live]');
  if (!table || !window.EventSource) return;
  const rowsOf = (id) => table.querySelectorAll(`tr[data-id="${CSS.escape(id)}"]`);
  const followed = new Map();
  for (const row of table.querySelectorAll('tr[data-id]')) {
    followed.set(row.dataset.id, `${row.dataset.id}.${row.dataset.events}.${row.dataset.status}`);
  }
  if (followed.size === 0) return;
  let source = null;
  const open = () => {
    // The query carries what each row shows now, so a reconnect asks only for what is newer.
    const query = [...followed.values()].map((m) => 'm=' + encodeURIComponent(m)).join('&');
    source = new EventSource(table.dataset.live + '?' + query);
    source.addEventListener('monitor', (event) => patch(JSON.parse(event.data)));
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) setTimeout(open, 5000);
    };
  };
  const patch = (m) => {
    followed.set(m.id, `${m.id}.${m.events}.${m.status}`);
    for (const row of rowsOf(m.id)) {
      row.dataset.events = m.events;
      row.dataset.status = m.status;
      const pill = row.querySelector('.pill');
      if (pill) { pill.className = 'pill ' + m.status; pill.textContent = m.status; }
      const last = row.querySelector('.last time');
      if (last) {
        last.textContent = m.lastSignal;
        if (m.lastSignalAt) last.setAttribute('datetime', m.lastSignalAt);
        last.title = (m.lastSignalAt || '') + (m.lastMessage ? ' · ' + m.lastMessage : '');
      }
      const resp = row.querySelector('.resp');
      if (resp && m.responseMs != null) resp.textContent = m.responseMs + ' ms';
      const bar = row.querySelector('.bar');
      if (bar && m.cells.length) {
        for (const cell of m.cells) {
          const i = document.createElement('i');
          i.className = 'beat ' + cell.state;
          i.title = cell.title;
          bar.appendChild(i);
          bar.firstElementChild.remove();
        }
      }
      row.classList.remove('changed');
      void row.offsetWidth;
      row.classList.add('changed');
    }
  };
  open();
  addEventListener('pagehide', () => source && source.close());
})();
