// Pages start signed in as the demo `admin` (see fixtures.ts).
import { test, expect, hydrated } from './fixtures';
import type { Page } from '@playwright/test';

const ROLE = 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole';
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`;

async function openCreateForm(page: Page) {
  await page.goto('/task-definitions');
  await hydrated(page);
  await page.getByRole('link', { name: 'Create new daemon task definition' }).click();
  await expect(page).toHaveURL(/\/task-definitions\/new$/);
  await expect(page.getByLabel('Daemon task definition family')).toBeVisible();
  // A page load: the form is an island, so wait for it before typing.
  await hydrated(page);
}

async function fillContainer(page: Page, name: string, image: string, cpu: string, memory: string) {
  await page.getByLabel('Container name').fill(name);
  await page.getByLabel('Image').fill(image);
  await page.getByLabel('CPU', { exact: true }).fill(cpu);
  await page.getByLabel('Memory', { exact: true }).fill(memory);
}

test.describe('daemon task definitions', () => {
  test('the guide: create cloudwatch-agent-daemon, then revision 2 with a new image and see the diff', async ({ page }) => {
    await openCreateForm(page);
    await page.getByLabel('Daemon task definition family').fill('cloudwatch-agent-daemon');
    await page.getByLabel('Task execution role').fill(ROLE);
    await fillContainer(page, 'cwagent', 'amazon/cloudwatch-agent:latest', '1', '0.5');
    await expect(page.getByLabel('Essential')).toBeChecked();
    await page.getByLabel('Key').fill('CW_CONFIG_CONTENT');
    await page.getByLabel('Value').fill('{"agent":{"metrics_collection_interval":60}}');
    await page.getByLabel('Auto-configure CloudWatch Logs').check();
    await expect(page.getByLabel('Log group name')).toHaveValue('/ecs/cloudwatch-agent-daemon');
    await page.getByRole('button', { name: 'Create', exact: true }).click();

    await expect(page).toHaveURL(/\/task-definitions\/cloudwatch-agent-daemon\/\d+$/);
    const revision = page.url().split('/').pop()!;
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(`cloudwatch-agent-daemon:${revision}`);
    await expect(page.locator('.td-arn')).toHaveText(
      new RegExp(`^arn:aws:ecs:us-east-1:123456789012:daemon-task-definition/cloudwatch-agent-daemon:${revision}$`),
    );
    await expect(page.getByText('ACTIVE', { exact: true })).toBeVisible();
    await expect(page.getByText('Not deployed', { exact: true })).toBeVisible();
    const row = page.getByRole('table', { name: 'Containers' }).getByRole('row').nth(1);
    await expect(row).toContainText('cwagent');
    await expect(row).toContainText('amazon/cloudwatch-agent:latest');
    await expect(row).toContainText('1 vCPU');
    await expect(row).toContainText('0.5 GB');
    await expect(row).toContainText('CW_CONFIG_CONTENT');
    await expect(row).toContainText('/ecs/cloudwatch-agent-daemon');
    await expect(page.getByRole('link', { name: 'Deploy' })).toHaveAttribute(
      'href',
      `/daemons/new?family=cloudwatch-agent-daemon&revision=${revision}`,
    );

    // Revision 2: the form prefilled from this revision, with a new image tag.
    await hydrated(page);
    await page.getByRole('link', { name: 'Create new revision' }).click();
    await expect(page).toHaveURL(/\/new-revision$/);
    await expect(page.getByLabel('Daemon task definition family')).toHaveValue('cloudwatch-agent-daemon');
    await expect(page.getByLabel('Container name')).toHaveValue('cwagent');
    await expect(page.getByLabel('Key')).toHaveValue('CW_CONFIG_CONTENT');
    await expect(page.getByLabel('Auto-configure CloudWatch Logs')).toBeChecked();
    await page.getByLabel('Image').fill('amazon/cloudwatch-agent:1.300049.1');
    await page.getByRole('button', { name: 'Create', exact: true }).click();

    const next = Number(revision) + 1;
    await expect(page).toHaveURL(new RegExp(`/task-definitions/cloudwatch-agent-daemon/${next}$`));
    await expect(page.locator('.td-arn')).toHaveText(new RegExp(`cloudwatch-agent-daemon:${next}$`));
    // The diff against the previous revision shows the image change, colour-coded.
    const diff = page.locator('.td-diff');
    await expect(diff.locator('del')).toContainText('"image": "amazon/cloudwatch-agent:latest"');
    await expect(diff.locator('ins')).toContainText('"image": "amazon/cloudwatch-agent:1.300049.1"');
    await expect(page.getByText(/1 line added and 1 line removed/)).toBeVisible();

    // The list shows the family with its latest revision.
    await page.goto('/task-definitions?filter=cloudwatch-agent-daemon');
    const listRow = page.getByRole('row', { name: /cloudwatch-agent-daemon/ });
    await expect(listRow).toContainText(`cloudwatch-agent-daemon:${next}`);
    await expect(listRow).toContainText('Not deployed');
  });

  test('a new family starts at revision 1', async ({ page }) => {
    const family = unique('td-first');
    await openCreateForm(page);
    await page.getByLabel('Daemon task definition family').fill(family);
    await fillContainer(page, 'agent', 'public.ecr.aws/docker/library/busybox:1.36', '0.25', '0.5');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`/task-definitions/${family}/1$`));
    await expect(page.locator('.td-arn')).toHaveText(new RegExp(`:daemon-task-definition/${family}:1$`));
    await expect(page.getByText('Not deployed', { exact: true })).toBeVisible();
    await expect(page.getByText('This is the only revision of the family.')).toBeVisible();
  });

  test('inline validation next to the field as the user types', async ({ page }) => {
    await page.goto('/task-definitions/new');
    await hydrated(page);
    const family = page.getByLabel('Daemon task definition family');
    await family.fill('bad name!');
    const error = page.locator('#td-family-error');
    await expect(error).toContainText('can contain only letters, digits');
    await expect(family).toHaveAttribute('aria-invalid', 'true');
    await family.fill('good-name');
    await expect(error).toBeEmpty();
    await expect(family).toHaveAttribute('aria-invalid', 'false');

    await page.getByLabel('CPU', { exact: true }).fill('-1');
    await expect(page.locator('#td-c0-cpu-error')).toContainText('greater than 0');
    // A role name is fine (ECS takes it): the note shows the ARN it is registered as.
    await page.getByLabel('Task execution role').fill('ecsTaskExecutionRole');
    await expect(page.locator('#td-execution-role-expansion')).toContainText(ROLE);
    await expect(page.locator('#td-execution-role-error')).toBeEmpty();
    await page.getByLabel('Task execution role').fill('not a role!');
    await expect(page.locator('#td-execution-role-error')).not.toBeEmpty();

    // Submitting shows every problem, keeps what was typed, and creates nothing.
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await expect(page.getByRole('alert').first()).toContainText(/Fix the \d+ highlighted fields?/);
    await expect(page.locator('#td-c0-image-error')).toContainText('Enter an image');
    await expect(page).toHaveURL(/\/task-definitions\/new$/);
    await expect(family).toHaveValue('good-name');
  });

  test('containers and environment variables can be added and removed', async ({ page }) => {
    const familyName = unique('td-multi');
    await page.goto('/task-definitions/new');
    await hydrated(page);
    await page.getByLabel('Daemon task definition family').fill(familyName);
    const first = page.getByRole('group', { name: 'Container 1', exact: true });
    await first.getByLabel('Container name').fill('agent');
    await first.getByLabel('Image').fill('busybox:1');
    await first.getByLabel('CPU', { exact: true }).fill('0.5');
    await first.getByLabel('Memory', { exact: true }).fill('1');
    await first.getByRole('button', { name: 'Add environment variable' }).click();
    await first.getByLabel('Key').nth(0).fill('A');
    await first.getByLabel('Value').nth(0).fill('1');
    await first.getByLabel('Key').nth(1).fill('B');
    await first.getByLabel('Value').nth(1).fill('2');

    await page.getByRole('button', { name: 'Add container' }).click();
    const second = page.getByRole('group', { name: 'Container 2', exact: true });
    await expect(second.getByLabel('Essential')).not.toBeChecked();
    await second.getByLabel('Container name').fill('sidecar');
    await second.getByLabel('Image').fill('busybox:2');
    await second.getByLabel('CPU', { exact: true }).fill('0.25');
    await second.getByLabel('Memory', { exact: true }).fill('0.25');
    await page.getByRole('button', { name: 'Add container' }).click();
    await page.getByRole('button', { name: 'Remove container 3' }).click();
    await expect(page.getByRole('group', { name: 'Container 3', exact: true })).toHaveCount(0);

    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`/task-definitions/${familyName}/1$`));
    const rows = page.getByRole('table', { name: 'Containers' }).getByRole('row');
    await expect(rows).toHaveCount(3);
    await expect(rows.nth(1)).toContainText('A = 1');
    await expect(rows.nth(1)).toContainText('B = 2');
    await expect(rows.nth(2)).toContainText('sidecar');
  });

  test('the JSON view round-trips with the form and registers from JSON', async ({ page, context }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    const familyName = unique('td-json');
    await page.goto('/task-definitions/new');
    await hydrated(page);
    await page.getByLabel('Daemon task definition family').fill(familyName);
    await fillContainer(page, 'agent', 'busybox:1', '0.25', '0.5');
    await page.getByLabel('Key').fill('MODE');
    await page.getByLabel('Value').fill('json');

    await page.getByRole('tab', { name: 'JSON' }).click();
    const json = page.getByLabel('Definition JSON');
    await expect(json).toHaveValue(new RegExp(`"family": "${familyName}"`));
    await expect(json).toHaveValue(/"cpu": 256/);
    await expect(json).toHaveValue(/"memory": 512/);
    await expect(json).toHaveValue(/"name": "MODE"/);

    await page.getByRole('button', { name: 'Copy JSON' }).click();
    await expect(page.getByText('Copied to the clipboard.')).toBeVisible();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toContain(familyName);

    // Malformed JSON stays in the JSON view with a message.
    const text = await json.inputValue();
    await json.fill(text.replace('{', '{ oops'));
    await page.getByRole('tab', { name: 'Form' }).click();
    await expect(page.locator('#td-json-error')).toContainText('not valid JSON');
    await expect(page.getByRole('tab', { name: 'JSON' })).toHaveAttribute('aria-selected', 'true');

    // An edit in JSON shows in the form.
    await json.fill(text.replace('busybox:1', 'busybox:2'));
    await page.getByRole('tab', { name: 'Form' }).click();
    await expect(page.getByLabel('Image')).toHaveValue('busybox:2');
    await expect(page.getByLabel('CPU', { exact: true })).toHaveValue('0.25');
    await expect(page.getByLabel('Key')).toHaveValue('MODE');

    // Registering straight from the JSON view.
    await page.getByRole('tab', { name: 'JSON' }).click();
    await expect(json).toHaveValue(/busybox:2/);
    await json.fill((await json.inputValue()).replace('busybox:2', 'busybox:3'));
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`/task-definitions/${familyName}/1$`));
    await expect(page.getByRole('table', { name: 'Containers' })).toContainText('busybox:3');
  });

  test('deleting a revision asks first and says what keeps running', async ({ page }) => {
    const familyName = unique('td-delete');
    await openCreateForm(page);
    await page.getByLabel('Daemon task definition family').fill(familyName);
    await fillContainer(page, 'agent', 'busybox:1', '0.25', '0.5');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`/task-definitions/${familyName}/1$`));
    await hydrated(page);
    await page.getByRole('button', { name: 'Delete revision' }).click();
    const dialog = page.getByRole('alertdialog');
    await expect(dialog).toContainText(`Delete revision ${familyName}:1?`);
    await expect(dialog).toContainText('Daemons already running it keep running');
    await dialog.getByRole('button', { name: `Delete ${familyName}:1` }).click();
    await expect(page).toHaveURL(/\/task-definitions\?deleted=/);
    await expect(page.getByRole('status').first()).toContainText(`Deleted revision ${familyName}:1`);
  });
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });
  test('the create form still registers a definition through a plain form post', async ({ page }) => {
    const familyName = unique('td-nojs');
    await page.goto('/task-definitions/new');
    await page.getByLabel('Daemon task definition family').fill(familyName);
    await page.getByLabel('Task execution role').fill(ROLE);
    await fillContainer(page, 'agent', 'busybox:1', '0.5', '0.5');
    // Blank extra rows are there for browsers without scripts.
    await page.getByLabel('Key').nth(0).fill('FIRST');
    await page.getByLabel('Value').nth(0).fill('1');
    await page.getByLabel('Key').nth(1).fill('SECOND');
    await page.getByLabel('Value').nth(1).fill('2');
    await page.getByLabel('Auto-configure CloudWatch Logs').check();
    await page.getByLabel('Log group name').fill(`/ecs/${familyName}`);
    await page.getByRole('button', { name: 'Create', exact: true }).click();

    await expect(page).toHaveURL(new RegExp(`/task-definitions/${familyName}/1$`));
    await expect(page.locator('.td-arn')).toHaveText(new RegExp(`${familyName}:1$`));
    const row = page.getByRole('table', { name: 'Containers' }).getByRole('row').nth(1);
    await expect(row).toContainText('FIRST = 1');
    await expect(row).toContainText('SECOND = 2');
    await expect(row).toContainText(`/ecs/${familyName}`);
  });

  test('a mistake comes back with the message next to the field', async ({ page }) => {
    await page.goto('/task-definitions/new');
    await page.getByLabel('Daemon task definition family').fill('bad name!');
    await fillContainer(page, 'agent', 'busybox:1', '0.5', '0.5');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await expect(page).toHaveURL(/\/task-definitions\/new\?/);
    await expect(page.getByRole('alert').first()).toContainText('Fix the 1 highlighted field');
    await expect(page.locator('#td-family-error')).toContainText('can contain only letters, digits');
  });
});
