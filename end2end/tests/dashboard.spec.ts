import { Browser, Page, APIRequestContext } from '@playwright/test';
import { test, expect, login, register } from './fixtures';

// The home dashboard (issue 17). The suite shares one portal with the other specs, so each
// figure is read before and after this test makes its data, and the difference checked.

async function deploy(
  request: APIRequestContext,
  origin: string,
  cluster: string,
  name: string,
  family: string,
  providers: string[],
  extra: Record<string, string> = {},
) {
  const form: Record<string, string> = {
    'form[cluster]': cluster,
    'form[daemon_name]': name,
    'form[family]': family,
    'form[drain_percent]': '25',
    'form[bake_time]': '0',
    'form[propagate_tags]': 'NONE',
    ...extra,
  };
  providers.forEach((p, i) => (form[`form[capacity_providers][${i}]`] = p));
  const res = await request.post('/api/deploy-daemon', { form, headers: { accept: 'application/json', origin } });
  expect(res.status(), await res.text()).toBe(200);
  return (await res.json()).request;
}

async function as(browser: Browser, baseURL: string, user: string): Promise<Page> {
  const context = await browser.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  await login(page, user);
  return page;
}

/** Every figure of the dashboard `page` shows, by its `data-count` name. */
async function figures(page: Page): Promise<Record<string, number>> {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
  const cards = page.getByRole('region', { name: 'What needs attention' }).getByRole('link');
  await expect(cards).toHaveCount(6);
  const out: Record<string, number> = {};
  for (const card of await cards.all()) {
    out[(await card.getAttribute('data-count'))!] = Number(await card.locator('.count').textContent());
  }
  return out;
}

test('the dashboard counts what needs attention and links to it', async ({ page, browser, baseURL, request }) => {
  test.setTimeout(400_000);
  const alice = await as(browser, baseURL!, 'alice');
  const bob = await as(browser, baseURL!, 'bob');
  const [aliceBefore, bobBefore] = [await figures(alice), await figures(bob)];

  // alice asks for a prod deploy (approvers: team platform, so bob).
  await register(request, 'dash-agent', 'example/dash-agent:1');
  const aliceApi = alice.context().request;
  const pending = await deploy(aliceApi, baseURL!, 'prod', 'dash-agent', 'dash-agent', ['mi-prod-a', 'mi-prod-b']);
  expect(pending.state).toBe('pending');
  const aliceAfter = await figures(alice);
  expect(aliceAfter['my-open-requests']).toBe(aliceBefore['my-open-requests'] + 1);
  expect(aliceAfter['waiting-for-me']).toBe(aliceBefore['waiting-for-me']);
  const bobAfter = await figures(bob);
  expect(bobAfter['waiting-for-me']).toBe(bobBefore['waiting-for-me'] + 1);

  // bob follows the link to his inbox, where the request is.
  await bob.getByRole('link', { name: /Waiting for my approval/ }).click();
  await expect(bob).toHaveURL(/\/approvals\?inbox=waiting$/);
  await expect(bob.getByRole('table', { name: 'Change requests' })).toContainText('dash-agent');

  // The admin deploys on cluster default, which runs at once: it is in progress, with a bar.
  await register(request, 'dash-fresh', 'example/dash-fresh:1');
  await deploy(request, baseURL!, 'default', 'dash-fresh', 'dash-fresh', ['mi-general', 'mi-canary']);
  const during = await figures(page);
  expect(during['rollouts-in-progress']).toBeGreaterThanOrEqual(1);
  const running = page.locator('#in-progress li', { hasText: 'default/dash-fresh' });
  await expect(running.getByRole('progressbar', { name: 'Rollout of default/dash-fresh' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Rollouts' }).locator('tbody tr').first()).toContainText(
    'default/dash-fresh',
  );

  // It ends; the page, reloading itself while something runs, shows it no longer running.
  await expect(page.locator('#in-progress li', { hasText: 'default/dash-fresh' })).toHaveCount(0, {
    timeout: 150_000,
  });
  // Every instance of its providers runs it: it is not among the daemons missing somewhere.
  await expect(page.locator('#missing-daemons')).not.toContainText('dash-fresh');
  expect((await figures(page))['rollouts-in-progress']).toBeLessThan(during['rollouts-in-progress']);

  // One of its tasks stops: one instance without it, named in the list.
  const before = await figures(page);
  const daemon = await (await request.post('/api/get-daemon', { form: { cluster: 'default', name: 'dash-fresh' } })).json();
  const stop = await request.post('/_sim/tasks/stop', {
    data: { cluster: 'default', containerInstance: daemon.instances[0].arn, daemonName: 'dash-fresh' },
  });
  expect(stop.status(), await stop.text()).toBe(200);
  // (Other specs' daemons share the portal, so the figure is compared, the row named.)
  await expect
    .poll(async () => (await figures(page))['without-daemon'], { timeout: 30_000 })
    .toBeGreaterThan(before['without-daemon']);
  await expect(page.locator('#missing-daemons tr', { hasText: 'default/dash-fresh' })).toContainText('1');

  // An update that its alarm rolls back counts among the failures and rollbacks.
  await register(request, 'dash-fresh', 'example/dash-fresh:1');
  await deploy(request, baseURL!, 'default', 'dash-fresh', 'dash-fresh', ['mi-general', 'mi-canary'], {
    'form[daemon_arn]': daemon.arn,
    'form[revision]': '2',
    'form[alarms][0]': 'daemon-errors',
    'form[rollback_on_alarm]': 'on',
    'form[bake_time]': '10',
  });
  const alarm = await request.post('/_sim/alarms/daemon-errors', { data: { state: 'ALARM' } });
  expect(alarm.status(), await alarm.text()).toBe(200);
  try {
    await expect
      .poll(async () => (await figures(page))['failures'], { timeout: 150_000, intervals: [1000, 2000] })
      .toBeGreaterThan(before['failures']);
  } finally {
    await request.post('/_sim/alarms/daemon-errors', { data: { state: 'OK' } });
  }
  await expect(
    page.getByRole('table', { name: 'Rollouts' }).locator('tbody tr', { hasText: 'default/dash-fresh' }).first(),
  ).toContainText('ROLLBACK SUCCESSFUL');

  await alice.context().close();
  await bob.context().close();
});
