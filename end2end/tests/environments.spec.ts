import { test, expect, hydrated } from './fixtures';

const STAGING_ROLE = 'arn:aws:iam::234567890123:role/DaemonPortal';

test('admin sees every environment answer, and one with a refused role is named with its failure', async ({ page }) => {
  await page.goto('/admin');
  await hydrated(page);
  await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Environments' }).click();
  await expect(page).toHaveURL(/\/admin\/environments$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Environments' })).toBeVisible();
  await hydrated(page);

  const table = page.getByRole('table', { name: 'Environments' });
  const row = (name: string) => table.locator(`tr[data-environment="${name}"]`);
  await expect(row('default')).toContainText('Default');
  await expect(row('staging')).toContainText(`Assumes ${STAGING_ROLE}`);
  for (const name of ['default', 'staging', 'staging-eu-west-1']) {
    await expect(row(name).locator('.badge.ok')).toHaveText('OK');
  }
  await expect(row('staging-eu-west-1')).toContainText('eu-west-1');

  // A wrong account ID is caught next to its field before anything is sent.
  const name = `broken-${Date.now() % 100000}`;
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Account ID').fill('2345');
  await page.getByLabel('Region').fill('us-east-1');
  await page.getByRole('button', { name: 'Add environment' }).click();
  await expect(page.locator('#env-account-error')).toContainText('12 digits');
  await expect(row(name)).toHaveCount(0);

  // The staging role with an external ID its trust policy does not name: added, and failing
  // with the environment's name and STS's answer, while the others still answer.
  await page.getByLabel('Account ID').fill('234567890123');
  await page.getByLabel('IAM role ARN').fill(STAGING_ROLE);
  await page.getByLabel('External ID').fill('not-the-trusted-id');
  await page.getByRole('button', { name: 'Add environment' }).click();
  await expect(row(name).locator('.badge.err')).toHaveText('FAILED');
  await expect(row(name)).toContainText(`${name}: AccessDenied assuming ${STAGING_ROLE}`);
  await expect(row('staging').locator('.badge.ok')).toHaveText('OK');
  await expect(page.getByLabel('Name', { exact: true })).toHaveValue('');

  await row(name).getByRole('button', { name: 'Check now' }).click();
  await expect(row(name)).toContainText('AccessDenied');
  await row(name).getByRole('button', { name: 'Remove' }).click();
  await expect(row(name)).toHaveCount(0);
  await expect(row('default').getByRole('button', { name: 'Remove' })).toHaveCount(0);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('an environment is added by a plain form post, and a bad region comes back next to the field', async ({ page }) => {
    await page.goto('/admin/environments');
    const name = `plain-${Date.now() % 100000}`;
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByLabel('Account ID').fill('123456789012');
    await page.getByLabel('Region').fill('europe');
    await page.getByRole('button', { name: 'Add environment' }).click();
    await expect(page.locator('#env-region-error')).toContainText('us-east-1');

    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByLabel('Account ID').fill('123456789012');
    await page.getByLabel('Region').fill('us-west-2');
    await page.getByRole('button', { name: 'Add environment' }).click();
    await expect(page).toHaveURL(/\/admin\/environments$/);
    const row = page.locator(`tr[data-environment="${name}"]`);
    await expect(row).toContainText('us-west-2');
    await expect(row.locator('.badge.ok')).toHaveText('OK');
    await row.getByRole('button', { name: 'Remove' }).click();
    await expect(page.locator(`tr[data-environment="${name}"]`)).toHaveCount(0);
  });
});
