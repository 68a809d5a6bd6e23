import { test, expect, register } from './fixtures';

test('the fleet shows what runs in each environment once its inventory is read', async ({ page, request, baseURL }) => {
  const family = `fleet-${Date.now() % 100000}`;
  await register(request, family, `example/${family}:2.7.1`);
  const res = await request.post('/api/deploy-daemon', {
    form: {
      'form[cluster]': 'default',
      'form[daemon_name]': family,
      'form[family]': family,
      'form[drain_percent]': '25',
      'form[bake_time]': '0',
      'form[propagate_tags]': 'NONE',
      'form[capacity_providers][0]': 'mi-general',
    },
    headers: { accept: 'application/json', origin: baseURL! },
  });
  expect(res.status(), await res.text()).toBe(200);

  await page.goto('/');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Fleet' }).click();
  await expect(page).toHaveURL(/\/fleet$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Fleet' })).toBeVisible();
  const table = page.getByRole('table', { name: 'Fleet' });
  for (const env of ['default', 'staging', 'staging-eu-west-1']) {
    await expect(table.locator(`th[data-environment="${env}"]`)).toBeVisible();
  }

  // Read default's inventory now: the new daemon's cell shows its revision, tag and instances.
  await table.getByRole('button', { name: 'Refresh default' }).click();
  await expect(page).toHaveURL(/\/fleet$/);
  const row = page.getByRole('table', { name: 'Fleet' }).locator(`tr[data-family="${family}"]`);
  const cell = row.locator(`[data-daemon="default/${family}"]`);
  await expect(cell).toContainText(':1');
  await expect(cell).toContainText('2.7.1');
  await expect(cell).toContainText('running');
  await expect(cell.getByRole('link', { name: `default/${family}` })).toHaveAttribute('href', `/e/default/daemons/default/${family}`);
  await expect(page.locator('th[data-environment="default"] .age')).toContainText('ago');
  // Not deployed in the staging account.
  await expect(row.locator('td.fleet-cell.empty')).toHaveCount(2);

  // Compare across environments: only default has the family, and the page says so.
  await row.getByRole('link', { name: 'Compare across environments' }).click();
  await expect(page).toHaveURL(new RegExp(`/fleet/compare\\?family=${family}$`));
  await expect(page.getByRole('heading', { level: 1, name: `Compare ${family} across environments` })).toBeVisible();
  await expect(page.getByLabel('Compare', { exact: true })).toHaveValue(`default:1`);
  await expect(page.getByText('needs a revision in two places')).toBeVisible();
  await page.goBack();

  // Search and grouping are a plain GET form: the URL says what is shown.
  await page.getByLabel('Search families').fill(family);
  await page.getByLabel('Group columns by').selectOption('region');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(new RegExp(`q=${family}.*group=region`));
  const rows = page.getByRole('table', { name: 'Fleet' }).locator('tbody tr');
  await expect(rows).toHaveCount(1);
  await expect(page.getByRole('table', { name: 'Fleet' }).locator('th[scope="colgroup"]')).toHaveText([
    'eu-west-1',
    'us-east-1',
  ]);
});
