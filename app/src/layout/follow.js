// Pages that show something in progress (the dashboard, the fleet view, a promotion) follow it
// without wasm: while the page has an element marked `data-follow="<seconds>"`, the page is
// fetched again that often and the main area's content replaced in place. Not a reload (it was
// `<meta http-equiv="refresh">`): a reload sends a keyboard or screen reader user back to the
// top of the page every few seconds (WCAG 2.2.1), so here the focus stays where it was, nothing
// is replaced while a form field in the main area holds what the user typed, and the
// `[data-follow-toggle]` button pauses and resumes the updates (WCAG 2.2.2). Without
// JavaScript, a `<noscript>` refresh does what it did before.
(() => {
  const FOCUSABLE = 'a[href], button, input, select, textarea, summary, [tabindex]';
  let timer = 0;
  let paused = false;
  const main = () => document.getElementById('main-content');
  // What tells a control apart from the others after the content is replaced.
  const keyOf = (el) =>
    [el.tagName, el.id, el.getAttribute('href'), el.getAttribute('name'), el.getAttribute('value'), el.textContent.trim()].join('|');
  // Something typed, chosen or ticked that the page did not come with.
  const editing = (root) =>
    [...root.querySelectorAll('input, textarea, select')].some((el) =>
      el.type === 'checkbox' || el.type === 'radio'
        ? el.checked !== el.defaultChecked
        : el instanceof HTMLSelectElement
          ? [...el.options].some((o) => o.selected !== o.defaultSelected)
          : el.type !== 'hidden' && el.value !== el.defaultValue,
    );
  const toggle = () => {
    for (const b of document.querySelectorAll('[data-follow-toggle]')) {
      b.hidden = false;
      b.textContent = paused ? 'Resume updates' : 'Pause updates';
      b.setAttribute('aria-pressed', paused ? 'true' : 'false');
    }
  };
  const schedule = () => {
    clearTimeout(timer);
    const marked = document.querySelector('[data-follow]');
    toggle();
    if (!marked || paused) return;
    timer = setTimeout(update, (Number(marked.getAttribute('data-follow')) || 10) * 1000);
  };
  const update = async () => {
    const here = main();
    if (!here) return;
    const active = document.activeElement;
    const inside = active && active !== here && here.contains(active);
    if (editing(here) || (inside && active.matches('input, textarea, select'))) return schedule();
    let doc;
    try {
      const res = await fetch(location.href, { headers: { accept: 'text/html' }, credentials: 'same-origin' });
      if (!res.ok || res.redirected) return schedule();
      doc = new DOMParser().parseFromString(await res.text(), 'text/html');
    } catch (_) {
      return schedule();
    }
    const fresh = doc.getElementById('main-content');
    // The user may have started typing or moved on while the page was on its way.
    if (!fresh || paused || editing(here)) return schedule();
    // DOMParser parses as if scripts were off: a <noscript>'s refresh would be a live <meta>.
    fresh.querySelectorAll('noscript').forEach((n) => n.remove());
    const focused = document.activeElement;
    const at = focused && here.contains(focused) ? [...here.querySelectorAll(FOCUSABLE)].indexOf(focused) : -1;
    const key = at >= 0 ? keyOf(focused) : '';
    const wasMain = focused === here;
    const open = [...here.querySelectorAll('details')].map((d) => d.open);
    here.replaceChildren(...[...fresh.childNodes].map((n) => document.adoptNode(n)));
    here.querySelectorAll('details').forEach((d, i) => {
      if (i < open.length) d.open = open[i];
    });
    if (at >= 0) {
      // The same control (the one nearest its old place if several match), else what is now there.
      const now = [...here.querySelectorAll(FOCUSABLE)];
      const same = now.map((el, i) => [el, i]).filter(([el]) => keyOf(el) === key);
      same.sort((a, b) => Math.abs(a[1] - at) - Math.abs(b[1] - at));
      (same[0]?.[0] ?? now[at] ?? here).focus({ preventScroll: true });
    } else if (wasMain) {
      here.focus({ preventScroll: true });
    }
    document.title = doc.title;
    schedule();
  };
  document.addEventListener('click', (e) => {
    const b = e.target instanceof Element ? e.target.closest('[data-follow-toggle]') : null;
    if (!b) return;
    paused = !paused;
    schedule();
  });
  document.addEventListener('DOMContentLoaded', schedule);
})();
