import { Browser, Page, APIRequestContext } from '@playwright/test';
import { test, expect, hydrated, login, register } from './fixtures';

/** A page in a browser context of its own, signed in as `user`. */
async function as(browser: Browser, baseURL: string, user: string): Promise<Page> {
  const context = await browser.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  await login(page, user);
  return page;
}

/** alice asks for a deployment of `family` on cluster prod; returns the request page URL. */
async function requestProdDeploy(alice: Page, daemon: string, family: string) {
  await alice.goto('/daemons/new?cluster=prod');
  await hydrated(alice);
  await alice.getByLabel('Daemon name').fill(daemon);
  await alice.getByLabel('Daemon task definition family').selectOption(family);
  await alice.getByLabel('mi-prod-a').check();
  await alice.getByLabel('mi-prod-b').check();
  await alice.getByRole('button', { name: 'Deploy' }).click();
  await expect(alice).toHaveURL(/\/approvals\/[0-9a-f]{32}$/);
  await expect(alice.locator('[data-state]').first()).toHaveText('Pending approval');
  return alice.url();
}

/** The suite shares one portal: drop provider policies other specs add on prod (admin.spec
 * adds a 2-approval one for mi-prod-a), so that prod's own policy (1 approval) applies. */
async function onlyProdPolicy(request: APIRequestContext) {
  for (const provider of ['mi-prod-a', 'mi-prod-b']) {
    const res = await request.post('/api/admin-delete-policy', { form: { cluster: 'prod', capacity_provider: provider } });
    expect(res.status(), await res.text()).toBeLessThan(500);
  }
}

async function waitForState(page: Page, label: string, timeout = 180_000) {
  await expect(page.locator('.panel [data-state]').first()).toHaveText(label, { timeout });
}

test('alice requests a prod deploy, bob approves it, the rollout succeeds', async ({ browser, request, baseURL }) => {
  test.setTimeout(300_000);
  await onlyProdPolicy(request);
  await register(request, 'cloudwatch-agent', 'amazon/cloudwatch-agent:latest', 'cwagent');
  const alice = await as(browser, baseURL!, 'alice');
  const bob = await as(browser, baseURL!, 'bob');

  const url = await requestProdDeploy(alice, 'cloudwatch-agent', 'cloudwatch-agent');
  // The request shows what ECS will receive and who may approve.
  await expect(alice.locator('pre.json')).toContainText('"operation": "CreateDaemon"');
  await expect(alice.getByRole('list', { name: 'Policies that apply' })).toContainText('cluster prod: 1 approval from platform');
  // alice cannot approve her own request.
  await expect(alice.getByRole('button', { name: 'Approve' })).toHaveCount(0);
  await expect(alice.locator('.review-refusal')).toContainText('someone else');

  // bob sees it waiting for him, with a count in the navigation.
  await bob.goto('/approvals');
  await expect(bob.locator('.side-nav .nav-count')).toHaveText('1');
  const row = bob.getByRole('table', { name: 'Change requests' }).locator('tbody tr');
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('alice');
  await row.getByRole('link').click();
  await expect(bob).toHaveURL(url);
  await hydrated(bob);
  await bob.getByLabel('Comment').fill('Agent config reviewed <b>ok</b>');
  await bob.getByRole('button', { name: 'Approve' }).click();
  await expect(bob.locator('.panel [data-state]').first()).not.toHaveText('Pending approval');
  await expect(bob.getByRole('table', { name: 'Reviews' })).toContainText('Agent config reviewed <b>ok</b>');

  await waitForState(bob, 'Succeeded');
  await expect(bob.getByRole('progressbar', { name: 'Rollout progress' })).toHaveAttribute('aria-valuenow', '100');
  // The daemon runs on every prod instance.
  await bob.goto('/daemons/prod/cloudwatch-agent');
  const instances = bob.getByRole('table', { name: 'Managed instances' });
  await expect(instances.locator('tbody tr')).toHaveCount(12);
  await expect(instances.locator('tbody tr', { hasText: 'RUNNING' })).toHaveCount(12);

  // The History page shows who asked, who approved, the revisions and the outcome.
  await bob.goto('/history?cluster=prod&daemon=cloudwatch-agent');
  const rollouts = bob.getByRole('table', { name: 'Rollouts' }).locator('tbody tr');
  await expect(rollouts).toHaveCount(1);
  await expect(rollouts.first()).toContainText('alice');
  await expect(rollouts.first()).toContainText('bob');
  await expect(rollouts.first()).toContainText('cloudwatch-agent:1');
  await expect(rollouts.first()).toContainText('SUCCESSFUL');

  // Revision 2 through another approval, then a rollback to revision 1 from the history.
  await register(request, 'cloudwatch-agent', 'amazon/cloudwatch-agent:2', 'cwagent');
  await alice.goto('/daemons/prod/cloudwatch-agent/update');
  await hydrated(alice);
  await alice.getByLabel('Revision').selectOption('2');
  await alice.getByRole('button', { name: 'Deploy' }).click();
  await expect(alice).toHaveURL(/\/approvals\/[0-9a-f]{32}$/);
  await bob.goto(alice.url());
  await hydrated(bob);
  await bob.getByRole('button', { name: 'Approve' }).click();
  await waitForState(bob, 'Succeeded');

  await alice.goto('/history?cluster=prod&daemon=cloudwatch-agent');
  const aliceRollouts = alice.getByRole('table', { name: 'Rollouts' }).locator('tbody tr');
  await expect(aliceRollouts).toHaveCount(2);
  await expect(aliceRollouts.first()).toContainText('cloudwatch-agent:1 → cloudwatch-agent:2');
  await aliceRollouts.nth(1).getByRole('link', { name: 'Roll back to this revision' }).click();
  await expect(alice).toHaveURL(/\/update\?revision=1&rollback=1$/);
  await hydrated(alice);
  await expect(alice.getByLabel('Revision')).toHaveValue('1');
  await alice.getByRole('button', { name: 'Deploy' }).click();
  await expect(alice).toHaveURL(/\/approvals\/[0-9a-f]{32}$/);
  await expect(alice.locator('.kv')).toContainText('Roll back');
  await bob.goto(alice.url());
  await hydrated(bob);
  await bob.getByRole('button', { name: 'Approve' }).click();
  await waitForState(bob, 'Succeeded');
  await bob.goto('/daemons/prod/cloudwatch-agent');
  await expect(instances.locator('tbody tr', { hasText: 'cloudwatch-agent:1' })).toHaveCount(12, { timeout: 30_000 });
  await alice.context().close();
  await bob.context().close();
});

test('bob rejects a request with a comment and nothing is deployed', async ({ browser, request, baseURL }) => {
  await onlyProdPolicy(request);
  await register(request, 'reject-agent', 'example/reject-agent:1', 'cwagent');
  const alice = await as(browser, baseURL!, 'alice');
  const bob = await as(browser, baseURL!, 'bob');
  const url = await requestProdDeploy(alice, 'reject-agent', 'reject-agent');
  await bob.goto(url);
  await hydrated(bob);
  // A rejection needs a comment: the message shows next to the field.
  await bob.getByRole('button', { name: 'Reject' }).click();
  await expect(bob.locator('#review-comment-error')).toContainText('needs a comment');
  await bob.getByLabel('Comment').fill('Wrong image tag for prod');
  await bob.getByRole('button', { name: 'Reject' }).click();
  await waitForState(bob, 'Rejected', 15_000);
  await alice.reload();
  await expect(alice.getByRole('table', { name: 'Reviews' })).toContainText('Wrong image tag for prod');
  const res = await request.post('/api/get-daemon', { form: { cluster: 'prod', name: 'reject-agent' } });
  expect(res.status()).toBe(404);
  await alice.context().close();
  await bob.context().close();
});

test('an approval of a request edited since the approver opened it is refused', async ({ browser, request, baseURL }) => {
  await onlyProdPolicy(request);
  await register(request, 'stale-agent', 'example/stale-agent:1', 'cwagent');
  await register(request, 'stale-agent', 'example/stale-agent:2', 'cwagent');
  const alice = await as(browser, baseURL!, 'alice');
  const bob = await as(browser, baseURL!, 'bob');
  const url = await requestProdDeploy(alice, 'stale-agent', 'stale-agent');

  // bob opens version 1 (the latest revision, 2) and reads it.
  await bob.goto(url);
  await hydrated(bob);
  await expect(bob.locator('.request-version')).toHaveText('1');
  await expect(bob.locator('.kv')).toContainText('stale-agent:2');

  // Meanwhile alice, in her own browser, switches the request to revision 1.
  await hydrated(alice);
  await alice.getByLabel('Revision').fill('1');
  await alice.getByRole('button', { name: 'Save changes' }).click();
  await expect(alice.locator('.request-version')).toHaveText('2');

  // bob approves what he saw: refused, with a message saying why, and nothing counted.
  await bob.getByLabel('Comment').fill('revision 2 looks fine');
  await bob.getByRole('button', { name: 'Approve' }).click();
  const alert = bob.locator('.review-form [role=alert]');
  await expect(alert).toContainText('The request changed since you opened it');
  await expect(alert).toContainText('review version 2');
  await expect(bob.locator('.panel [data-state]').first()).toHaveText('Pending approval');
  // The page now shows the new version; bob's approval was not recorded.
  await expect(bob.locator('.request-version')).toHaveText('2');
  await expect(bob.locator('.kv')).toContainText('stale-agent:1');
  await expect(bob.getByText('No reviews yet.')).toBeVisible();
  const res = await request.post('/api/get-change-request', { form: { id: url.split('/').pop()! } });
  const detail = await res.json();
  expect(detail.row.state).toBe('pending');
  expect(detail.row.approvals).toBe(0);
  expect(detail.reviews).toEqual([]);
  await alice.context().close();
  await bob.context().close();
});
