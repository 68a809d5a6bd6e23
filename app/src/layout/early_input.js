// Keeps what the user types before the islands hydrate. Hydrating a form island sets its
// inputs back to the values it was rendered with, so edits made while the wasm was still
// loading would be lost: remember them, and replay them as input/change events once the
// last island has hydrated (`HydrationMark` dispatches `portal-hydrated`).
(() => {
  const early = new Map();
  const remember = (e) => {
    const el = e.target;
    if (!(el instanceof HTMLInputElement || el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement)) return;
    if (!el.closest('leptos-island')) return;
    early.set(el, el.type === 'checkbox' || el.type === 'radio' ? el.checked : el.value);
  };
  document.addEventListener('input', remember, true);
  document.addEventListener('change', remember, true);
  document.addEventListener('portal-hydrated', () => {
    document.removeEventListener('input', remember, true);
    document.removeEventListener('change', remember, true);
    for (const [el, value] of early) {
      if (!el.isConnected) continue;
      if (typeof value === 'boolean') el.checked = value; else el.value = value;
      el.dispatchEvent(new Event('input', { bubbles: true }));
      el.dispatchEvent(new Event('change', { bubbles: true }));
    }
  }, { once: true });
})();
