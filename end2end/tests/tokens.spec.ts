import { test, expect, login, hydrated, ANONYMOUS } from './fixtures';

test.describe('API tokens', () => {
  // alice signs in through the page; `request` carries no cookie at all.
  test.use({ storageState: ANONYMOUS });

  test('alice creates a token, sees it once, uses it against /api/v1, revokes it', async ({ page, request }) => {
    await login(page, 'alice');
    await hydrated(page);
    await page.locator('.user-menu').getByRole('link', { name: 'API tokens' }).click();
    await expect(page).toHaveURL(/\/account\/tokens$/);
    await hydrated(page);

    // The browser checks the form before sending it.
    await page.getByLabel('Token name').fill('e2e-ci');
    await page.getByLabel('Expires in (days)').fill('400');
    await page.getByRole('button', { name: 'Create token' }).click();
    await expect(page.locator('#token-days-error')).toContainText('1 to 365');
    await expect(page.locator('#token-scope-error')).toContainText('at least one scope');

    await page.getByLabel('Expires in (days)').fill('7');
    await page.getByLabel('platform:deployer').check();
    await page.getByRole('button', { name: 'Create token' }).click();
    const shown = page.locator('#new-token-secret');
    await expect(shown).toHaveText(/^dpt_[0-9a-f]{64}$/);
    const secret = (await shown.textContent())!.trim();
    const row = page.getByRole('row').filter({ hasText: 'e2e-ci' });
    await expect(row).toContainText('platform:deployer');
    await expect(row).toContainText('ACTIVE');
    await expect(row).toContainText(secret.slice(0, 12));

    // Shown once: after a reload the secret is nowhere on the page.
    await page.reload();
    await hydrated(page);
    await expect(page.locator('#new-token-secret')).toHaveCount(0);
    expect(await page.content()).not.toContain(secret);

    // It works as a bearer token, as alice with the deployer role.
    let res = await request.get('/api/v1/me', { headers: { authorization: `Bearer ${secret}` } });
    expect(res.status()).toBe(200);
    const me = await res.json();
    expect(me.username).toBe('alice');
    expect(me.teams).toEqual([{ team: 'platform', role: 'deployer' }]);

    // Revoked: the API refuses it.
    await page.getByRole('button', { name: 'Revoke e2e-ci' }).click();
    await expect(page.getByRole('row').filter({ hasText: 'e2e-ci' })).toContainText('REVOKED');
    res = await request.get('/api/v1/me', { headers: { authorization: `Bearer ${secret}` } });
    expect(res.status()).toBe(401);
    expect((await res.json()).error.code).toBe('invalid_token');
  });
});
