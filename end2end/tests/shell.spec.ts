import { test, expect, hydrated } from './fixtures';

test('home page loads with the console shell', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveTitle(/Daemon Portal/);
  await expect(page.getByRole('link', { name: 'Daemon Portal', exact: true }).first()).toBeVisible();
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expect(page.locator('footer')).toContainText(/v\d+\.\d+\.\d+/);
});

test('navigation has the eight sections, in order (and Administration and Audit log for admins)', async ({ page }) => {
  await page.goto('/');
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link')).toHaveText([
    'Fleet',
    'Daemon task definitions',
    'Daemons',
    'Clusters',
    'Promotions',
    // The Approvals link carries a count when requests wait for this user.
    /^Approvals\d*$/,
    'History',
    'Delivery metrics',
    'Administration',
    'Audit log',
  ]);
  await nav.getByRole('link', { name: 'Clusters' }).click();
  await expect(page).toHaveURL(/\/clusters$/);
  await expect(nav.getByRole('link', { name: 'Clusters' })).toHaveAttribute('aria-current', 'page');
});

test('navigation collapses and expands once hydrated', async ({ page }) => {
  await page.goto('/');
  await hydrated(page);
  const nav = page.getByRole('navigation', { name: 'Main' });
  const toggle = page.getByRole('button', { name: 'Collapse navigation' });
  await expect(nav).toBeVisible();
  await toggle.click();
  await expect(nav).toBeHidden();
  const expand = page.getByRole('button', { name: 'Expand navigation' });
  await expect(expand).toHaveAttribute('aria-expanded', 'false');
  // Keyboard works too.
  await expand.focus();
  await page.keyboard.press('Enter');
  await expect(nav).toBeVisible();
});

test('unknown pages say so', async ({ page, consoleErrors }) => {
  const res = await page.goto('/nowhere');
  expect(res?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page not found');
  await hydrated(page);
  // Chromium reports the 404 document itself as a console error; that one is expected.
  const rest = consoleErrors.filter((e) => !/status of 404/.test(e));
  consoleErrors.splice(0, consoleErrors.length, ...rest);
});

test('a form page fetches only its islands\' wasm, gzipped', async ({ page }) => {
  const wasm: { url: string; encoding: string | undefined }[] = [];
  page.on('response', (res) => {
    if (res.url().endsWith('.wasm')) wasm.push({ url: res.url(), encoding: res.headers()['content-encoding'] });
  });
  await page.goto('/daemons/new?cluster=default');
  await hydrated(page);
  // The main module and the deploy form's split module, each sent as its .gz file.
  expect(wasm.some((w) => w.url.endsWith('/daemon-portal.wasm'))).toBe(true);
  await expect.poll(() => wasm.some((w) => /\/split_deploy_form_view_/.test(w.url))).toBe(true);
  expect(wasm.filter((w) => /\/split_task_definition_editor_/.test(w.url))).toEqual([]);
  for (const w of wasm) expect(w.encoding, w.url).toBe('gzip');
});
