// Copy buttons (components/short_arn.rs): a click on [data-copy] puts its value on the
// clipboard and says "Copied" for a moment. Delegated, so it works before and without wasm.
(() => {
  document.documentElement.classList.add('can-copy');
  const legacy = (text) => {
    const t = document.createElement('textarea');
    t.value = text;
    t.setAttribute('readonly', '');
    t.style.cssText = 'position:fixed;top:0;left:0;opacity:0';
    document.body.append(t);
    t.select();
    const ok = document.execCommand('copy');
    t.remove();
    if (!ok) throw new Error('copy refused');
  };
  document.addEventListener('click', (e) => {
    const b = e.target instanceof Element ? e.target.closest('[data-copy]') : null;
    if (!b) return;
    const text = b.getAttribute('data-copy');
    b.copyLabel ??= [b.textContent, b.getAttribute('aria-label')];
    const say = (what) => {
      b.textContent = what;
      b.setAttribute('aria-label', what);
      clearTimeout(b.copyTimer);
      b.copyTimer = setTimeout(() => {
        b.textContent = b.copyLabel[0];
        if (b.copyLabel[1] === null) b.removeAttribute('aria-label'); else b.setAttribute('aria-label', b.copyLabel[1]);
      }, 1500);
    };
    (navigator.clipboard ? navigator.clipboard.writeText(text) : Promise.reject(new Error('no clipboard')))
      .catch(() => legacy(text))
      .then(() => say('Copied'), () => say('Copy failed'));
  });
})();
