import AxeBuilder from '@axe-core/playwright';
import type { Result } from 'axe-core';
import { APIRequestContext, Browser, BrowserContext, Page, PlaywrightWorkerArgs } from '@playwright/test';
import { test, expect, hydrated, apiLogin, register, ANONYMOUS } from './fixtures';

// Issue 16, "accessibility checked": axe-core on every page of the portal, with data in it,
// as the users who see it, in light and dark, and with forms showing their validation errors.
// No violation of impact serious or critical of WCAG 2.0/2.1 A and AA may remain.
//
// To check a new page, add a line to PAGES below (a path, or a function of the seeded data;
// the user it is seen as; what to do on it before the check).

const FAMILY = 'a11y-cloudwatch-agent';
const DAEMON = 'a11y-cloudwatch-agent';
const PROD = 'a11y-prod-log-router';
const PIPELINE = 'a11y-waves';

type Playwright = PlaywrightWorkerArgs['playwright'];

/** What `seed` made, for the paths that name it. */
type Seeded = { requestId: string; promotionId: string; instance: string };
type User = 'admin' | 'alice' | 'bob' | 'anonymous';

type Visit = {
  /** The page's address; a function when it names seeded data (then `name` says which page). */
  path: string | ((d: Seeded) => string);
  name?: string;
  /** Who looks at it (default admin, who sees every page). */
  as?: User;
  /** What the check is of, when the path alone does not say (a form's errors, a dialog). */
  state?: string;
  /** Brings the page to that state before the check (clicks are fine here). */
  act?: (page: Page) => Promise<void>;
  /** HTTP status the page answers (default 200). */
  status?: number;
};

/** Submits a form and waits for the field errors the server or the browser's check shows. */
async function submitAndSee(page: Page, button: string, error: string) {
  await page.getByRole('button', { name: button, exact: true }).click();
  await expect(page.locator(error)).not.toBeEmpty();
}

const PAGES: Visit[] = [
  // Dashboard and inventory.
  { path: '/' },
  { path: '/fleet' },
  { path: `/fleet/compare?family=${FAMILY}` },
  { path: `/fleet/copy?family=${FAMILY}&revision=2&to=staging` },
  { path: '/clusters' },
  { path: '/clusters/default' },
  { path: '/clusters/default?tab=instances' },
  { path: '/clusters/default?tab=providers' },
  { path: (d) => d.instance, name: "an instance's page" },
  // Daemons.
  { path: '/daemons' },
  { path: '/daemons?cluster=prod' },
  { path: `/daemons/default/${DAEMON}` },
  {
    path: `/daemons/default/${DAEMON}`,
    state: 'the delete confirmation open',
    act: async (page) => {
      await page.getByRole('button', { name: 'Delete', exact: true }).click();
      await expect(page.getByRole('dialog')).toBeVisible();
    },
  },
  { path: '/daemons/new?cluster=default' },
  {
    path: '/daemons/new?cluster=default',
    state: 'with validation errors',
    act: async (page) => {
      await page.getByLabel('Daemon name').fill('bad name!');
      await page.getByLabel('Drain percentage').fill('101');
      await submitAndSee(page, 'Deploy', '#deploy-providers-error');
      await expect(page.locator('#deploy-name-error')).not.toBeEmpty();
    },
  },
  { path: `/daemons/default/${DAEMON}/update` },
  // Daemon task definitions.
  { path: '/task-definitions' },
  { path: '/task-definitions/new' },
  {
    path: '/task-definitions/new',
    state: 'with validation errors',
    act: async (page) => {
      await page.getByLabel('Daemon task definition family').fill('bad family!');
      await page.getByRole('button', { name: 'Create', exact: true }).click();
      await expect(page.getByRole('alert')).toContainText('highlighted field');
    },
  },
  {
    path: '/task-definitions/new',
    state: 'the JSON view',
    act: async (page) => {
      await page.getByRole('tab', { name: 'JSON' }).click();
      await expect(page.getByLabel('Definition JSON')).toBeVisible();
    },
  },
  { path: `/task-definitions/${FAMILY}/1` },
  { path: `/task-definitions/${FAMILY}/2?compare=1` },
  { path: `/task-definitions/${FAMILY}/2/new-revision` },
  // Change requests: the list, a request as its approver (with the review form, and its
  // error), as its requester (with the edit form).
  { path: '/approvals' },
  { path: '/approvals?inbox=mine' },
  { path: '/approvals?inbox=all' },
  { path: '/approvals', as: 'bob' },
  { path: (d) => `/approvals/${d.requestId}`, name: 'a change request' },
  { path: (d) => `/approvals/${d.requestId}`, name: 'a change request', as: 'alice' },
  { path: (d) => `/approvals/${d.requestId}`, name: 'a change request', as: 'bob' },
  {
    path: (d) => `/approvals/${d.requestId}`,
    name: 'a change request',
    as: 'bob',
    state: 'a rejection without a comment',
    act: async (page) => submitAndSee(page, 'Reject', '#review-comment-error'),
  },
  // History and audit.
  { path: '/history' },
  { path: '/delivery' },
  { path: '/delivery?period=7&cluster=prod', state: 'filtered' },
  { path: '/delivery?period=14', state: 'with a validation error', status: 422 },
  { path: `/history?cluster=default&daemon=${DAEMON}` },
  { path: '/audit' },
  // Promotions.
  { path: '/pipelines' },
  { path: '/pipelines/new' },
  { path: '/pipelines/cloudwatch-agent-waves' },
  { path: `/pipelines/${PIPELINE}` },
  {
    path: `/pipelines/${PIPELINE}`,
    state: 'a revision that does not exist',
    act: async (page) => {
      await page.getByLabel('Revision', { exact: true }).fill(`${FAMILY}:99`);
      await submitAndSee(page, 'Start promotion', '#start-revision-error');
    },
  },
  { path: (d) => `/promotions/${d.promotionId}`, name: 'a promotion' },
  { path: '/calendar' },
  // Administration.
  { path: '/admin' },
  { path: '/admin/teams' },
  { path: '/admin/policies' },
  { path: '/admin/freezes' },
  { path: '/admin/windows' },
  { path: '/admin/roles' },
  { path: '/admin/environments' },
  {
    path: '/admin/environments',
    state: 'with validation errors',
    act: async (page) => {
      await page.getByLabel('Account ID').fill('2345');
      await submitAndSee(page, 'Add environment', '#env-account-error');
    },
  },
  { path: '/account/tokens' },
  { path: '/account/tokens', as: 'alice' },
  // Another environment's pages.
  { path: '/e/staging/daemons' },
  { path: '/e/staging/clusters' },
  { path: '/e/staging/task-definitions' },
  // A page that does not exist.
  { path: '/no-such-page', status: 404 },
  // Signed out.
  { path: '/login', as: 'anonymous' },
  {
    path: '/login',
    as: 'anonymous',
    state: 'a wrong password',
    act: async (page) => {
      await page.getByLabel('Username').fill('alice');
      await page.getByLabel('Password').fill('not-her-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page.getByRole('alert')).toHaveText('Wrong username or password.');
    },
  },
];

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** The violations that fail the check, one readable block each. */
function report(violations: Result[]): string[] {
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => {
      const nodes = v.nodes.slice(0, 10).map((n) => {
        // The first check's message says what is wrong (a contrast ratio, a missing name).
        const why = [...n.any, ...n.all, ...n.none][0]?.message;
        return `    ${n.target.join(' ')}${why ? `\n      ${why}` : ''}`;
      });
      const more = v.nodes.length > 10 ? [`    … and ${v.nodes.length - 10} more`] : [];
      return [`${v.id} (${v.impact}): ${v.help}`, ...nodes, ...more, `    ${v.helpUrl}`].join('\n');
    });
}

// ---- Seed: a daemon, two revisions, a rollout, a request waiting on prod, a promotion. ----

type Daemon = { arn: string; deployment?: { status: string } | null; request_in_flight?: string | null };

async function getDaemon(request: APIRequestContext, cluster: string, name: string): Promise<Daemon | null> {
  const res = await request.post('/api/get-daemon', { form: { cluster, name } });
  return res.status() === 200 ? ((await res.json()) as Daemon) : null;
}

async function settled(request: APIRequestContext, cluster: string, name: string) {
  await expect
    .poll(
      async () => {
        const d = await getDaemon(request, cluster, name);
        return d && !d.request_in_flight ? d.deployment?.status : undefined;
      },
      { timeout: 120_000, intervals: [500, 1000] },
    )
    .toBe('SUCCESSFUL');
}

async function deploy(request: APIRequestContext, form: Record<string, string>) {
  const res = await request.post('/api/deploy-daemon', {
    form: { 'form[drain_percent]': '100', 'form[bake_time]': '0', ...form },
  });
  expect(res.status(), await res.text()).toBe(200);
  return (await res.json()) as { request: { id: string } };
}

async function apiAs(playwright: Playwright, baseURL: string, user: string) {
  const request = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { origin: baseURL } });
  await apiLogin(request, user);
  return request;
}

/** Idempotent: a worker restarted after a failure finds what the first one made. */
async function seed(admin: APIRequestContext, alice: APIRequestContext, browser: Browser, baseURL: string): Promise<Seeded> {
  if (!(await getDaemon(admin, 'default', DAEMON))) {
    await register(admin, FAMILY, 'public.ecr.aws/cloudwatch-agent/cloudwatch-agent:1.300049.1b929');
    await register(admin, FAMILY, 'public.ecr.aws/cloudwatch-agent/cloudwatch-agent:1.300050.0b1024');
    await deploy(admin, {
      'form[cluster]': 'default',
      'form[daemon_name]': DAEMON,
      'form[family]': FAMILY,
      'form[revision]': '1',
      // Not mi-canary: its one small instance has room for few daemons, and other specs need it.
      'form[capacity_providers][0]': 'mi-general',
      'form[alarms][0]': 'daemon-errors',
    });
    await settled(admin, 'default', DAEMON);
  }

  // alice's request on prod, waiting for an approver.
  const list = await admin.post('/api/list-change-requests', {
    form: { 'filter[inbox]': 'all', 'filter[state]': 'pending', 'filter[cluster]': 'prod', 'filter[after]': '' },
  });
  expect(list.status(), await list.text()).toBe(200);
  const pending = ((await list.json()) as { rows: { id: string; daemon: string }[] }).rows.find((r) => r.daemon === PROD);
  let requestId = pending?.id;
  if (!requestId) {
    await register(admin, PROD, 'public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.2.20240516', 'log-router');
    const submitted = await deploy(alice, {
      'form[cluster]': 'prod',
      'form[daemon_name]': PROD,
      'form[family]': PROD,
      'form[capacity_providers][0]': 'mi-prod-a',
      'form[capacity_providers][1]': 'mi-prod-b',
      'form[alarms][0]': 'daemon-errors',
      'form[alarms][1]': 'app-5xx',
    });
    requestId = submitted.request.id;
  }

  // A one-stage pipeline that takes the daemon to revision 2, and a promotion of it.
  const promotions = await admin.post('/api/list-promotions', { form: { pipeline: PIPELINE } });
  let promotionId = promotions.status() === 200 ? ((await promotions.json()) as { id: string }[])[0]?.id : undefined;
  if (!promotionId) {
    const save = await admin.post('/api/save-pipeline', {
      form: {
        'form[name]': PIPELINE,
        'form[stages][0][name]': 'general',
        'form[stages][0][cluster]': 'default',
        'form[stages][0][daemon]': DAEMON,
        'form[stages][0][capacity_providers]': 'mi-general',
        'form[stages][0][drain_percent]': '100',
        'form[stages][0][alarms]': 'daemon-errors',
      },
    });
    expect(save.status(), await save.text()).toBeLessThan(400);
    const start = await admin.post('/api/start-promotion', {
      form: { pipeline: PIPELINE, revision: `${FAMILY}:2` },
    });
    expect(start.status(), await start.text()).toBe(200);
    promotionId = ((await start.json()) as string).split('/').pop()!;
  }

  // One instance's page: its address is in the cluster's instance list.
  const context = await browser.newContext({ baseURL, storageState: await admin.storageState() });
  const page = await context.newPage();
  await page.goto('/clusters/default?tab=instances');
  const instance = await page.getByRole('table', { name: 'Managed instances' }).locator('tbody tr a').first().getAttribute('href');
  await context.close();
  expect(instance).toBeTruthy();
  return { requestId, promotionId, instance: instance! };
}

// ---- The check ----

let seeded: Seeded;
const states: Partial<Record<User, Awaited<ReturnType<APIRequestContext['storageState']>>>> = { anonymous: ANONYMOUS };
const apis: APIRequestContext[] = [];

test.beforeAll(async ({ playwright, browser }, workerInfo) => {
  test.setTimeout(240_000);
  const baseURL = workerInfo.project.use.baseURL!;
  for (const user of ['admin', 'alice', 'bob'] as const) {
    const api = await apiAs(playwright, baseURL, user);
    apis.push(api);
    states[user] = await api.storageState();
  }
  seeded = await seed(apis[0], apis[1], browser, baseURL);
});

test.afterAll(async () => {
  // The request must not stay waiting: other specs count bob's inbox. alice withdraws it.
  if (seeded?.requestId) {
    const res = await apis[1].post('/api/cancel-change-request', { form: { id: seeded.requestId } });
    expect(res.status(), await res.text()).toBeLessThan(400);
  }
  // The daemon goes too, leaving its capacity providers' room to the other specs.
  if (seeded) {
    const res = await apis[0].post('/api/delete-daemon', { form: { cluster: 'default', name: DAEMON } });
    expect(res.status(), await res.text()).toBeLessThan(500);
  }
  await Promise.all(apis.map((a) => a.dispose()));
});

async function openAs(browser: Browser, baseURL: string, user: User, colorScheme: 'light' | 'dark'): Promise<BrowserContext> {
  return browser.newContext({ baseURL, storageState: states[user], colorScheme, viewport: { width: 1280, height: 900 } });
}

for (const colorScheme of ['light', 'dark'] as const) {
  test.describe(`axe, ${colorScheme}`, () => {
    for (const visit of PAGES) {
      const user = visit.as ?? 'admin';
      const label = visit.name ?? (typeof visit.path === 'string' ? visit.path : 'a seeded page');
      const name = `${label} as ${user}${visit.state ? `, ${visit.state}` : ''}`;
      test(name, async ({ browser, baseURL }) => {
        const context = await openAs(browser, baseURL!, user, colorScheme);
        const page = await context.newPage();
        const errors: string[] = [];
        page.on('console', (msg) => {
          // A form the server refuses answers 422 (or 401 for a wrong password), which Chromium logs.
          if (msg.type() === 'error' && !/status of (401|404|422)/.test(msg.text())) errors.push(msg.text());
        });
        page.on('pageerror', (err) => errors.push(String(err)));
        try {
          const url = typeof visit.path === 'string' ? visit.path : visit.path(seeded);
          const res = await page.goto(url);
          expect(res?.status(), url).toBe(visit.status ?? 200);
          await hydrated(page);
          if (visit.act) await visit.act(page);
          const results = await new AxeBuilder({ page }).withTags(TAGS).analyze();
          const found = report(results.violations);
          // Moderate and minor ones do not fail the check; they are noted on the test (HTML or
          // JSON reporter) for whoever improves the page next.
          for (const v of results.violations.filter((v) => v.impact !== 'serious' && v.impact !== 'critical')) {
            test.info().annotations.push({
              type: `axe ${v.impact}`,
              description: `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`,
            });
          }
          // The message lists each violation: rule, impact, help, the elements and why each fails.
          const where = `${url} (${colorScheme}${visit.state ? `, ${visit.state}` : ''})`;
          expect(found.length, `${where}: ${found.length} serious or critical violations\n\n${found.join('\n\n')}\n`).toBe(0);
          expect(errors, 'console errors').toEqual([]);
        } finally {
          await context.close();
        }
      });
    }
  });
}
