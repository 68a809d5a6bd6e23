import { APIRequestContext, Page } from '@playwright/test';
import { test, expect, hydrated, ANONYMOUS, register } from './fixtures';

// Issue 17, "tables that fit": every page, signed in as admin and with data in it, fits a
// 1280 px window (nothing scrolls sideways, no table scrolls in its box, no cell is taller than
// three lines) and still loads at 375 px; no page logs a console error (the fixture's check).

// Long names, as real fleets have them: they must not push a table past the window.
const FAMILY = 'layout-cloudwatch-agent-daemon';
const DAEMON = 'layout-cloudwatch-agent';
const OTHER = 'layout-node-exporter';
const PROD = 'layout-prod-log-router';

type Daemon = { arn: string; deployment?: { status: string } | null; request_in_flight?: string | null };

async function getDaemon(request: APIRequestContext, cluster: string, name: string): Promise<Daemon | null> {
  const res = await request.post('/api/get-daemon', { form: { cluster, name } });
  return res.status() === 200 ? ((await res.json()) as Daemon) : null;
}

/** Waits until the daemon's newest deployment has `status` and no request is on its way. */
async function settled(request: APIRequestContext, cluster: string, name: string, status = 'SUCCESSFUL') {
  await expect
    .poll(
      async () => {
        const d = await getDaemon(request, cluster, name);
        return d && !d.request_in_flight ? d.deployment?.status : undefined;
      },
      { timeout: 120_000, intervals: [500, 1000] },
    )
    .toBe(status);
}

async function deploy(request: APIRequestContext, form: Record<string, string>) {
  const res = await request.post('/api/deploy-daemon', {
    form: { 'form[drain_percent]': '100', 'form[bake_time]': '0', ...form },
  });
  expect(res.status(), await res.text()).toBe(200);
  return (await res.json()) as { request: { id: string } };
}

/** A few daemons, rollouts and change requests; once per portal (the suite shares one). */
async function seed(request: APIRequestContext): Promise<{ requestId: string }> {
  if (!(await getDaemon(request, 'default', DAEMON))) {
    await register(request, FAMILY, 'public.ecr.aws/cloudwatch-agent/cloudwatch-agent:1.300049.1b929');
    await register(request, OTHER, 'quay.io/prometheus/node-exporter:v1.8.2');
    const base = { 'form[cluster]': 'default', 'form[capacity_providers][0]': 'mi-general', 'form[capacity_providers][1]': 'mi-canary' };
    await deploy(request, { ...base, 'form[daemon_name]': DAEMON, 'form[family]': FAMILY });
    await deploy(request, { ...base, 'form[daemon_name]': OTHER, 'form[family]': OTHER });
    await settled(request, 'default', DAEMON);
    await settled(request, 'default', OTHER);
    // Revision 2 and an update to it: the first rollout becomes one to roll back to.
    await register(request, FAMILY, 'public.ecr.aws/cloudwatch-agent/cloudwatch-agent:1.300050.0b1024');
    const d = await getDaemon(request, 'default', DAEMON);
    await deploy(request, {
      ...base,
      'form[daemon_arn]': d!.arn,
      'form[daemon_name]': DAEMON,
      'form[family]': FAMILY,
      'form[revision]': '2',
    });
    await settled(request, 'default', DAEMON);
    // An update the alarm rolls back: the longest status (ROLLBACK SUCCESSFUL) and a reason.
    await register(request, OTHER, 'quay.io/prometheus/node-exporter:v1.9.0');
    const other = await getDaemon(request, 'default', OTHER);
    await deploy(request, {
      ...base,
      'form[daemon_arn]': other!.arn,
      'form[daemon_name]': OTHER,
      'form[family]': OTHER,
      'form[revision]': '2',
      'form[alarms][0]': 'daemon-errors',
      'form[rollback_on_alarm]': 'on',
      'form[bake_time]': '10',
    });
    const alarm = await request.post('/_sim/alarms/daemon-errors', { data: { state: 'ALARM' } });
    expect(alarm.status(), await alarm.text()).toBe(200);
    try {
      await settled(request, 'default', OTHER, 'ROLLBACK_SUCCESSFUL');
    } finally {
      await request.post('/_sim/alarms/daemon-errors', { data: { state: 'OK' } });
    }
  }
  // A request waiting for approval on prod (admin may not approve their own).
  const list = await request.post('/api/list-change-requests', {
    form: { 'filter[inbox]': 'all', 'filter[state]': 'pending', 'filter[cluster]': 'prod', 'filter[after]': '' },
  });
  expect(list.status(), await list.text()).toBe(200);
  const pending = ((await list.json()) as { rows: { id: string; daemon: string }[] }).rows.find((r) => r.daemon === PROD);
  if (pending) return { requestId: pending.id };
  await register(request, PROD, 'public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.2.20240516');
  const submitted = await deploy(request, {
    'form[cluster]': 'prod',
    'form[daemon_name]': PROD,
    'form[family]': PROD,
    'form[capacity_providers][0]': 'mi-prod-a',
    'form[capacity_providers][1]': 'mi-prod-b',
    'form[alarms][0]': 'daemon-errors',
    'form[alarms][1]': 'app-5xx',
    'form[tags]': 'team=platform\nservice=logging\ncost-centre=observability-shared',
  });
  return { requestId: submitted.request.id };
}

/** Every page of the portal, with the data `seed` made. */
async function pages(page: Page, requestId: string): Promise<string[]> {
  const routes = [
    '/',
    '/clusters',
    '/clusters/default',
    '/clusters/default?tab=instances',
    '/clusters/default?tab=providers',
    '/daemons',
    '/daemons?cluster=prod',
    `/daemons/default/${DAEMON}`,
    '/daemons/new?cluster=default',
    `/daemons/default/${DAEMON}/update`,
    '/task-definitions',
    '/task-definitions/new',
    `/task-definitions/${FAMILY}/2`,
    `/task-definitions/${FAMILY}/2?compare=1`,
    `/task-definitions/${FAMILY}/2/new-revision`,
    '/approvals',
    '/approvals?inbox=mine',
    '/approvals?inbox=all',
    `/approvals/${requestId}`,
    '/history',
    `/history?cluster=default&daemon=${DAEMON}`,
    '/audit',
    '/admin',
    '/admin/teams',
    '/admin/policies',
    '/admin/freezes',
    '/admin/roles',
    '/account/tokens',
    '/fleet',
    '/pipelines',
    '/pipelines/new',
    '/pipelines/cloudwatch-agent-waves',
    '/calendar',
    '/admin/windows',
    `/fleet/compare?family=${FAMILY}`,
    `/fleet/copy?family=${FAMILY}&revision=2&to=staging`,
    '/e/staging/daemons',
    '/e/staging/clusters',
  ];
  // One instance's page (its daemon and application tasks).
  await page.goto('/clusters/default?tab=instances');
  const instance = await page.getByRole('table', { name: 'Managed instances' }).locator('tbody tr a').first().getAttribute('href');
  expect(instance).toBeTruthy();
  return [...routes, instance!];
}

/** What is wider than the window, as `tag.class (scrollWidth > width)`, for the message. */
async function overflow(page: Page) {
  return page.evaluate(() => {
    const root = document.documentElement;
    // Inside a box that scrolls or clips (a table's), an element is not what the page scrolls for.
    const clipped = (el: Element) => {
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        if (getComputedStyle(p).overflowX !== 'visible') return true;
      }
      return false;
    };
    const wide = [...document.querySelectorAll<HTMLElement>('body *')]
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5 && !clipped(el))
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`);
    return { scrollWidth: root.scrollWidth, innerWidth: window.innerWidth, wide };
  });
}

/** Tables that scroll in their box (too wide for the page), by name. */
async function scrollingTables(page: Page) {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('.table-scroll')]
      .filter((box) => box.scrollWidth > box.clientWidth + 1)
      .map((box) => `${box.querySelector('table')?.getAttribute('aria-label') ?? '?'}: ${box.scrollWidth} > ${box.clientWidth}`),
  );
}

/** Table cells whose content is taller than three lines of their text. A cell's height is its
 * row's, so this measures what is in it: its text and the boxes of its elements (a clamped
 * element's box, not the text it hides). */
async function tallCells(page: Page, selector = 'table.data') {
  return page.evaluate((selector) => {
    const out: string[] = [];
    for (const td of document.querySelectorAll<HTMLElement>(`${selector} td`)) {
      const style = getComputedStyle(td);
      if (style.display === 'none') continue;
      // Cells of buttons and form fields (row actions) are not text that wraps.
      if (td.querySelector('input, select, textarea, form, .btn')) continue;
      const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.5;
      let top = Infinity;
      let bottom = -Infinity;
      for (const node of td.childNodes) {
        let rect: DOMRect;
        if (node instanceof Element) rect = node.getBoundingClientRect();
        else if (node.nodeType === Node.TEXT_NODE && node.textContent!.trim()) {
          const range = document.createRange();
          range.selectNodeContents(node);
          rect = range.getBoundingClientRect();
        } else continue;
        if (rect.height === 0) continue;
        top = Math.min(top, rect.top);
        bottom = Math.max(bottom, rect.bottom);
      }
      const height = bottom - top;
      // A badge's or button's padding adds a few pixels to a line.
      if (height > 3 * line + 8) {
        const name = td.closest('table')?.getAttribute('aria-label');
        out.push(`${name}: ${(height / line).toFixed(1)} lines: ${td.innerText.slice(0, 80)}`);
      }
    }
    return out;
  }, selector);
}

/** Console errors and uncaught page errors, each with the page it happened on. The fixture
 * fails the test on any of them too; this names the page. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`${page.url()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`${page.url()}: ${err}`));
  return errors;
}

/** LAYOUT_SHOTS=dir: a full-page screenshot of every page visited, to look at. */
async function shot(page: Page, url: string, width: number) {
  const dir = process.env.LAYOUT_SHOTS;
  if (!dir) return;
  const name = url.replace(/[^a-z0-9]+/gi, '_').replace(/^_|_$/g, '') || 'home';
  await page.screenshot({ path: `${dir}/${width}-${name.slice(0, 80)}.png`, fullPage: true });
}

test.describe('tables that fit', () => {
  test('every page fits a 1280 px window, with data in it', async ({ page, request }) => {
    test.setTimeout(300_000);
    const { requestId } = await seed(request);
    await page.setViewportSize({ width: 1280, height: 900 });
    const errors = watchErrors(page);
    for (const url of await pages(page, requestId)) {
      const res = await page.goto(url);
      expect(res?.status(), url).toBe(200);
      await hydrated(page);
      await shot(page, url, 1280);
      // Soft: one run reports every page that does not fit.
      const o = await overflow(page);
      expect.soft(o.scrollWidth, `${url} scrolls sideways; wider than the window: ${o.wide.join(', ')}`).toBeLessThanOrEqual(o.innerWidth);
      expect.soft(await scrollingTables(page), `${url}: tables wider than their box`).toEqual([]);
      expect.soft(await tallCells(page), `${url}: cells taller than three lines`).toEqual([]);
    }
    expect(errors, 'console errors').toEqual([]);
  });

  test('the History table: short deployment ids, three lines at most, a copy button', async ({ page, request, context, baseURL }) => {
    test.setTimeout(180_000);
    await seed(request);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto('/history');
    const rows = page.getByRole('table', { name: 'Rollouts' }).locator('tbody tr');
    await expect(rows.first()).toBeVisible();
    expect(await rows.count()).toBeGreaterThanOrEqual(3);
    expect(await tallCells(page, 'table.history'), 'History cells taller than three lines').toEqual([]);

    // One daemon's: the update, and the first rollout, which can be rolled back to.
    await page.goto(`/history?cluster=default&daemon=${DAEMON}`);
    await expect(rows).toHaveCount(2);
    await expect(rows.nth(1).getByRole('link', { name: 'Roll back to this revision' })).toBeVisible();
    expect(await tallCells(page, 'table.history'), 'History cells taller than three lines').toEqual([]);

    // The ECS deployment column: the id, the ARN in the tooltip and behind the copy button.
    const row = rows.first();
    const id = row.locator('td.arn .arn-id');
    const arn = (await id.getAttribute('title'))!;
    expect(arn).toMatch(new RegExp(`^arn:aws:ecs:[^:]+:\\d+:daemon-deployment/default/${DAEMON}/[0-9a-f]{32}$`));
    expect(arn.endsWith(`/${await id.textContent()}`)).toBe(true);
    const copy = row.getByRole('button', { name: 'Copy ARN' });
    await expect(copy).toHaveAttribute('data-copy', arn);
    await expect(copy).toBeVisible();

    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL });
    await copy.click();
    await expect(row.getByRole('button', { name: 'Copied' })).toHaveText('Copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(arn);
    await expect(row.getByRole('button', { name: 'Copy ARN' })).toHaveText('Copy', { timeout: 5_000 });
  });

  test('every page loads at 375 px', async ({ page, request }) => {
    test.setTimeout(300_000);
    const { requestId } = await seed(request);
    await page.setViewportSize({ width: 375, height: 800 });
    const errors = watchErrors(page);
    for (const url of await pages(page, requestId)) {
      const res = await page.goto(url);
      expect(res?.status(), url).toBe(200);
      await hydrated(page);
      await shot(page, url, 375);
      await expect(page.getByRole('heading', { level: 1 }).first(), url).toBeVisible();
      // Tables scroll in their own box; the page itself does not.
      const o = await overflow(page);
      expect.soft(o.scrollWidth, `${url} at 375 px scrolls sideways; wider than the window: ${o.wide.join(', ')}`).toBeLessThanOrEqual(o.innerWidth);
    }
    expect(errors, 'console errors').toEqual([]);
  });

  test('status badges keep their colours, with WCAG AA contrast, in light and dark', async ({ page, request }) => {
    test.setTimeout(120_000);
    await seed(request);
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      for (const url of ['/history', '/approvals?inbox=all', `/daemons/default/${DAEMON}`]) {
        await page.goto(url);
        await hydrated(page);
        const badges = await page.evaluate(() => {
          const rgb = (c: string) => c.match(/[\d.]+/g)!.slice(0, 3).map(Number);
          const lum = (c: number[]) => {
            const [r, g, b] = c.map((v) => {
              const s = v / 255;
              return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
            });
            return 0.2126 * r + 0.7152 * g + 0.0722 * b;
          };
          return [...document.querySelectorAll<HTMLElement>('.badge')].map((el) => {
            const style = getComputedStyle(el);
            const [fg, bg] = [lum(rgb(style.color)), lum(rgb(style.backgroundColor))];
            const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
            return { text: el.textContent, tone: el.className, color: style.color, ratio: Math.round(ratio * 100) / 100 };
          });
        });
        expect(badges.length, url).toBeGreaterThan(0);
        for (const b of badges) {
          expect(b.ratio, `${colorScheme} ${url}: ${b.tone} "${b.text}" ${b.color}`).toBeGreaterThanOrEqual(4.5);
        }
        // The tones stay colours: a successful status is still green.
        const ok = badges.find((b) => /\bok\b/.test(b.tone));
        if (ok) {
          const [r, g, bl] = ok.color.match(/\d+/g)!.map(Number);
          expect(g, `${colorScheme} ${url}: an ok badge is green (${ok.color})`).toBeGreaterThan(Math.max(r, bl));
        }
      }
    }
  });

  test.describe('signed out', () => {
    test.use({ storageState: ANONYMOUS });

    test('the sign-in page fits at 1280 and 375 px', async ({ page }) => {
      for (const width of [1280, 375]) {
        await page.setViewportSize({ width, height: width === 1280 ? 900 : 800 });
        await page.goto('/login');
        await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
        await hydrated(page);
        const o = await overflow(page);
        expect(o.scrollWidth, `/login at ${width}: ${o.wide.join(', ')}`).toBeLessThanOrEqual(o.innerWidth);
      }
    });
  });
});
