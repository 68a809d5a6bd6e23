import { APIRequestContext, Browser, Locator, Page } from '@playwright/test';
import { test, expect, hydrated, register, ANONYMOUS } from './fixtures';

// Issue 16: the portal's main path with the keyboard alone. alice creates a daemon task
// definition, deploys it as a daemon on cluster prod, and bob approves the change request:
// Tab, Shift+Tab, Enter, Space and typing only (page.goto only to open the portal). Every
// control reached shows where the focus is.

/** What has the focus, for messages: `tag#id "name"`. */
async function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return 'body';
    const name = el.getAttribute('aria-label') ?? (el as HTMLElement).innerText?.trim().slice(0, 40) ?? '';
    return `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${name ? ` "${name}"` : ''}`;
  });
}

async function isFocused(target: Locator): Promise<boolean> {
  return target.evaluate((el) => el === document.activeElement, undefined, { timeout: 5_000 }).catch(() => false);
}

/**
 * The focus indicator of the focused element: an outline (or a box shadow) at least 2 px wide
 * whose colour has at least 3:1 against what is behind it (WCAG 2.4.7 and 1.4.11). Browsers
 * draw no outline of their own this wide: it is the portal's focus style.
 */
async function focusIndicator(page: Page) {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement;
    const style = getComputedStyle(el);
    const rgba = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
    const lum = ([r, g, b]: number[]) => {
      const f = (v: number) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    // The outline is drawn outside the element (outline-offset): what is behind it is the
    // background of the nearest ancestor that has one.
    let bg = [255, 255, 255];
    for (let p = el.parentElement; p; p = p.parentElement) {
      const c = rgba(getComputedStyle(p).backgroundColor);
      if (c.length >= 3 && (c.length < 4 || c[3] > 0.5)) {
        bg = c;
        break;
      }
    }
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
    const colour = outline ? rgba(style.outlineColor) : [];
    const [a, b] = [lum(colour.length ? colour : bg), lum(bg)];
    return {
      element: `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}`,
      outline: outline ? `${style.outlineWidth} ${style.outlineStyle} ${style.outlineColor}` : 'none',
      shadow: style.boxShadow !== 'none',
      contrast: Math.round(((Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)) * 100) / 100,
    };
  });
}

async function expectFocusVisible(page: Page, what: string) {
  const f = await focusIndicator(page);
  expect(f.outline !== 'none' || f.shadow, `${what}: ${f.element} draws a focus outline`).toBe(true);
  if (f.outline !== 'none') {
    expect(f.contrast, `${what}: ${f.element}'s outline (${f.outline}) against its background`).toBeGreaterThanOrEqual(3);
  }
}

/** Presses Tab (or Shift+Tab) until `target` has the focus; fails naming what was passed. */
async function tabTo(page: Page, target: Locator, what: string, { back = false, max = 80 } = {}) {
  const passed: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    if (await isFocused(target)) {
      await expectFocusVisible(page, what);
      return;
    }
    passed.push(await focused(page));
  }
  throw new Error(`${what}: not reached with ${max} presses of ${back ? 'Shift+Tab' : 'Tab'}; passed ${passed.join(', ')}`);
}

/** Replaces a text field's value as a keyboard user does: select all, type. */
async function typeInto(page: Page, text: string) {
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type(text);
}

/** Signs in on the login page with the keyboard; returns the signed-in page. */
async function keyboardLogin(browser: Browser, baseURL: string, user: string): Promise<Page> {
  const context = await browser.newContext({ baseURL, storageState: ANONYMOUS });
  const page = await context.newPage();
  await page.goto('/login');
  await hydrated(page);
  await tabTo(page, page.getByLabel('Username'), 'Username');
  await page.keyboard.type(user);
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Password')).toBeFocused();
  await page.keyboard.type('demo-password');
  await page.keyboard.press('Enter');
  await expect(page).not.toHaveURL(/\/login/);
  await expect(page.locator('.user-menu')).toContainText(user);
  await hydrated(page);
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

test('alice creates a revision and requests a prod deploy, bob approves it: keyboard only', async ({ browser, baseURL, request }) => {
  test.setTimeout(300_000);
  await onlyProdPolicy(request);
  const family = `kb-agent-${Date.now().toString(36).slice(-6)}`;

  const alice = await keyboardLogin(browser, baseURL!, 'alice');

  // The skip link is the first stop and moves the focus to the page's content.
  await alice.keyboard.press('Tab');
  const skip = alice.getByRole('link', { name: 'Skip to main content' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeVisible();
  await expectFocusVisible(alice, 'skip link');
  await alice.keyboard.press('Enter');
  await expect(alice.locator('#main-content')).toBeFocused();

  // Navigation → Daemon task definitions → Create new daemon task definition.
  const nav = alice.getByRole('navigation', { name: 'Main' });
  await tabTo(alice, nav.getByRole('link', { name: 'Daemon task definitions' }), 'navigation link', { back: true });
  await alice.keyboard.press('Enter');
  await expect(alice).toHaveURL(/\/task-definitions$/);
  await hydrated(alice);
  await tabTo(alice, alice.getByRole('link', { name: 'Create new daemon task definition' }), 'create link');
  await alice.keyboard.press('Enter');
  await expect(alice).toHaveURL(/\/task-definitions\/new$/);
  await hydrated(alice);

  // The form, field by field.
  await tabTo(alice, alice.getByLabel('Daemon task definition family'), 'family');
  await alice.keyboard.type(family);
  await tabTo(alice, alice.getByLabel('Task execution role'), 'execution role');
  await alice.keyboard.type('ecsTaskExecutionRole');
  await tabTo(alice, alice.getByLabel('Container name'), 'container name');
  await alice.keyboard.type('agent');
  await alice.keyboard.press('Tab');
  await expect(alice.getByLabel('Image')).toBeFocused();
  await alice.keyboard.type('amazon/cloudwatch-agent:latest');
  await tabTo(alice, alice.getByLabel('CPU', { exact: true }), 'container CPU');
  await typeInto(alice, '0.25');
  await alice.keyboard.press('Tab');
  await expect(alice.getByLabel('Memory', { exact: true })).toBeFocused();
  await typeInto(alice, '0.25');
  // The JSON view is a tab away and back: Space on the tab buttons.
  await tabTo(alice, alice.getByRole('tab', { name: 'JSON' }), 'JSON tab', { back: true });
  await alice.keyboard.press('Space');
  await expect(alice.getByLabel('Definition JSON')).toHaveValue(new RegExp(`"family": "${family}"`));
  await alice.keyboard.press('Shift+Tab');
  await expect(alice.getByRole('tab', { name: 'Form' })).toBeFocused();
  await alice.keyboard.press('Space');
  await expect(alice.getByLabel('Daemon task definition family')).toHaveValue(family);
  await tabTo(alice, alice.getByRole('button', { name: 'Create', exact: true }), 'Create button');
  await alice.keyboard.press('Enter');
  await expect(alice).toHaveURL(new RegExp(`/task-definitions/${family}/1$`));
  await expect(alice.getByRole('heading', { level: 1 })).toHaveText(`${family}:1`);
  await hydrated(alice);

  // Deploy it: on prod, which needs an approval.
  await tabTo(alice, alice.getByRole('link', { name: 'Deploy', exact: true }), 'Deploy link');
  await alice.keyboard.press('Enter');
  await expect(alice).toHaveURL(/\/daemons\/new\?/);
  await hydrated(alice);
  await expect(alice.getByLabel('Daemon task definition family')).toHaveValue(family);
  const cluster = alice.getByLabel('Cluster', { exact: true });
  await tabTo(alice, cluster, 'cluster');
  // A closed select takes typed letters: "p" chooses prod.
  await alice.keyboard.type('prod');
  await expect(cluster).toHaveValue('prod');
  await expect(alice.getByLabel('mi-prod-a')).toBeVisible();
  await tabTo(alice, alice.getByLabel('Daemon name'), 'daemon name');
  await typeInto(alice, family);
  await tabTo(alice, alice.getByLabel('mi-prod-a'), 'capacity provider mi-prod-a');
  await alice.keyboard.press('Space');
  await expect(alice.getByLabel('mi-prod-a')).toBeChecked();
  await tabTo(alice, alice.getByLabel('mi-prod-b'), 'capacity provider mi-prod-b');
  await alice.keyboard.press('Space');
  await expect(alice.getByLabel('mi-prod-b')).toBeChecked();
  await tabTo(alice, alice.getByLabel('Drain percentage'), 'drain percentage');
  await typeInto(alice, '100');
  // The advanced settings open with Enter on their summary.
  await tabTo(alice, alice.getByText('Advanced settings'), 'advanced settings');
  await alice.keyboard.press('Enter');
  await expect(alice.getByLabel('Critical')).toBeVisible();
  await tabTo(alice, alice.getByRole('button', { name: 'Deploy', exact: true }), 'Deploy button');
  await alice.keyboard.press('Enter');
  await expect(alice).toHaveURL(/\/approvals\/[0-9a-f]{32}$/);
  await expect(alice.locator('.panel [data-state]').first()).toHaveText('Pending approval');
  const requestUrl = alice.url();

  // bob: Approvals in the navigation, the request in his inbox, a comment, Approve.
  const bob = await keyboardLogin(browser, baseURL!, 'bob');
  await tabTo(bob, bob.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Approvals/ }), 'Approvals link');
  await bob.keyboard.press('Enter');
  await expect(bob).toHaveURL(/\/approvals$/);
  const row = bob.getByRole('table', { name: 'Change requests' }).locator('tbody tr', { hasText: family });
  await tabTo(bob, row.getByRole('link').first(), 'the request in the inbox');
  await bob.keyboard.press('Enter');
  await expect(bob).toHaveURL(requestUrl);
  await hydrated(bob);
  await tabTo(bob, bob.getByLabel('Comment'), 'comment');
  await bob.keyboard.type('Reviewed with the keyboard');
  await tabTo(bob, bob.getByRole('button', { name: 'Approve' }), 'Approve button');
  await bob.keyboard.press('Enter');
  await expect(bob.getByRole('table', { name: 'Reviews' })).toContainText('Reviewed with the keyboard');
  await expect(bob.locator('.panel [data-state]').first()).toHaveText('Succeeded', { timeout: 180_000 });

  await alice.context().close();
  await bob.context().close();
});

test('the delete confirmation takes the focus, keeps it, and gives it back on Escape', async ({ page, request }) => {
  const name = `kb-delete-${Date.now().toString(36).slice(-6)}`;
  await register(request, name, 'example/kb-delete:1');
  const created = await request.post('/api/deploy-daemon', {
    form: {
      'form[cluster]': 'default',
      'form[daemon_name]': name,
      'form[family]': name,
      'form[capacity_providers][0]': 'mi-general',
      'form[drain_percent]': '100',
      'form[bake_time]': '0',
    },
  });
  expect(created.status(), await created.text()).toBe(200);
  await page.goto(`/daemons/default/${name}`);
  await hydrated(page);
  const del = page.getByRole('button', { name: 'Delete', exact: true });
  await tabTo(page, del, 'Delete button');
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: `Delete daemon ${name}?` });
  await expect(dialog).toBeVisible();
  // The focus is in the dialog, and Tab does not leave it.
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await expectFocusVisible(page, 'Cancel in the dialog');
  for (let i = 0; i < 4; i++) {
    await page.keyboard.press('Tab');
    expect(await dialog.evaluate((d) => d.contains(document.activeElement)), `Tab ${i + 1} stays in the dialog: ${await focused(page)}`).toBe(true);
  }
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(del).toBeFocused();
  // Cancel with the keyboard closes it too and gives the focus back.
  await page.keyboard.press('Enter');
  await expect(dialog).toBeVisible();
  await page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();
  await expect(del).toBeFocused();
  // And the daemon is deleted from the keyboard: Shift+Tab from Cancel wraps to Delete daemon.
  await page.keyboard.press('Enter');
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  await expect(dialog.getByRole('button', { name: 'Delete daemon' })).toBeFocused();
  await expectFocusVisible(page, 'Delete daemon in the dialog');
  await page.keyboard.press('Enter');
  await expect
    .poll(
      async () => {
        const res = await request.post('/api/get-daemon', { form: { cluster: 'default', name } });
        return res.status() === 200 ? ((await res.json()) as { status: string }).status : 'gone';
      },
      { timeout: 60_000 },
    )
    .not.toBe('ACTIVE');
});

test('the dashboard follows a rollout in place: the focus stays, and the updates pause', async ({ page, request }) => {
  test.setTimeout(120_000);
  const name = `kb-follow-${Date.now().toString(36).slice(-6)}`;
  await register(request, name, 'example/kb-follow:1');
  // A bake time keeps the rollout running for a while (30 simulated seconds a second).
  const created = await request.post('/api/deploy-daemon', {
    form: {
      'form[cluster]': 'default',
      'form[daemon_name]': name,
      'form[family]': name,
      'form[capacity_providers][0]': 'mi-general',
      'form[drain_percent]': '100',
      'form[bake_time]': '15',
    },
  });
  expect(created.status(), await created.text()).toBe(200);
  await page.goto('/');
  await hydrated(page);
  await expect(page.locator('[data-follow]')).toHaveCount(1, { timeout: 30_000 });
  // Marks this document and the main area's current content: an update replaces the content,
  // a reload would lose the marks.
  await page.evaluate(() => {
    const w = window as unknown as { stillHere: boolean; before: Element | null };
    w.stillHere = true;
    w.before = document.querySelector('#main-content .count-grid');
  });
  const history = page.getByRole('link', { name: 'All history' });
  await tabTo(page, history, 'All history');
  await expect
    .poll(() => page.evaluate(() => !document.contains((window as unknown as { before: Element }).before)), { timeout: 30_000 })
    .toBe(true);
  expect(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);
  await expect(history).toBeFocused();
  await expectFocusVisible(page, 'All history, after an update');

  // The updates pause from the keyboard.
  const pause = page.getByRole('button', { name: 'Pause updates' });
  await tabTo(page, pause, 'Pause updates', { back: true });
  await page.keyboard.press('Enter');
  const resume = page.getByRole('button', { name: 'Resume updates' });
  await expect(resume).toHaveAttribute('aria-pressed', 'true');
  await expect(resume).toBeFocused();
  // Leaves mi-general's room to the other specs (the deletion waits for the rollout's end).
  const deleted = await request.post('/api/delete-daemon', { form: { cluster: 'default', name } });
  expect(deleted.status(), await deleted.text()).toBe(200);
});

/** Pages whose every control is tabbed through: each must show its focus. */
const SWEEP = ['/', '/daemons', '/task-definitions/new', '/daemons/new?cluster=default', '/history', '/admin'];

test('every control shows its focus when tabbed to', async ({ page }) => {
  test.setTimeout(180_000);
  for (const url of SWEEP) {
    await page.goto(url);
    await hydrated(page);
    const count = await page.evaluate(
      () =>
        [...document.querySelectorAll<HTMLElement>('a[href], button, input, select, textarea, summary, [tabindex]')].filter(
          (el) => el.tabIndex >= 0 && !(el as HTMLButtonElement).disabled && el.getClientRects().length > 0,
        ).length,
    );
    for (let i = 0; i < count; i++) {
      await page.keyboard.press('Tab');
      const f = await focusIndicator(page);
      if (f.element === 'body') break;
      const where = `${url}, Tab ${i + 1}, ${await focused(page)}`;
      expect.soft(f.outline !== 'none' || f.shadow, `${where}: draws a focus outline`).toBe(true);
      if (f.outline !== 'none') expect.soft(f.contrast, `${where}: outline ${f.outline} against its background`).toBeGreaterThanOrEqual(3);
    }
  }
});
