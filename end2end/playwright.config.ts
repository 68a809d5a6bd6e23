import { defineConfig } from '@playwright/test';
import { execFileSync } from 'node:child_process';

// One free loopback port per run. Workers re-evaluate this file, so the port chosen by the
// main process is passed down through the environment.
function freePort(): string {
  return execFileSync(process.execPath, [
    '-e',
    "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})",
  ])
    .toString()
    .trim();
}
process.env.E2E_PORT ??= freePort();
process.env.E2E_PORT_DEFAULT_SPEED ??= freePort();
const port = process.env.E2E_PORT;
const baseURL = `http://127.0.0.1:${port}`;
// A second portal whose emulator runs at its own default speed, for the tests tagged
// @default-speed (what a user of `make run` sees); the first one runs rollouts 30 times faster.
const defaultSpeedPort = process.env.E2E_PORT_DEFAULT_SPEED;
const defaultSpeedURL = `http://127.0.0.1:${defaultSpeedPort}`;

export default defineConfig({
  testDir: './tests',
  // Per run, so that two runs at once (two engineers, one machine) do not clobber each other.
  outputDir: `test-results/run-${port}`,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    launchOptions: {
      // Debian's Chromium; Playwright's own browser download is not reachable here.
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  projects: [
    { name: 'chromium', use: { browserName: 'chromium' }, grepInvert: /@default-speed/ },
    {
      name: 'default-speed',
      use: { browserName: 'chromium', baseURL: defaultSpeedURL },
      grep: /@default-speed/,
    },
  ],
  webServer: [
    {
      // The built portal on a fresh temporary database and a fresh embedded emulator.
      command: `./start-portal.sh ${port}`,
      url: `${baseURL}/readyz`,
      timeout: 120_000,
      reuseExistingServer: false,
      stdout: 'ignore',
      stderr: 'pipe',
    },
    {
      command: `PORTAL_SIM_SPEED=default ./start-portal.sh ${defaultSpeedPort}`,
      url: `${defaultSpeedURL}/readyz`,
      timeout: 120_000,
      reuseExistingServer: false,
      stdout: 'ignore',
      stderr: 'pipe',
    },
  ],
});
