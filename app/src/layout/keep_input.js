// Keeps what was typed in a plain (server-rendered) form the server refused. Such a form posts
// without wasm; a refusal sends the browser back to the page with the error (leptos_axum puts
// it in the URL, and the page shows each message next to its field), but the page is rendered
// afresh, without what was typed. So a form marked `data-keep-input` saves its fields before it
// posts, and the page it comes back to puts them back when it shows an error. No wasm needed.
(() => {
  const key = (form) => 'keep-input:' + location.pathname + ':' + form.getAttribute('action');
  document.addEventListener('submit', (e) => {
    const form = e.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-keep-input')) return;
    const fields = [];
    for (const el of form.elements) {
      if (!el.name || el.type === 'hidden' || el.type === 'submit') continue;
      fields.push([el.name, el.type === 'checkbox' || el.type === 'radio' ? el.checked : el.value]);
    }
    try { sessionStorage.setItem(key(form), JSON.stringify(fields)); } catch (_) {}
  }, true);
  document.addEventListener('DOMContentLoaded', () => {
    const failed = new URLSearchParams(location.search).has('__err');
    for (const form of document.querySelectorAll('form[data-keep-input]')) {
      let saved = null;
      try { saved = sessionStorage.getItem(key(form)); sessionStorage.removeItem(key(form)); } catch (_) {}
      if (!failed || !saved) continue;
      for (const [name, value] of JSON.parse(saved)) {
        const el = form.elements.namedItem(name);
        if (!el || el instanceof RadioNodeList) continue;
        if (typeof value === 'boolean') el.checked = value; else el.value = value;
      }
    }
  });
})();
