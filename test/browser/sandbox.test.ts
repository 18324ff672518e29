import { copyFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { CHROMIUM, chromiumPresent, launch, newSandboxPage, type SandboxPage } from './page-driver';
import { startNextGenSandbox, type NextGenSandbox } from './sandbox-environment';

/**
 * What `npm start` gives a newcomer (src/sandbox: the real bot, simulated Slack and Harness
 * NextGen), clicked through in Chromium: /apikey create -> approve as another person -> the
 * requester's DM -> reveal the token once -> /apikey audit. Each step checks what is on screen
 * and saves a screenshot to test-artifacts/ (sandbox-nextgen-*.png). The FirstGen flow is
 * sandbox-firstgen.test.ts. SAVE_DOCS_SCREENSHOT=1 also refreshes docs/sandbox.png.
 */
const [DEV, ADMIN1, OTHER] = ['U0DEV', 'U0ADMIN1', 'U0OTHER'];
const NAME = 'ci deployer';
const DOCS_SCREENSHOT = path.join(__dirname, '..', '..', 'docs', 'sandbox.png');

const present = chromiumPresent();
// CI installs Chromium (.ci/run): there a missing browser is a failure, not a skip.
if (!present && process.env.CI) throw new Error(`CI run without Chromium at ${CHROMIUM}: .ci/run installs it (apt-get install -y chromium)`);
if (!present) process.stderr.write(`SKIPPED test/browser/sandbox.test.ts: no Chromium at ${CHROMIUM} (apt-get install -y chromium)\n`);

(present ? describe : describe.skip)('the sandbox in a browser, NextGen: create -> approve -> DM -> reveal once -> audit', () => {
  let env: NextGenSandbox;
  let browser: Browser;
  let s: SandboxPage;
  let token = '';

  beforeAll(async () => {
    env = await startNextGenSandbox();
    browser = await launch();
    s = await newSandboxPage(browser, env.url, 'sandbox-nextgen');
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    await env?.close();
  });

  it('shows the workspace as the requester, marked sandbox', async () => {
    await s.open(DEV);
    expect(await s.page.locator('.sandbox-banner').innerText()).toContain('SANDBOX');
    expect(await s.page.locator('#person option').allInnerTexts()).toEqual(['dev (requester)', 'admin1 (approver 1)', 'admin2 (approver 2)', 'other (someone else)']);
    expect(await s.page.locator('#person option:checked').innerText()).toBe('dev (requester)');
    await s.page.locator('.connection.ok').waitFor();
    await s.screenshot('start');
  });

  it('opens the NextGen create modal from /apikey create', async () => {
    await s.openConversation('general');
    await s.type('/apikey create');
    await s.dialog.waitFor();
    expect(await s.dialog.locator('.modal-title').innerText()).toBe('New Harness API token');
    expect(await s.dialog.locator('.input-label').allInnerTexts()).toEqual(['Service account', 'API key name', 'Valid for (days)', 'Reason']);
    expect(await s.dialog.getByLabel('Valid for (days)').inputValue()).toBe('30');
    await s.screenshot('create-modal');
  });

  it('finds a service account by typing, and submits: the DM says it waits', async () => {
    await s.pick('Service account', '0007', 'Service account 0007 (sa_0007)');
    await s.dialog.getByLabel('API key name').fill(NAME);
    await s.dialog.getByLabel('Reason').fill('Deploys from CI');
    await s.screenshot('filled');
    await s.dialog.getByRole('button', { name: 'Request approval' }).click();
    await s.dialog.waitFor({ state: 'detached' });
    await s.openConversation('apikey-bot');
    expect(await (await s.message('waiting for an approver')).innerText()).toContain(NAME);
    await s.screenshot('requester-dm-pending');
  });

  it('someone else cannot approve: only they see the refusal', async () => {
    await s.switchTo(OTHER);
    await s.openConversation('apikey-approvals');
    await (await s.message(NAME)).getByRole('button', { name: 'Approve' }).click();
    const refusal = await s.message(/approver/i);
    expect(await refusal.innerText()).toContain('Only visible to you');
    await s.screenshot('refused');
  });

  it('approver 1 sees which service account and for how long, and approves', async () => {
    await s.switchTo(ADMIN1);
    await s.openConversation('apikey-approvals');
    const request = await s.message(NAME);
    expect(await request.innerText()).toMatch(/Service account 0007[\s\S]*sa_0007/);
    expect(await request.innerText()).toContain('30 days after approval');
    expect(await s.page.locator('#messages').innerText()).not.toMatch(/not an approver/i); // the refusal was not shown to them
    const shot = await s.screenshot('approval-request');
    if (process.env.SAVE_DOCS_SCREENSHOT === '1') copyFileSync(shot, DOCS_SCREENSHOT);
    await request.getByRole('button', { name: 'Approve' }).click();
    await s.page.locator('#messages .msg', { hasText: 'done' }).filter({ hasText: '(edited)' }).waitFor();
    expect(await s.page.locator('#messages .msg').getByRole('button', { name: 'Approve' }).count()).toBe(0);
    await s.screenshot('approved');
  });

  it("the requester's DM offers the token once: the modal shows it, then it is gone", async () => {
    await s.switchTo(DEV);
    await s.openConversation('apikey-bot');
    const dm = await s.message('Approved by');
    expect(await dm.innerText()).toContain('@admin1');
    expect(await dm.innerText()).toMatch(/shown once, only to you/);
    await s.screenshot('requester-dm-reveal');
    await dm.getByRole('button', { name: 'Reveal token' }).click();
    await s.dialog.waitFor();
    expect(await s.dialog.locator('.modal-title').innerText()).toBe('Your new token');
    token = await s.dialog.locator('code').first().innerText();
    expect(token).toMatch(/^sat\.acct_SANDBOX\.[0-9a-f]+\.[A-Za-z0-9]{20}$/);
    expect(await s.dialog.innerText()).toMatch(/shown this once; the bot keeps no copy/);
    await s.screenshot('reveal-modal');
    await s.dialog.getByRole('button', { name: 'Done' }).click();
    await s.dialog.waitFor({ state: 'detached' });
    await s.message('was revealed to you');
    expect(await s.page.getByRole('button', { name: 'Reveal token' }).count()).toBe(0);
    expect(await s.page.content()).not.toContain(token);
    await s.screenshot('revealed');
  });

  it('/apikey audit shows the approver every step, the reveal included', async () => {
    await s.switchTo(ADMIN1);
    await s.openConversation('general');
    await s.type(`/apikey audit ${NAME}`);
    const page = await s.message('Audit trail');
    const text = await page.innerText();
    expect(text).toContain('Only visible to you');
    for (const event of ['requested', 'approved', 'executed', 'revealed']) expect(text).toContain(event);
    expect(text).not.toContain(token);
    await s.screenshot('audit');
  });

  it('ends with no page error, no Slack rule broken, no warning from the bot or the simulators', async () => {
    expect(s.errors).toEqual([]);
    expect(await s.page.locator('#problems').isHidden()).toBe(true);
    expect(env.logs.filter((l) => l.startsWith('WARN') || l.startsWith('{'))).toEqual([]);
  });
});
