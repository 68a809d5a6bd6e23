import { test, expect, login, hydrated } from './fixtures';

// History and the audit log. No rollouts are seeded here (that needs the change-request
// worker): these check the empty state, the filter form and its validation, the export links
// and who may read the audit log.

test('history: empty state, filters validated in the browser, exports keep the filters', async ({ page }) => {
  await page.goto('/history');
  await expect(page.getByRole('heading', { name: 'History', level: 1 })).toBeVisible();
  // The suite shares one portal: other specs may have rolled daemons out already.
  await expect(page.getByRole('table', { name: 'Rollouts' }).or(page.getByText('No rollouts yet.'))).toBeVisible();
  for (const label of ['Cluster', 'Daemon', 'Team', 'Person', 'Status', 'From', 'To']) {
    await expect(page.getByLabel(label, { exact: true })).toBeVisible();
  }
  await hydrated(page);

  // A bad name is refused next to its field before anything is sent.
  await page.getByLabel('Cluster', { exact: true }).fill('no spaces please');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page.locator('#f-cluster-error')).toContainText('only letters, digits');
  await expect(page).toHaveURL(/\/history$/);

  await page.getByLabel('Cluster', { exact: true }).fill('nowhere');
  await page.getByLabel('Status', { exact: true }).selectOption('SUCCESSFUL');
  await page.getByLabel('From', { exact: true }).fill('2026-01-01');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page).toHaveURL(/cluster=nowhere/);
  await expect(page).toHaveURL(/status=SUCCESSFUL/);
  await expect(page.getByText('No rollouts match these filters.')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Export CSV' })).toHaveAttribute(
    'href',
    '/history/export.csv?cluster=nowhere&status=SUCCESSFUL&from=2026-01-01',
  );
  const csv = await page.request.get('/history/export.csv?cluster=nowhere&status=SUCCESSFUL&from=2026-01-01');
  expect(csv.status()).toBe(200);
  expect((await csv.text()).split('\r\n')[0]).toContain('id,started_at,ended_at');
});

test('audit log: admins see it, others are refused', async ({ page, consoleErrors }) => {
  await page.goto('/history');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
  await expect(page.getByRole('heading', { name: 'Audit log', level: 1 })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Audit log' })).toContainText('login');

  await login(page, 'carol');
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' })).toHaveCount(0);
  const res = await page.goto('/audit');
  expect(res?.status()).toBe(403);
  await expect(page.getByText('Only administrators may read the audit log.')).toBeVisible();
  await hydrated(page);
  // Chromium reports the 403 document (and the refused server function after hydration) as
  // console errors; those are expected.
  const rest = consoleErrors.filter((e) => !/status of 403/.test(e));
  consoleErrors.splice(0, consoleErrors.length, ...rest);
});
