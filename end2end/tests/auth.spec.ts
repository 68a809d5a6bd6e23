import { test, expect, login, hydrated, ANONYMOUS } from './fixtures';

test.describe('signing in and out', () => {
  test.use({ storageState: ANONYMOUS });

  test('alice signs in, sees her name, signs out', async ({ page }) => {
    await login(page, 'alice');
    const menu = page.locator('.user-menu');
    await expect(menu).toContainText('alice');
    await hydrated(page);
    await menu.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/login$/);
    await expect(page.locator('.user-menu')).toHaveCount(0);
    // The session is gone: pages send her back to the login page.
    await page.goto('/daemons');
    await expect(page).toHaveURL(/\/login\?next=\/daemons$/);
  });

  test('a wrong password says so next to the form', async ({ page }) => {
    await page.goto('/login');
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill('not-her-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert')).toHaveText('Wrong username or password.');
    await expect(page).toHaveURL(/\/login/);
  });

  test('anonymous visitors are sent to the login page and back after signing in', async ({ page }) => {
    await page.goto('/clusters');
    await expect(page).toHaveURL(/\/login\?next=\/clusters$/);
    await expect(page.getByText('demo-password')).toBeVisible();
    await page.getByLabel('Username').fill('carol');
    await page.getByLabel('Password').fill('demo-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/\/clusters$/);
    await expect(page.locator('.user-menu')).toContainText('carol');
  });
});
