import { join } from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';

import { ensureChromium, settle } from '../../scripts/e2e/chromium';
import type { RunningN8n } from '../../scripts/n8n/instance';
import { OWNER, startN8n } from '../../scripts/n8n/instance';
import type { Sandbox } from '../sandbox';
import { startSandbox } from '../sandbox';
import { prepareN8n, screenshotsDir } from './n8n';

describe('the iMBRACE nodes in the n8n 2.x editor', () => {
	let sandbox: Sandbox;
	let n8n: RunningN8n | undefined;
	let browser: Browser | undefined;
	let page: Page;

	beforeAll(async () => {
		sandbox = await startSandbox();
		n8n = await startN8n(await prepareN8n(2, sandbox));
		// The flags keep Chromium from calling out to Google's services, which this network refuses.
		browser = await chromium.launch({
			executablePath: ensureChromium(),
			args: [
				'--no-sandbox',
				'--disable-gpu',
				'--disable-quic',
				'--no-first-run',
				'--disable-background-networking',
				'--disable-component-update',
				'--disable-sync',
			],
		});
		page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
	});

	afterAll(async () => {
		await browser?.close();
		await n8n?.stop();
		await sandbox?.close();
	});

	async function screenshot(name: string) {
		await settle(page);
		await page.screenshot({ path: join(screenshotsDir(), name) });
	}

	it('signs in from the address npm start prints and lands on the list of the examples', async () => {
		await page.goto(`${n8n!.url}/`);
		await page.waitForURL(/\/signin/);
		await page.fill('input[name="emailOrLdapLoginId"]', OWNER.email);
		await page.fill('input[name="password"]', OWNER.password);
		await page.click('[data-test-id="form-submit-button"]');
		await page.waitForURL((url) => url.pathname !== '/signin' && url.pathname !== '/');

		expect(new URL(page.url()).pathname).toBe('/home/workflows');
		const cards = page.locator('[data-test-id="workflow-card-name"]');
		await cards.filter({ hasText: 'iMBRACE: alert the lead' }).waitFor();
		expect((await cards.allTextContents()).map((text) => text.trim())).toEqual(
			expect.arrayContaining([
				'iMBRACE: alert the lead when conversations are overdue',
				'iMBRACE: answer new contact messages with a quick reply',
				'iMBRACE: daily report of messages about refunds',
				'iMBRACE: send a PDF from disk to a conversation',
			]),
		);
		// Still there once the editor has settled: n8n 2.x used to move on to its AI assistant.
		await settle(page);
		expect(new URL(page.url()).pathname).toBe('/home/workflows');
		await screenshot('workflows.png');
	});

	it('finds the iMBRACE node and every operation in the node panel', async () => {
		await page.goto(`${n8n!.url}/workflow/imbraceEscalate1`);
		await page.locator('[data-test-id="canvas-node"]').first().waitFor();
		// Under a Send node on the canvas: its operation's action, not raw values ("send: message").
		const canvas = page.locator('[data-test-id="canvas"]');
		expect(await canvas.getByText('Send a message', { exact: true }).count()).toBeGreaterThan(0);
		expect(await canvas.getByText('send: message').count()).toBe(0);
		await page.click('[data-test-id="node-creator-plus-button"]');
		await page.fill('[data-test-id="node-creator-search-bar"]', 'iMBRACE');
		await page.locator('[data-test-id="node-creator-item-name"]', { hasText: 'iMBRACE' }).click();
		const creator = page.locator('[data-test-id="node-creator"]');
		await creator.getByText('Send a message', { exact: true }).waitFor();
		const actions = page.locator(
			'[data-test-id="item-iterator-item"] [data-test-id="node-creator-item-name"]',
		);

		expect((await actions.allTextContents()).map((text) => text.trim())).toEqual(
			expect.arrayContaining([
				'Create a conversation',
				'Get conversation counts per channel type',
				'Get conversation counts per channel type for a team',
				'Get conversation counts per view',
				'Fetch messages by filter',
				'Get many messages',
				'Search messages',
				'Send a message',
			]),
		);
		await screenshot('node-panel.png');
	});

	it("opens the Send operation's parameters", async () => {
		await page.goto(`${n8n!.url}/workflow/imbraceSendFile1`);
		await page.locator('[data-test-id="canvas-node"]', { hasText: 'Send as PDF' }).dblclick();
		const panel = page.locator('[data-test-id="ndv"]');
		await panel.getByText('Input Binary Field', { exact: true }).waitFor();

		expect(await panel.getByText('Message Type', { exact: true }).count()).toBe(1);
		await screenshot('send-pdf.png');
	});

	it("opens the trigger's parameters", async () => {
		await page.goto(`${n8n!.url}/workflow/imbraceAutoReply`);
		await page
			.locator('[data-test-id="canvas-node"]', { hasText: 'New Contact Message' })
			.dblclick();
		const panel = page.locator('[data-test-id="ndv"]');
		await panel.getByText('Sender Types', { exact: true }).waitFor();

		expect(await panel.getByText('Watch', { exact: true }).count()).toBe(1);
		await screenshot('trigger.png');
	});
});
