import { Browser, Page, APIRequestContext } from '@playwright/test';
import { test, expect, hydrated, login, register } from './fixtures';

/** A page in a browser context of its own, signed in as `user`. */
async function as(browser: Browser, baseURL: string, user: string): Promise<Page> {
  const context = await browser.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  await login(page, user);
  return page;
}

/** The suite shares one portal: drop provider policies other specs add on prod, so that
 * prod's own policy (1 approval from platform) applies. */
async function onlyProdPolicy(request: APIRequestContext) {
  for (const provider of ['mi-prod-a', 'mi-prod-b']) {
    const res = await request.post('/api/admin-delete-policy', { form: { cluster: 'prod', capacity_provider: provider } });
    expect(res.status(), await res.text()).toBeLessThan(500);
  }
}

/** Fills the editor's "Add a stage" group and saves; lands on the pipeline's page. */
async function addStage(page: Page, stage: Record<string, string>) {
  const group = page.getByRole('group', { name: 'Add a stage' });
  for (const [label, value] of Object.entries(stage)) {
    await group.getByLabel(label, { exact: true }).fill(value);
  }
  await page.getByRole('button', { name: /^(Create|Save) pipeline$/ }).click();
  await expect(page.getByRole('table', { name: 'Stages' }).locator('tbody tr', { hasText: stage['Stage name'] })).toHaveCount(1);
  await hydrated(page);
}

function stageCard(page: Page, name: string) {
  return page.getByRole('list', { name: 'Stages' }).locator('li.stage-card', { has: page.getByRole('heading', { name }) });
}

test('alice takes revision 2 through canary, general and prod; bob approves prod; another promotion is aborted', async ({ browser, request, baseURL }) => {
  test.setTimeout(600_000);
  await onlyProdPolicy(request);
  const n = Date.now() % 100000;
  const family = `waves-agent-${n}`;
  await register(request, family, 'amazon/cloudwatch-agent:1', 'cwagent');
  await register(request, family, 'amazon/cloudwatch-agent:2', 'cwagent');
  const alice = await as(browser, baseURL!, 'alice');
  const bob = await as(browser, baseURL!, 'bob');

  // alice builds the pipeline in the editor, one stage at a time.
  await alice.goto('/pipelines');
  await expect(alice.getByRole('table', { name: 'Pipelines' })).toContainText('cloudwatch-agent-waves');
  await alice.getByRole('link', { name: 'Create pipeline' }).click();
  await hydrated(alice);
  await alice.getByLabel('Pipeline name').fill(`waves-${n}`);
  const common = { 'Drain percent': '50', 'Soak time (seconds)': '5', Alarms: 'daemon-errors' };
  await addStage(alice, { 'Stage name': 'canary', Cluster: 'default', 'Daemon name': `canary-${n}`, 'Capacity providers': 'mi-canary', ...common });
  await addStage(alice, { 'Stage name': 'general', Cluster: 'default', 'Daemon name': `general-${n}`, 'Capacity providers': 'mi-general', ...common });
  await addStage(alice, { 'Stage name': 'prod', Cluster: 'prod', 'Daemon name': `prod-${n}`, 'Capacity providers': 'mi-prod-a, mi-prod-b', 'Drain percent': '50' });

  // A revision that does not exist is refused next to the field.
  await alice.getByLabel('Revision', { exact: true }).fill(`${family}:9`);
  await alice.getByRole('button', { name: 'Start promotion' }).click();
  await expect(alice.locator('#start-revision-error')).not.toBeEmpty();

  await alice.getByLabel('Revision', { exact: true }).fill(`${family}:2`);
  await alice.getByRole('button', { name: 'Start promotion' }).click();
  await expect(alice).toHaveURL(/\/promotions\/[0-9a-f-]{36}$/);
  const promotion = alice.url();

  // The canary deploys, then soaks watching its alarm; the page follows by itself.
  await expect(stageCard(alice, 'canary').locator('.badge').first()).toHaveText(/Soaking|Succeeded/, { timeout: 240_000 });
  await expect(stageCard(alice, 'canary').getByRole('list', { name: 'Gates of canary' })).toContainText('Soak with no alarm in ALARM');
  // prod waits for an approval from someone else than alice.
  const prodApprovals = stageCard(alice, 'prod').locator('li', { hasText: 'Approvals' });
  await expect(prodApprovals.locator('.badge')).toHaveText('Waiting', { timeout: 300_000 });
  await expect(stageCard(alice, 'general').locator('.badge').first()).toHaveText('Succeeded');

  await bob.goto(promotion);
  await stageCard(bob, 'prod').getByRole('link', { name: 'Change request' }).click();
  await bob.getByRole('button', { name: 'Approve' }).click();
  await expect(bob.locator('.panel [data-state]').first()).not.toHaveText('Pending approval');

  await expect(alice.locator('.page-intro .badge').first()).toHaveText('Succeeded', { timeout: 300_000 });
  for (const name of ['canary', 'general', 'prod']) {
    await expect(stageCard(alice, name).locator('.badge').first()).toHaveText('Succeeded');
  }
  await expect(stageCard(alice, 'prod').getByRole('progressbar')).toHaveAttribute('aria-valuenow', '100');
  await expect(alice.getByRole('table', { name: 'Timeline' })).toContainText('succeeded');

  // Another promotion, aborted during its second stage.
  await alice.goto(`/pipelines/waves-${n}`);
  await hydrated(alice);
  await alice.getByLabel('Revision', { exact: true }).fill(`${family}:1`);
  await alice.getByRole('button', { name: 'Start promotion' }).click();
  await expect(alice).toHaveURL(/\/promotions\//);
  await expect(stageCard(alice, 'general').locator('.badge').first()).toHaveText(/Requesting|Deploying/, { timeout: 240_000 });
  await expect(alice.getByRole('form', { name: 'Abort the promotion' })).toContainText('ECS cannot stop a daemon deployment');
  await alice.getByRole('button', { name: 'Abort promotion' }).click();
  await expect(alice.locator('.page-intro .badge').first()).toHaveText('Aborted');
  await expect(stageCard(alice, 'general').locator('.badge').first()).toHaveText('Aborted');
  await expect(stageCard(alice, 'prod').locator('.badge').first()).toHaveText('Not started');

  // The promotions list groups both, newest first.
  await alice.goto('/pipelines');
  const rows = alice.getByRole('table', { name: 'Promotions' }).locator('tbody tr', { hasText: `waves-${n}` });
  await expect(rows).toHaveCount(2);
  await expect(rows.first()).toContainText('Aborted');
  await expect(rows.nth(1)).toContainText('Succeeded');
});

test('the deploy form previews the blast radius as providers and drain change', async ({ page }) => {
  await page.goto('/daemons/new?cluster=default');
  await hydrated(page);
  await page.getByLabel('mi-general').check();
  const blast = page.getByRole('table', { name: 'Blast radius' });
  await expect(blast.locator('tbody tr')).toHaveCount(1);
  const row = blast.locator('tbody tr').first();
  await expect(row.locator('td').first()).toHaveText('mi-general');
  // Other specs scale the shared emulator's providers: the expectation follows the count shown.
  const instances = Number(await row.locator('td').nth(1).innerText());
  expect(instances).toBeGreaterThan(0);
  const batches = (drain: number) => {
    const per = Math.min(instances, Math.max(1, Math.ceil((instances * drain) / 100)));
    return `${Math.ceil(instances / per)} of ${per} instance${per === 1 ? '' : 's'}`;
  };
  await expect(row.locator('td').nth(2)).toHaveText(batches(25));
  await page.getByLabel('Drain percentage').fill('50');
  await expect(row.locator('td').nth(2)).toHaveText(batches(50));
  await page.getByLabel('mi-canary').check();
  await expect(blast.locator('tbody tr')).toHaveCount(2);
  await expect(page.getByRole('note').filter({ hasText: 'Every instance of these capacity providers will be replaced' })).toBeVisible();
});

test('an admin adds a delivery window; a stage waits for it and the calendar shows both', async ({ page, request, consoleErrors }) => {
  test.setTimeout(300_000);
  const n = Date.now() % 100000;
  const family = `window-agent-${n}`;
  await register(request, family, 'amazon/cloudwatch-agent:1', 'cwagent');
  const save = await request.post('/api/save-pipeline', {
    form: {
      'form[name]': `windowed-${n}`,
      'form[stages][0][name]': 'canary',
      'form[stages][0][cluster]': 'default',
      'form[stages][0][daemon]': `windowed-${n}`,
      'form[stages][0][capacity_providers]': 'mi-canary',
    },
  });
  expect(save.status(), await save.text()).toBeLessThan(400);

  // Daily, an hour long, opening two hours from now (UTC): closed now.
  const hour = (new Date().getUTCHours() + 2) % 24;
  await page.goto('/admin/windows');
  await hydrated(page);
  await page.getByLabel('Effect').selectOption('allow');
  await page.getByLabel('Cluster').fill('default');
  await page.getByLabel('Capacity provider').fill('mi-canary');
  await page.getByLabel('Recurrence (RRULE)').fill('FREQ=DAILY');
  await page.getByLabel('Time zone').fill('Mars/Olympus');
  await page.getByLabel('First start').fill(`2026-01-01T${String(hour).padStart(2, '0')}:00`);
  await page.getByLabel('Duration (minutes)').fill('60');
  await page.getByLabel('Reason').fill(`canary hours ${n}`);
  await page.getByRole('button', { name: 'Add window' }).click();
  await expect(page.locator('#window-time_zone-error')).toContainText('time zone');
  // The refusal was a 422, which the browser logs; nothing else may be.
  const rest = consoleErrors.filter((e) => !/status of 422/.test(e));
  consoleErrors.splice(0, consoleErrors.length, ...rest);
  // What was typed is still there.
  await expect(page.getByLabel('Reason')).toHaveValue(`canary hours ${n}`);
  await page.getByLabel('Time zone').fill('UTC');
  await page.getByRole('button', { name: 'Add window' }).click();
  const row = page.getByRole('table', { name: 'Delivery windows' }).locator('tbody tr', { hasText: `canary hours ${n}` });
  await expect(row).toHaveCount(1);

  await page.goto(`/pipelines/windowed-${n}`);
  await hydrated(page);
  await page.getByLabel('Revision', { exact: true }).fill(`${family}:1`);
  await page.getByRole('button', { name: 'Start promotion' }).click();
  await expect(page).toHaveURL(/\/promotions\//);
  const gate = page.getByRole('list', { name: 'Gates of canary' }).locator('li', { hasText: 'Delivery window' });
  await expect(gate.locator('.badge')).toHaveText('Waiting', { timeout: 60_000 });
  await expect(gate).toContainText(`canary hours ${n}`);

  await page.goto('/calendar');
  await expect(page.getByRole('list', { name: /^Days of / })).toContainText(`canary hours ${n}`);
  await expect(page.getByRole('list', { name: /^Days of / })).toContainText('starts when its window opens');

  // Deleting the window lets the stage start.
  await page.goto('/admin/windows');
  await page.getByRole('button', { name: new RegExp(`^Delete window .*canary hours ${n}`) }).click();
  await expect(page.getByRole('table', { name: 'Delivery windows' }).locator('tbody tr', { hasText: `canary hours ${n}` })).toHaveCount(0);
});
