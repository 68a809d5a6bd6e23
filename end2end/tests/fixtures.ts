import { test as base, expect, Page, APIRequestContext } from '@playwright/test';

/** The emulator's execution role, allowed for everyone in embedded mode. */
export const EXECUTION_ROLE = 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole';

/** Registers a one-container daemon task definition through the portal's server function. */
export async function register(request: APIRequestContext, family: string, image: string, container = 'agent') {
  const res = await request.post('/api/create-task-definition', {
    form: {
      'form[family]': family,
      'form[execution_role]': EXECUTION_ROLE,
      'form[containers][0][name]': container,
      'form[containers][0][image]': image,
      'form[containers][0][essential]': 'on',
      'form[containers][0][cpu]': '0.25',
      'form[containers][0][memory]': '0.25',
    },
  });
  expect(res.status(), await res.text()).toBe(200);
}

/** The password of the embedded mode's demo accounts (admin, alice, bob, carol). */
export const DEMO_PASSWORD = 'demo-password';

type StorageState = Awaited<ReturnType<APIRequestContext['storageState']>>;

/** Signs in through the API (`POST /api/login`); the context keeps the session cookie. */
export async function apiLogin(request: APIRequestContext, user: string, password = DEMO_PASSWORD) {
  const res = await request.post('/api/login', {
    form: { username: user, password },
    headers: { accept: 'application/json' },
  });
  expect(res.status(), `sign in as ${user}: ${await res.text()}`).toBe(200);
}

// Pages and `request` start signed in as `admin` (one login per worker); a spec that needs
// another user or none calls `login(page, user)` or `test.use({ storageState: ANONYMOUS })`.
// Every test fails on a console error or an uncaught page error.
export const test = base.extend<{ consoleErrors: string[] }, { adminState: StorageState }>({
  adminState: [
    async ({ playwright }, use, workerInfo) => {
      const request = await playwright.request.newContext({ baseURL: workerInfo.project.use.baseURL });
      await apiLogin(request, 'admin');
      const state = await request.storageState();
      await request.dispose();
      await use(state);
    },
    { scope: 'worker' },
  ],
  storageState: async ({ adminState }, use) => use(adminState),
  // `Origin` as a page of the portal sends it: the portal refuses state-changing requests
  // that carry a session cookie but name no origin. `request` is signed in as admin, which
  // the emulator's control API (`/_sim/`) requires.
  request: async ({ playwright, baseURL, storageState }, use) => {
    const request = await playwright.request.newContext({
      baseURL,
      storageState,
      extraHTTPHeaders: baseURL ? { origin: baseURL } : {},
    });
    await use(request);
    await request.dispose();
  },
  consoleErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on('console', (msg) => {
        if (msg.type() === 'error') errors.push(msg.text());
      });
      page.on('pageerror', (err) => errors.push(String(err)));
      await use(errors);
      expect(errors, 'console errors').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/** No cookies: for `test.use({ storageState: ANONYMOUS })`. */
export const ANONYMOUS: StorageState = { cookies: [], origins: [] };

/** Signs in through the login page as `user` (a demo account by default password). */
export async function login(page: Page, user: string, password = DEMO_PASSWORD) {
  await page.goto('/login');
  await page.getByLabel('Username').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).not.toHaveURL(/\/login/);
}

/** Waits until the wasm bundle has hydrated the page. */
export async function hydrated(page: Page) {
  await expect(page.locator('.console')).toHaveAttribute('data-hydrated', 'true');
}
