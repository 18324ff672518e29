import type { Browser } from 'playwright-core';
import { CHROMIUM, chromiumPresent, launch, newSandboxPage, type SandboxPage } from './page-driver';
import { startSandboxEnvironment, type SandboxEnvironment } from './sandbox-environment';

/**
 * The FirstGen flow through the sandbox page in Chromium, as a person clicks through it:
 * /apikey create -> modal -> type-ahead -> inline error -> fix -> approve (as an approver) ->
 * requester's DM -> /apikey audit, plus the page's own rendering rules (mrkdwn, confirm dialogs,
 * no script from bot text). Each step checks what is on screen and saves a screenshot to
 * test-artifacts/ (sandbox-firstgen-*.png). The NextGen flow, with its reveal-once token, is
 * sandbox.test.ts.
 */
const DEV = 'U0DEV';
const ADMIN1 = 'U0ADMIN1';
// A key name that would run script if the page ever used innerHTML on it.
const NAME = 'web-<img src=x onerror="window.__xss=1">';

const present = chromiumPresent();
// CI installs Chromium (.ci/run): there a missing browser is a failure, not a skip.
if (!present && process.env.CI) throw new Error(`CI run without Chromium at ${CHROMIUM}: .ci/run installs it (apt-get install -y chromium)`);
if (!present) process.stderr.write(`SKIPPED test/browser/sandbox-firstgen.test.ts: no Chromium at ${CHROMIUM} (apt-get install -y chromium)\n`);

(present ? describe : describe.skip)('Slack sandbox page in a browser, FirstGen: create -> approve -> DM -> audit', () => {
  let env: SandboxEnvironment;
  let browser: Browser;
  let s: SandboxPage;

  beforeAll(async () => {
    env = await startSandboxEnvironment();
    browser = await launch();
    s = await newSandboxPage(browser, env.sandbox.url, 'sandbox-firstgen');
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    await env?.close();
  });

  it('shows the workspace as the requester, marked sandbox', async () => {
    await s.open(DEV);
    expect(await s.page.locator('.sandbox-banner').innerText()).toContain('SANDBOX');
    expect(await s.page.locator('.sidebar .nav-item').allInnerTexts()).toEqual(['# general', '# apikey-approvals', '# apikey-audit', 'apikey-bot', 'App Home']);
    expect(await s.page.locator('#person option:checked').innerText()).toBe('dev (requester)');
    await s.page.locator('.connection.ok').waitFor();
    await s.screenshot('start');
  });

  it('opens the create modal from /apikey create', async () => {
    await s.type('/apikey create');
    await s.dialog.waitFor();
    expect(await s.dialog.locator('.modal-title').innerText()).toBe('New Harness API key');
    expect(await s.dialog.locator('.sandbox-tag').innerText()).toMatch(/sandbox/i);
    // The SANDBOX banner stays on top of the modal's backdrop (a trial click fails when covered).
    await s.page.locator('.sandbox-banner').click({ trial: true, timeout: 1000 });
    expect(await s.dialog.locator('.input-label').allInnerTexts()).toEqual(['Key name', 'Harness user groups', 'Reason']);
    await s.screenshot('create-modal');
  });

  it("searches the groups as one types and shows the bot's inline error", async () => {
    await s.dialog.getByLabel('Key name').fill(' web-app ');
    await s.pick('Harness user groups', 'team-024', 'team-0241');
    expect(await s.dialog.locator('.chip').innerText()).toContain('team-0241');
    await s.dialog.getByLabel('Reason').fill('Deploys the web app <!channel>');
    await s.screenshot('filled');
    await s.dialog.getByRole('button', { name: 'Request approval' }).click();
    const error = s.dialog.locator('[data-block-id="key_name"] .input-error');
    await error.waitFor();
    expect(await error.innerText()).toMatch(/spaces at the start or end/);
    // What was typed and chosen is still there.
    expect(await s.dialog.locator('.chip').innerText()).toContain('team-0241');
    await s.screenshot('inline-error');
  });

  it('submits once fixed: the modal closes and the DM says it waits', async () => {
    await s.dialog.getByLabel('Key name').fill(NAME);
    await s.dialog.getByRole('button', { name: 'Request approval' }).click();
    await s.dialog.waitFor({ state: 'detached' });
    await s.openConversation('apikey-bot');
    const dm = await s.message('waiting for an approver');
    expect(await dm.innerText()).toContain(NAME);
    expect(await s.page.locator('#composer').isVisible()).toBe(false);
    expect(await s.page.locator('#readonly-note').isVisible()).toBe(true);
    await s.screenshot('requester-dm-pending');
  });

  it('approver 1 sees the request and approves it; the message is updated in place', async () => {
    await s.switchTo(ADMIN1);
    await s.openConversation('apikey-approvals');
    const request = await s.message(`Create API key: ${NAME}`);
    expect(await request.innerText()).toContain('Deploys the web app <!channel>');
    expect(await request.locator('.mention.broadcast').count()).toBe(0);
    expect(await request.locator('.mention').first().innerText()).toBe('@dev');
    await s.screenshot('approval-request');
    await request.getByRole('button', { name: 'Approve' }).click();
    await s.page.locator('#messages .msg', { hasText: 'done' }).filter({ hasText: '(edited)' }).waitFor();
    expect(await s.page.locator('#messages .msg').getByRole('button', { name: 'Approve' }).count()).toBe(0);
    await s.screenshot('approved');
  });

  it("the requester's DM tells the outcome, with the key's uuid", async () => {
    await s.switchTo(DEV);
    await s.openConversation('apikey-bot');
    const uuid = [...env.harness.keys.entries()].find(([, k]) => k.name === NAME)![0];
    const dm = await s.message(uuid);
    expect(await dm.innerText()).toMatch(/Approved by @admin1/);
    await s.screenshot('requester-dm-done');
  });

  it('/apikey audit answers the approver only, in the channel it was typed in', async () => {
    await s.switchTo(ADMIN1);
    await s.openConversation('general');
    await s.type('/apikey audit');
    const page = await s.message('Audit trail');
    expect(await page.innerText()).toContain('Only visible to you');
    expect(await page.innerText()).toMatch(/executed/);
    await s.screenshot('audit-ephemeral');
    await s.switchTo(DEV);
    await s.page.locator('#messages .empty').waitFor();
    expect(await s.page.locator('#messages').innerText()).not.toContain('Audit trail');
  });

  it('the audit channel threads the events of the request', async () => {
    await s.switchTo(ADMIN1);
    await s.openConversation('apikey-audit');
    const root = await s.message('requested');
    await root.getByRole('button', { name: /replies/ }).click();
    await s.page.locator('#thread-messages .msg', { hasText: 'executed' }).waitFor();
    await s.screenshot('audit-thread');
  });

  it('App Home shows the approver what waits', async () => {
    await s.page.locator('#open-home').click();
    await s.page.locator('#home .block-header', { hasText: 'Harness API keys' }).waitFor();
    expect(await s.page.locator('#home').innerText()).toContain('Waiting for your decision');
    await s.screenshot('app-home');
  });

  it('renders mrkdwn safely and asks before a button with a confirm dialog', async () => {
    const text = '*bold* _italic_ `code` <https://example.com|a link> <@U0DEV> <#C0AUDIT> <!here> &lt;!channel&gt; <javascript:alert(1)|js>';
    const blocks = [
      { type: 'section', text: { type: 'mrkdwn', text } },
      { type: 'actions', elements: [{ type: 'button', action_id: 'noop', text: { type: 'plain_text', text: 'Careful' }, style: 'danger', confirm: { title: { type: 'plain_text', text: 'Sure?' }, text: { type: 'mrkdwn', text: 'Really *sure*?' }, confirm: { type: 'plain_text', text: 'Yes' }, deny: { type: 'plain_text', text: 'No' } } }] },
    ];
    const res = await fetch(`${env.sandbox.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${env.sandbox.botToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ channel: 'C0GENERAL', text: 'mrkdwn', blocks }),
    });
    expect(await res.json()).toMatchObject({ ok: true });
    await s.openConversation('general');
    const m = await s.message('a link');
    const section = m.locator('.section-text');
    expect(await section.locator('strong').innerText()).toBe('bold');
    expect(await section.locator('em').innerText()).toBe('italic');
    expect(await section.locator('code').innerText()).toBe('code');
    expect(await section.locator('a').getAttribute('href')).toBe('https://example.com');
    expect(await section.locator('a').count()).toBe(1);
    expect(await section.innerText()).toContain('js');
    expect(await m.locator('.mention').allInnerTexts()).toEqual(['@dev', '#apikey-audit', '@here']);
    expect(await m.innerText()).toContain('<!channel>');
    await m.getByRole('button', { name: 'Careful' }).click();
    const confirm = s.page.getByRole('alertdialog');
    expect(await confirm.innerText()).toContain('Really sure?');
    await s.screenshot('confirm-dialog');
    await confirm.getByRole('button', { name: 'No' }).click();
    await confirm.waitFor({ state: 'detached' });
  });

  it('ran no script from bot text and logged no page errors', async () => {
    expect(await s.page.evaluate(() => (globalThis as { __xss?: number }).__xss)).toBeUndefined();
    expect(await s.page.locator('img').count()).toBe(0);
    expect(s.errors).toEqual([]);
  });
});
