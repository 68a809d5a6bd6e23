// Takes docs/daemon-page-rollout.png: the daemon page mid-rollout. Run against a portal started
// with a slow emulator clock, e.g.:
//   PORTAL_LISTEN=127.0.0.1:3300 PORTAL_SIM_SPEED=3 DATABASE_URL=sqlite:///tmp/shot.db \
//     PORTAL_SIM_STATE_FILE=memory target/debug/server &
//   BASE=http://127.0.0.1:3300 node end2end/scripts/readme-screenshot.mjs
import { chromium } from '@playwright/test';

const base = process.env.BASE ?? 'http://127.0.0.1:3300';
const out = process.env.OUT ?? '../docs/daemon-page-rollout.png';
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
await page.goto(`${base}/login`);
await page.getByLabel('Username').fill('admin');
await page.getByLabel('Password').fill('demo-password');
await page.getByRole('button', { name: 'Sign in' }).click();
await page.waitForURL((u) => !u.pathname.startsWith('/login'));

const post = async (endpoint, form) => {
  const res = await page.request.post(`${base}/api/${endpoint}`, { form, headers: { origin: base } });
  if (!res.ok()) throw new Error(`${endpoint}: ${res.status()} ${await res.text()}`);
};
const td = (tag) => ({
  'form[family]': 'cloudwatch-agent-daemon',
  'form[execution_role]': 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
  'form[containers][0][name]': 'cwagent',
  'form[containers][0][image]': `amazon/cloudwatch-agent:${tag}`,
  'form[containers][0][essential]': 'on',
  'form[containers][0][cpu]': '1',
  'form[containers][0][memory]': '0.5',
});
const deploy = (extra) => ({
  'form[cluster]': 'default',
  'form[daemon_name]': 'cloudwatch-agent',
  'form[family]': 'cloudwatch-agent-daemon',
  'form[capacity_providers][0]': 'mi-general',
  'form[capacity_providers][1]': 'mi-canary',
  'form[drain_percent]': '25',
  'form[critical]': 'on',
  ...extra,
});
await post('create-task-definition', td('latest'));
await post('deploy-daemon', deploy({}));
await page.goto(`${base}/daemons/default/cloudwatch-agent`);
await page.locator('.panel.deployment .badge').first().filter({ hasText: /^SUCCESSFUL$/ }).waitFor({ timeout: 300_000 });
await post('create-task-definition', td('1.300'));
const d = await (await page.request.post(`${base}/api/get-daemon`, { form: { cluster: 'default', name: 'cloudwatch-agent' }, headers: { origin: base } })).json();
await post('deploy-daemon', deploy({ 'form[daemon_arn]': d.arn, 'form[revision]': '2' }));
await page.goto(`${base}/daemons/default/cloudwatch-agent`);
const bar = page.getByRole('progressbar', { name: 'Deployment progress' });
for (let i = 0; i < 600; i++) {
  const now = Number(await bar.getAttribute('aria-valuenow'));
  if (now >= 40 && now < 100) break;
  await page.waitForTimeout(250);
}
await page.screenshot({ path: out, fullPage: true });
console.log(`wrote ${out}`);
await browser.close();
