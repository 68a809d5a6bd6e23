import { test, expect, login, hydrated } from './fixtures';

test('admin creates a team, a user, a membership and a policy, and sees them listed', async ({ page }) => {
  await page.goto('/');
  await hydrated(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Administration' }).click();
  await expect(page).toHaveURL(/\/admin$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Users' })).toBeVisible();

  // Team payments.
  await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Teams and memberships' }).click();
  await expect(page).toHaveURL(/\/admin\/teams$/);
  await hydrated(page);
  await page.getByLabel('Team name').fill('payments');
  await page.getByRole('button', { name: 'Create team' }).click();
  await expect(page.getByRole('table', { name: 'Teams' }).locator('tr[data-team="payments"]')).toBeVisible();

  // User dave; a short password is refused next to the field first.
  await page.goto('/admin');
  await hydrated(page);
  await page.getByLabel('Username').fill('dave');
  await page.getByLabel('Password', { exact: true }).fill('short');
  await page.getByRole('button', { name: 'Create user' }).click();
  await expect(page.locator('#user-password-error')).toContainText('at least 12 characters');
  await page.getByLabel('Password', { exact: true }).fill('dave-password-123');
  await page.getByRole('button', { name: 'Create user' }).click();
  const dave = page.getByRole('table', { name: 'Users' }).locator('tr[data-user="dave"]');
  await expect(dave).toBeVisible();
  await expect(dave).toContainText('ACTIVE');

  // dave becomes a deployer in payments.
  await page.goto('/admin/teams');
  await hydrated(page);
  await page.getByLabel('User', { exact: true }).selectOption('dave');
  await page.getByLabel('Team', { exact: true }).selectOption('payments');
  await page.getByLabel('Role', { exact: true }).selectOption('deployer');
  await page.getByRole('button', { name: 'Add member' }).click();
  const membership = page.getByRole('table', { name: 'Memberships' }).locator('tr[data-member="dave/payments"]');
  await expect(membership).toBeVisible();
  await expect(membership.getByRole('combobox')).toHaveValue('deployer');

  // A policy for prod / mi-prod-a with 2 approvals; 11 is refused next to the field.
  await page.goto('/admin/policies');
  await hydrated(page);
  await page.getByLabel('Cluster').fill('prod');
  await page.getByLabel('Capacity provider').fill('mi-prod-a');
  await page.getByLabel('Approvals required').fill('11');
  await page.getByLabel('Approver teams').fill('platform, payments');
  await page.getByRole('button', { name: 'Save policy' }).click();
  await expect(page.locator('#policy-approvals-error')).toContainText('0 to 10');
  await page.getByLabel('Approvals required').fill('2');
  await page.getByRole('button', { name: 'Save policy' }).click();
  await expect(page.getByText('Policy saved.')).toBeVisible();
  const row = page.getByRole('table', { name: 'Approval policies' }).locator('tr[data-policy="prod/mi-prod-a"]');
  await expect(row).toBeVisible();
  // Environment, cluster, provider, approvals required.
  await expect(row.locator('td').nth(0)).toHaveText('* (every environment)');
  await expect(row.locator('td').nth(3)).toHaveText('2');
  await expect(row).toContainText('platform, payments');
  // The embedded defaults are listed too.
  await expect(page.locator('tr[data-policy="prod"]')).toBeVisible();
  await expect(page.locator('tr[data-policy="default"]')).toBeVisible();

  // dave signs in and is a deployer in payments.
  await login(page, 'dave', 'dave-password-123');
  await expect(page.locator('.user-name')).toHaveAttribute('title', 'payments: deployer');
});

test('carol sees no Administration link and gets 403 on /admin', async ({ page, consoleErrors }) => {
  await login(page, 'carol');
  await hydrated(page);
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Daemons' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Administration' })).toHaveCount(0);
  const res = await page.goto('/admin');
  expect(res?.status()).toBe(403);
  await expect(page.getByRole('alert')).toContainText('administration is for administrators');
  await expect(page.getByRole('button', { name: 'Create user' })).toHaveCount(0);
  // Chromium reports the 403 document itself as a console error; that one is expected.
  const rest = consoleErrors.filter((e) => !/status of 403/.test(e));
  consoleErrors.splice(0, consoleErrors.length, ...rest);
});

test('a weekly freeze window is listed with its reason shown as text', async ({ page }) => {
  await page.goto('/admin/freezes');
  await hydrated(page);
  await page.getByLabel('Kind').selectOption('weekly');
  // Once hydrated, only the chosen kind's fields show.
  await expect(page.getByLabel('Starts at (UTC)')).toBeHidden();
  await page.getByLabel('Cluster').fill('prod');
  await page.getByLabel('Friday').check();
  await page.getByLabel('From (UTC)').fill('22:00');
  await page.getByLabel('Until (UTC)').fill('06:00');
  const reason = '<img src=x onerror=alert(1)> Friday night freeze';
  await page.getByLabel('Reason').fill(reason);
  await page.getByRole('button', { name: 'Create freeze window' }).click();
  const row = page.getByRole('table', { name: 'Freeze windows' }).getByRole('row').nth(1);
  await expect(row).toContainText('Weekly on Fri 22:00–06:00 UTC (ends the next day)');
  await expect(row.locator('td.reason')).toHaveText(reason);
  await expect(row.locator('img')).toHaveCount(0);

  // A missing reason is refused next to the field before anything is sent.
  await page.getByLabel('Friday').check();
  await page.getByLabel('Reason').fill('');
  await page.getByRole('button', { name: 'Create freeze window' }).click();
  await expect(page.locator('#freeze-reason-error')).toContainText('Enter a reason');
  await expect(page.getByRole('table', { name: 'Freeze windows' }).getByRole('row')).toHaveCount(2);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('teams are created by a plain form post, and a bad name comes back next to the field', async ({ page }) => {
    await page.goto('/admin/teams');
    await page.getByLabel('Team name').fill('observability');
    await page.getByRole('button', { name: 'Create team' }).click();
    await expect(page).toHaveURL(/\/admin\/teams$/);
    await expect(page.locator('tr[data-team="observability"]')).toBeVisible();

    await page.getByLabel('Team name').fill('bad name!');
    await page.getByRole('button', { name: 'Create team' }).click();
    await expect(page).toHaveURL(/\/admin\/teams\?/);
    await expect(page.locator('#team-name-error')).toContainText('is not allowed');
  });
});
