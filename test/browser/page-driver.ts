import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

/**
 * Drives the Slack sandbox page the way a person does (switch person, open a channel, type,
 * click), and reads what is on screen. Steps of new flows (e.g. NextGen's reveal-once token)
 * reuse these.
 */
export const CHROMIUM = '/usr/bin/chromium';
export const chromiumPresent = () => existsSync(CHROMIUM);
export const ARTIFACTS = path.join(__dirname, '..', '..', 'test-artifacts');

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export class SandboxPage {
  /** Uncaught errors and console errors on the page: a test ends with none. */
  readonly errors: string[] = [];
  private shots = 0;

  constructor(
    readonly page: Page,
    readonly url: string,
    readonly prefix = 'sandbox',
  ) {
    page.on('pageerror', (e) => this.errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') this.errors.push(`console: ${m.text()}`);
    });
    mkdirSync(ARTIFACTS, { recursive: true });
  }

  async open(userId: string): Promise<void> {
    await this.page.goto(`${this.url}/?as=${userId}`);
    await this.page.locator(`body[data-me="${userId}"]`).waitFor();
  }

  /** The person switcher, as a person uses it. */
  async switchTo(userId: string): Promise<void> {
    await this.page.selectOption('#person', userId);
    await this.page.locator(`body[data-me="${userId}"]`).waitFor();
  }

  async openConversation(label: string): Promise<void> {
    await this.page.locator('.sidebar .nav-item', { hasText: label }).first().click();
    await this.page.locator('#conv-title', { hasText: label }).waitFor();
  }

  /** Types into the composer and presses Enter (a slash command when it starts with /). */
  async type(text: string): Promise<void> {
    await this.page.locator('#composer-input').fill(text);
    await this.page.locator('#composer-input').press('Enter');
  }

  get dialog(): Locator {
    return this.page.getByRole('dialog');
  }

  /** The message (in the main pane) whose text contains `text`, once it is on screen. */
  async message(text: string | RegExp, scope = '#messages'): Promise<Locator> {
    const found = this.page.locator(`${scope} .msg`).filter({ hasText: text }).last();
    await found.waitFor();
    return found;
  }

  /** Picks `option` in an external (multi) select after typing `query`. */
  async pick(label: string, query: string, option: string): Promise<void> {
    const input = this.dialog.getByLabel(label);
    await input.click();
    await input.fill(query);
    await this.dialog.getByRole('option', { name: option, exact: true }).click();
  }

  async screenshot(name: string): Promise<string> {
    const file = path.join(ARTIFACTS, `${this.prefix}-${String(++this.shots).padStart(2, '0')}-${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  text(locator: Locator): Promise<string> {
    return locator.innerText();
  }
}

/** A page of the sandbox at `url`, as both browser suites use it; screenshots named `<prefix>-…`. */
export async function newSandboxPage(browser: Browser, url: string, prefix: string): Promise<SandboxPage> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  page.setDefaultTimeout(8000);
  return new SandboxPage(page, url, prefix);
}
