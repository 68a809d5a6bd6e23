import { test, expect, hydrated, EXECUTION_ROLE } from './fixtures';
import type { APIRequestContext } from '@playwright/test';

/** Registers a one-container definition in `environment` ("" = the default one). */
async function registerIn(request: APIRequestContext, environment: string, family: string, image: string) {
  const res = await request.post('/api/create-task-definition', {
    form: {
      'form[family]': family,
      'form[execution_role]': EXECUTION_ROLE,
      'form[containers][0][name]': 'agent',
      'form[containers][0][image]': image,
      'form[containers][0][essential]': 'on',
      'form[containers][0][cpu]': '0.25',
      'form[containers][0][memory]': '0.25',
      environment,
    },
    headers: { accept: 'application/json' },
  });
  expect(res.status(), await res.text()).toBe(200);
}

/** Deploys `family`'s newest revision as daemon `family` (both environments' policies here
 * need no approval on these clusters, so it starts at once). */
async function deployIn(request: APIRequestContext, environment: string, cluster: string, provider: string, family: string) {
  const res = await request.post('/api/deploy-daemon', {
    form: {
      'form[cluster]': cluster,
      'form[daemon_name]': family,
      'form[family]': family,
      'form[drain_percent]': '25',
      'form[bake_time]': '0',
      'form[propagate_tags]': 'NONE',
      'form[capacity_providers][0]': provider,
      environment,
    },
    headers: { accept: 'application/json' },
  });
  expect(res.status(), await res.text()).toBe(200);
}

test('the fleet shows cwagent on revision 2 in one environment and on revision 1 in another', async ({ page, request }) => {
  const family = `cwagent-${Date.now() % 100000}`;
  await registerIn(request, '', family, `amazon/cloudwatch-agent:1.300031.0`);
  await registerIn(request, '', family, `amazon/cloudwatch-agent:1.300032.2`);
  await registerIn(request, 'staging', family, `amazon/cloudwatch-agent:1.300031.0`);
  await deployIn(request, '', 'default', 'mi-general', family);
  await deployIn(request, 'staging', 'staging', 'mi-staging', family);

  await page.goto('/fleet');
  const table = page.getByRole('table', { name: 'Fleet' });
  await table.getByRole('button', { name: 'Refresh default' }).click();
  await page.getByRole('table', { name: 'Fleet' }).getByRole('button', { name: 'Refresh staging', exact: true }).click();
  const row = page.getByRole('table', { name: 'Fleet' }).locator(`tr[data-family="${family}"]`);
  const here = row.locator(`[data-daemon="default/${family}"]`);
  const there = row.locator(`[data-daemon="staging/${family}"]`);
  await expect(here.locator('.revision')).toHaveText(':2');
  await expect(here).toContainText('1.300032.2');
  await expect(there.locator('.revision')).toHaveText(':1');
  await expect(there).toContainText('1.300031.0');
  await expect(there).toContainText('Behind');

  // Each cell leads to its daemon in its own environment.
  await there.getByRole('link', { name: `staging/${family}` }).click();
  await expect(page).toHaveURL(new RegExp(`/e/staging/daemons/staging/${family}$`));
  await expect(page.getByRole('heading', { level: 1, name: family })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Breadcrumbs' })).toContainText('Environment staging');
  await expect(page.getByRole('table', { name: 'Current revisions' })).toContainText(`${family}:1`);
});

test('a revision is copied to another environment, shown first, then deployed there', async ({ page, request }) => {
  const family = `copy-${Date.now() % 100000}`;
  await registerIn(request, '', family, `123456789012.dkr.ecr.us-east-1.amazonaws.com/${family}:3.1`);

  await page.goto(`/task-definitions/${family}/1`);
  await page.getByRole('link', { name: 'Copy to environment' }).click();
  await expect(page).toHaveURL(/\/fleet\/copy\?/);
  await expect(page.getByRole('heading', { level: 1, name: `Copy ${family}:1 to another environment` })).toBeVisible();
  await hydrated(page);
  await page.getByLabel('To environment').selectOption('staging');
  await expect(page).toHaveURL(/to=staging/);

  // What changes is shown before anything is submitted.
  const subs = page.getByRole('table', { name: 'Substitutions' });
  await expect(subs.locator('tr', { hasText: 'executionRoleArn' })).toContainText(
    'arn:aws:iam::234567890123:role/ecsTaskExecutionRole',
  );
  await expect(subs.locator('tr', { hasText: '.image' })).toContainText(
    `234567890123.dkr.ecr.us-east-1.amazonaws.com/${family}:3.1`,
  );

  await page.getByRole('button', { name: 'Copy to staging' }).click();
  // staging needs no approval for it: registered at once, and this is the new revision there.
  await expect(page).toHaveURL(new RegExp(`/e/staging/task-definitions/${family}/1$`));
  await expect(page.getByRole('heading', { level: 1, name: `${family}:1` })).toBeVisible();
  await expect(page.locator('.td-json-view')).toContainText('234567890123.dkr.ecr.us-east-1.amazonaws.com');

  await page.getByRole('link', { name: 'Deploy' }).click();
  await expect(page).toHaveURL(new RegExp(`/e/staging/daemons/new\\?family=${family}`));
  await hydrated(page);
  await expect(page.getByLabel('Environment')).toHaveValue('staging');
  await expect(page.getByLabel('Cluster', { exact: true })).toHaveValue('staging');
  await page.getByLabel('mi-staging', { exact: true }).check();
  await page.getByRole('button', { name: 'Deploy' }).click();
  await expect(page).toHaveURL(new RegExp(`/e/staging/daemons/staging/${family}$`));
  await expect(page.getByRole('heading', { level: 1, name: family })).toBeVisible();

  // The default environment never saw it deployed.
  const res = await request.post('/api/list-daemons', { form: { cluster: 'default' }, headers: { accept: 'application/json' } });
  expect(await res.text()).not.toContain(`"${family}"`);
});

test('an environment whose role is refused shows why, while the rest of the fleet works', async ({ page, request, consoleErrors }) => {
  const name = `refused-${Date.now() % 100000}`;
  const res = await request.post('/api/admin-create-environment', {
    form: {
      'form[name]': name,
      'form[account_id]': '234567890123',
      'form[region]': 'us-east-1',
      'form[role_arn]': 'arn:aws:iam::234567890123:role/DaemonPortal',
      'form[external_id]': 'not-the-trusted-id',
    },
    headers: { accept: 'application/json' },
  });
  expect(res.status(), await res.text()).toBe(200);
  try {
    await page.goto('/fleet');
    const table = page.getByRole('table', { name: 'Fleet' });
    await table.getByRole('button', { name: `Refresh ${name}` }).click();
    const column = page.locator(`th[data-environment="${name}"]`);
    await expect(column.locator('.error')).toHaveText(
      `${name}: AccessDenied assuming arn:aws:iam::234567890123:role/DaemonPortal`,
    );
    // The other environments still show what they run, and can still be refreshed.
    await page.getByRole('table', { name: 'Fleet' }).getByRole('button', { name: 'Refresh default' }).click();
    await expect(page.locator('th[data-environment="default"] .error')).toHaveCount(0);
    await expect(page.locator('th[data-environment="default"] .age')).toContainText('ago');

    // Its own pages say why, and the portal around them still works.
    await page.goto(`/e/${name}/daemons`);
    await expect(page.getByRole('alert')).toContainText('credentials could not be obtained (STS answered AccessDenied)');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Daemons' }).click();
    await expect(page.getByRole('table', { name: 'Daemons' })).toBeVisible();
    // The refused environment's page answered with its 5xx status (as it should); nothing else failed.
    const rest = consoleErrors.filter((e) => !/status of 50\d/.test(e));
    consoleErrors.splice(0, consoleErrors.length, ...rest);
  } finally {
    await request.post('/api/admin-delete-environment', { form: { name }, headers: { accept: 'application/json' } });
  }
});
