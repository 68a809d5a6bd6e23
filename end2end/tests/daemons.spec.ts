import { Page } from '@playwright/test';
import { test, expect, hydrated, register } from './fixtures';

async function waitForDeployment(page: Page, status: RegExp) {
  const deployment = page.locator('.panel.deployment');
  await expect(deployment.locator('.badge').first()).toHaveText(status, { timeout: 90_000 });
}

test('create a daemon, verify it on every instance, update it to revision 2', async ({ page, request }) => {
  test.setTimeout(240_000);
  await register(request, 'e2e-agent', 'example/e2e-agent:1');

  await page.goto('/daemons?cluster=default');
  await page.getByRole('button', { name: 'Create daemon' }).click();
  await expect(page).toHaveURL(/\/daemons\/new/);
  await hydrated(page);
  await page.getByLabel('Daemon name').fill('e2e-agent');
  await page.getByLabel('Daemon task definition family').selectOption('e2e-agent');
  await page.getByLabel('mi-general').check();
  await page.getByLabel('mi-canary').check();
  await expect(page.getByLabel('Drain percentage')).toHaveValue('25');
  await expect(page.getByLabel('Bake time (minutes)')).toHaveValue('0');
  // The resource guard shows what the daemons reserve on each chosen provider.
  await expect(page.getByRole('table', { name: 'Reserved per instance after this deployment' })).toContainText('mi-canary');
  await page.getByRole('button', { name: 'Deploy' }).click();

  await expect(page).toHaveURL(/\/daemons\/default\/e2e-agent$/);
  const progress = page.getByRole('progressbar', { name: 'Deployment progress' });
  await expect(progress).toHaveAttribute('aria-valuenow', '100', { timeout: 90_000 });
  await waitForDeployment(page, /^SUCCESSFUL$/);
  const instances = page.getByRole('table', { name: 'Managed instances' });
  await expect(instances.locator('tbody tr')).toHaveCount(5);
  for (const row of await instances.locator('tbody tr').all()) {
    await expect(row).toContainText('RUNNING');
    await expect(row).toContainText('e2e-agent:1');
  }

  // The cluster's instance view: pick an instance, see its daemon and application tasks.
  await page.goto('/clusters/default');
  await page.getByRole('link', { name: 'Managed instances' }).click();
  await page.getByRole('table', { name: 'Managed instances' }).locator('tbody tr a').first().click();
  const daemonTasks = page.getByRole('table', { name: 'daemon tasks' });
  await expect(daemonTasks).toContainText('e2e-agent');
  await expect(daemonTasks).toContainText('RUNNING');
  await expect(page.getByRole('table', { name: 'application tasks' }).locator('tbody tr').first()).toContainText('RUNNING');

  // Revision 2, then Update.
  await register(request, 'e2e-agent', 'example/e2e-agent:2');
  await page.goto('/daemons/default/e2e-agent');
  await page.getByRole('button', { name: 'Update' }).click();
  await expect(page).toHaveURL(/\/daemons\/default\/e2e-agent\/update\??$/);
  await hydrated(page);
  await page.getByLabel('Revision').selectOption('2');
  await page.getByRole('button', { name: 'Deploy' }).click();
  await expect(page).toHaveURL(/\/daemons\/default\/e2e-agent$/);
  await expect(page.locator('.panel.deployment')).toContainText('e2e-agent:2');
  await expect(progress).toHaveAttribute('aria-valuenow', '100', { timeout: 120_000 });
  await waitForDeployment(page, /^SUCCESSFUL$/);
  for (const row of await instances.locator('tbody tr').all()) {
    await expect(row).toContainText('e2e-agent:2');
  }
});

// Issue 11, reproduction 2: at the emulator's default speed (the portal of the
// `default-speed` project), the page opened right after Update shows the new deployment running
// and follows it to its end by itself (no reload). Drain 100% and no bake keep a rollout of the
// 5 instances to a few seconds.
test('after Update the daemon page shows the new deployment and follows it to SUCCESSFUL', { tag: '@default-speed' }, async ({ page, request }) => {
  test.setTimeout(60_000);
  // A name of its own, so that the test can be repeated against the same portal.
  const name = `e2e-live-${Date.now().toString(36).slice(-5)}`;
  await register(request, name, 'example/live:1');
  const created = await request.post('/api/deploy-daemon', {
    form: {
      'form[cluster]': 'default',
      'form[daemon_name]': name,
      'form[family]': name,
      'form[capacity_providers][0]': 'mi-general',
      'form[capacity_providers][1]': 'mi-canary',
      'form[drain_percent]': '100',
      'form[bake_time]': '0',
      'form[critical]': 'on',
    },
  });
  expect(created.status(), await created.text()).toBe(200);
  await page.goto(`/daemons/default/${name}`);
  await waitForDeployment(page, /^SUCCESSFUL$/);
  await register(request, name, 'example/live:2');

  await page.getByRole('button', { name: 'Update' }).click();
  await expect(page).toHaveURL(new RegExp(`/daemons/default/${name}/update\\??$`));
  await hydrated(page);
  await page.getByLabel('Revision').selectOption('2');
  await page.getByLabel('Drain percentage').fill('100');
  await expect(page.getByLabel('Bake time (minutes)')).toHaveValue('0');
  await page.getByRole('button', { name: 'Deploy' }).click();

  await expect(page).toHaveURL(new RegExp(`/daemons/default/${name}$`));
  // Marks this document: a reload would lose it, so the end below is the island's own polling.
  await page.evaluate(() => ((window as unknown as { stillHere: boolean }).stillHere = true));
  const deployment = page.locator('.panel.deployment');
  await expect(deployment.locator('.badge').first()).toHaveText(/^(PENDING|IN PROGRESS)$/, { timeout: 5_000 });
  await expect(deployment).toContainText(`${name}:2`);

  await waitForDeployment(page, /^SUCCESSFUL$/);
  await expect(page.getByRole('progressbar', { name: 'Deployment progress' })).toHaveAttribute('aria-valuenow', '100');
  await expect(deployment).toContainText(`${name}:2`);
  const rows = page.getByRole('table', { name: 'Managed instances' }).locator('tbody tr');
  await expect(rows).toHaveCount(5);
  for (const row of await rows.all()) {
    await expect(row).toContainText(`${name}:2`);
  }
  expect(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);
});

test('an alarm rolls a deployment back and the page says why', async ({ page, request }) => {
  test.setTimeout(240_000);
  await register(request, 'e2e-alarmed', 'example/alarmed:1');
  const created = await request.post('/api/deploy-daemon', {
    form: {
      'form[cluster]': 'default',
      'form[daemon_name]': 'e2e-alarmed',
      'form[family]': 'e2e-alarmed',
      'form[capacity_providers][0]': 'mi-general',
      'form[drain_percent]': '25',
      'form[critical]': 'on',
    },
  });
  expect(created.status(), await created.text()).toBe(200);
  await page.goto('/daemons/default/e2e-alarmed');
  await waitForDeployment(page, /^SUCCESSFUL$/);

  await register(request, 'e2e-alarmed', 'example/alarmed:2');
  await page.getByRole('button', { name: 'Update' }).click();
  await hydrated(page);
  await page.getByLabel('Revision').selectOption('2');
  await page.getByLabel('daemon-errors').check();
  await page.getByLabel('Roll back on alarm').check();
  await page.getByLabel('Bake time (minutes)').fill('10');
  await page.getByRole('button', { name: 'Deploy' }).click();
  await expect(page).toHaveURL(/\/daemons\/default\/e2e-alarmed$/);
  await expect(page.locator('.panel.deployment')).toContainText('e2e-alarmed:2');

  const alarm = await request.post('/_sim/alarms/daemon-errors', { data: { state: 'ALARM' } });
  expect(alarm.status(), await alarm.text()).toBe(200);
  await waitForDeployment(page, /ROLLBACK SUCCESSFUL/);
  await expect(page.locator('.panel.deployment .reason')).toContainText('daemon-errors');
  const reset = await request.post('/_sim/alarms/daemon-errors', { data: { state: 'OK' } });
  expect(reset.status()).toBe(200);
});

test('the deploy form validates next to the field', async ({ page }) => {
  await page.goto('/daemons/new?cluster=default');
  await hydrated(page);
  const drain = page.getByLabel('Drain percentage');
  await drain.fill('101');
  await expect(page.locator('#deploy-drain-error')).toContainText('from 1 to 100');
  await expect(drain).toHaveAttribute('aria-invalid', 'true');
  await page.getByLabel('Daemon name').fill('bad name!');
  await expect(page.locator('#deploy-name-error')).toContainText('letters, digits');
  await page.getByRole('button', { name: 'Deploy' }).click();
  await expect(page.locator('#deploy-providers-error')).toContainText('Choose at least one capacity provider');
  await expect(page).toHaveURL(/\/daemons\/new/);
});

test('choosing another cluster offers that cluster\'s capacity providers', async ({ page }) => {
  await page.goto('/daemons/new?cluster=default');
  await hydrated(page);
  await page.getByLabel('mi-general').check();
  await page.getByLabel('Cluster', { exact: true }).selectOption('prod');
  await expect(page.getByLabel('mi-prod-a')).toBeVisible();
  await expect(page.getByLabel('mi-prod-b')).not.toBeChecked();
  await expect(page.getByLabel('mi-general')).toHaveCount(0);
  // The resource guard follows the new cluster's providers.
  await page.getByLabel('mi-prod-b').check();
  const guard = page.getByRole('table', { name: 'Reserved per instance after this deployment' });
  await expect(guard).toContainText('mi-prod-b');
  await expect(guard).toContainText('of 8 vCPU');
  // Back on default, the earlier choice is cleared: providers belong to one cluster.
  await page.getByLabel('Cluster', { exact: true }).selectOption('default');
  await expect(page.getByLabel('mi-general')).not.toBeChecked();
  await expect(guard).toHaveCount(0);
});

test('what is typed before the form hydrates is kept, and the form checks it', async ({ page }) => {
  // Hold the wasm back, so the typing certainly happens before the island hydrates.
  await page.route('**/pkg/*.wasm', async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await route.continue();
  });
  await page.goto('/daemons/new?cluster=default');
  await page.getByLabel('Daemon name').fill('typed early!');
  await expect(page.locator('.console')).toHaveAttribute('data-hydrated', 'false');
  await hydrated(page);
  await expect(page.getByLabel('Daemon name')).toHaveValue('typed early!');
  // The island has the typed value too: its own check flags the bad character.
  await expect(page.locator('#deploy-name-error')).toContainText('letters, digits');
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the deploy form works as a plain HTML form', async ({ page, request }) => {
    test.setTimeout(120_000);
    await register(request, 'e2e-nojs', 'example/nojs:1');
    await page.goto('/daemons/new?cluster=default&family=e2e-nojs');
    await page.getByLabel('Daemon name').fill('e2e-nojs');
    await expect(page.getByLabel('Daemon task definition family')).toHaveValue('e2e-nojs');
    await page.getByLabel('mi-canary').check();
    await page.getByRole('button', { name: 'Deploy' }).click();
    await expect(page).toHaveURL(/\/daemons\/default\/e2e-nojs$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('e2e-nojs');
    await expect(page.locator('.panel.deployment')).toContainText('e2e-nojs:1');

    // A bad value comes back next to the field, not as raw JSON.
    await page.goto('/daemons/new?cluster=default&family=e2e-nojs');
    await page.getByLabel('Daemon name').fill('e2e-nojs-2');
    await page.getByLabel('mi-canary').check();
    await page.getByLabel('Drain percentage').fill('101');
    await page.getByRole('button', { name: 'Deploy' }).click();
    await expect(page).toHaveURL(/\/daemons\/new/);
    await expect(page.locator('#deploy-drain-error')).toContainText('from 1 to 100');
  });
});
