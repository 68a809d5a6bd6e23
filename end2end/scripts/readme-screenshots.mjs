// Takes the README's pictures from the embedded default, with a few daemons, requests and a
// rollout in progress: docs/dashboard.png, docs/daemon-page-rollout.png (mid-rollout),
// docs/change-request.png and docs/history.png. `make screenshots` starts a portal with a slow
// emulator clock and runs this against it (end2end/scripts/screenshots.sh); by hand:
//   BASE=http://127.0.0.1:3300 node end2end/scripts/readme-screenshots.mjs
import { chromium } from '@playwright/test';

const base = process.env.BASE ?? 'http://127.0.0.1:3300';
const docs = process.env.OUT_DIR ?? new URL('../../docs/', import.meta.url).pathname;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
});

/** A page signed in as `user` in a context of its own. */
async function signedIn(user) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.getByLabel('Username').fill(user);
  await page.getByLabel('Password').fill('demo-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  return page;
}

const admin = await signedIn('admin');
const alice = await signedIn('alice');
const post = async (page, endpoint, form) => {
  const res = await page.request.post(`${base}/api/${endpoint}`, {
    form,
    headers: { origin: base, accept: 'application/json' },
  });
  if (!res.ok()) throw new Error(`${endpoint}: ${res.status()} ${await res.text()}`);
  return res.json();
};
const td = (family, tag) => ({
  'form[family]': family,
  'form[execution_role]': 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
  'form[containers][0][name]': 'agent',
  'form[containers][0][image]': `amazon/${family}:${tag}`,
  'form[containers][0][essential]': 'on',
  'form[containers][0][cpu]': '0.5',
  'form[containers][0][memory]': '0.25',
});
const deploy = (cluster, name, providers, extra = {}) => {
  const form = {
    'form[cluster]': cluster,
    'form[daemon_name]': name,
    'form[family]': name,
    'form[drain_percent]': '25',
    'form[critical]': 'on',
    ...extra,
  };
  providers.forEach((p, i) => (form[`form[capacity_providers][${i}]`] = p));
  return form;
};
const waitEnded = async (name) => {
  for (let i = 0; i < 1200; i++) {
    const d = await post(admin, 'get-daemon', { cluster: 'default', name });
    if (d.deployment && !['PENDING', 'IN_PROGRESS'].includes(d.deployment.status)) return d;
    await admin.waitForTimeout(250);
  }
  throw new Error(`${name}: the deployment did not end`);
};

// Two daemons on cluster default, done; a request for prod waiting for approval.
for (const name of ['cloudwatch-agent', 'fluent-bit']) {
  await post(admin, 'create-task-definition', td(name, 'latest'));
  await post(admin, 'deploy-daemon', deploy('default', name, ['mi-general', 'mi-canary']));
}
const agent = await waitEnded('cloudwatch-agent');
await waitEnded('fluent-bit');
const pending = await post(alice, 'deploy-daemon', deploy('prod', 'fluent-bit', ['mi-prod-a', 'mi-prod-b']));

// A new revision of the agent, rolling out now.
await post(admin, 'create-task-definition', td('cloudwatch-agent', '1.300'));
await post(admin, 'deploy-daemon', deploy('default', 'cloudwatch-agent', ['mi-general', 'mi-canary'], {
  'form[daemon_arn]': agent.arn,
  'form[revision]': '2',
}));
await admin.goto(`${base}/daemons/default/cloudwatch-agent`);
const bar = admin.getByRole('progressbar', { name: 'Deployment progress' });
for (let i = 0; i < 600; i++) {
  const now = Number(await bar.getAttribute('aria-valuenow'));
  if (now >= 40 && now < 100) break;
  await admin.waitForTimeout(250);
}
const shot = async (page, file) => {
  await page.screenshot({ path: `${docs}${file}`, fullPage: true });
  console.log(`wrote docs/${file}`);
};
await shot(admin, 'daemon-page-rollout.png');
await admin.goto(`${base}/`);
await shot(admin, 'dashboard.png');
await admin.goto(`${base}/approvals/${pending.request.id}`);
await shot(admin, 'change-request.png');
await admin.goto(`${base}/history`);
await shot(admin, 'history.png');
await browser.close();
