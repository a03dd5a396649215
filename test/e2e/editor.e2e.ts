import { join } from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';

import { ensureChromium, settle } from '../../scripts/e2e/chromium';
import type { RunningN8n } from '../../scripts/n8n/instance';
import { OWNER, signIn, startN8n } from '../../scripts/n8n/instance';
import type { Sandbox } from '../sandbox';
import { startSandbox } from '../sandbox';
import { CREDENTIALS } from '../workflows';
import { prepareN8n, screenshotsDir } from './n8n';

const VIP = 't_3f2aa7e6-7ad0-4cdd-834f-539e66b13b55';

/** An ID parameter in "From list" mode, as the editor saves it. */
function fromList(value = '', cachedResultName?: string) {
	return { __rl: true, value, mode: 'list', ...(cachedResultName ? { cachedResultName } : {}) };
}

/**
 * One node per picker, each left in "From list" mode: the Send names the WhatsApp conversation
 * whose channel's templates the Template picker lists, the Assign the team whose agents it lists.
 */
function pickersWorkflow(whatsappConversationId: string) {
	const imbrace = (name: string, x: number, parameters: Record<string, unknown>) => ({
		id: `pickers-${x}`,
		name,
		type: 'n8n-nodes-imbrace.imbrace',
		typeVersion: 1.1,
		position: [x, 0],
		parameters,
		credentials: CREDENTIALS,
	});
	return {
		name: 'iMBRACE pickers',
		active: false,
		nodes: [
			{
				id: 'pickers-trigger',
				name: 'New Message in a Conversation',
				type: 'n8n-nodes-imbrace.imbraceTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: { scope: 'conversation', conversationId: fromList() },
				credentials: CREDENTIALS,
			},
			imbrace('Get a Conversation', 200, {
				resource: 'conversation',
				operation: 'get',
				conversationId: fromList(),
			}),
			imbrace('Get Many Conversations', 400, {
				resource: 'conversation',
				operation: 'getMany',
				businessUnitId: fromList(),
			}),
			imbrace('Assign a Conversation', 600, {
				resource: 'conversation',
				operation: 'assign',
				conversationId: fromList(),
				teamId: fromList(VIP, 'VIP'),
				agentId: fromList(),
			}),
			imbrace('Create a Conversation', 800, {
				resource: 'conversation',
				operation: 'create',
				additionalFields: { channelId: fromList(), contactId: fromList() },
			}),
			imbrace('Send a WhatsApp Template', 1000, {
				resource: 'message',
				operation: 'send',
				conversationId: fromList(whatsappConversationId, 'Amy Wong (whatsapp, active)'),
				messageType: 'whatsappTemplate',
				templateId: fromList(),
			}),
		],
		connections: {},
		settings: { executionOrder: 'v1' },
	};
}

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

	/** The names the open picker lists, once `ready` holds for them (or after 30 s). */
	async function pickerItems(ready: (names: string[]) => boolean): Promise<string[]> {
		const items = page.locator('[data-test-id="rlc-item"]:visible');
		const deadline = Date.now() + 30_000;
		for (;;) {
			const names = (await items.allTextContents()).map((text) => text.trim());
			if (ready(names) || Date.now() > deadline) return names;
			await page.waitForTimeout(250);
		}
	}

	let pickersWorkflowId: string | undefined;

	/**
	 * Saves the pickers workflow once, through n8n's own API and after the list of the examples
	 * has been photographed, so that the README's picture shows the examples alone.
	 */
	async function savedPickersWorkflow(): Promise<string> {
		if (pickersWorkflowId) return pickersWorkflowId;
		const response = await fetch(`${n8n!.url}/rest/workflows`, {
			method: 'POST',
			headers: { cookie: await signIn(n8n!.url), 'content-type': 'application/json' },
			body: JSON.stringify(pickersWorkflow(sandbox.inboxIds.whatsappOutsideWindowConversationId)),
		});
		expect(response.status).toBe(200);
		pickersWorkflowId = ((await response.json()) as { data: { id: string } }).data.id;
		return pickersWorkflowId;
	}

	/** Opens a node of the pickers workflow and the list of one of its ID parameters. */
	async function openPicker(nodeName: string, parameter: string) {
		await page.goto(`${n8n!.url}/workflow/${await savedPickersWorkflow()}`);
		await page.locator('[data-test-id="canvas-node"]', { hasText: nodeName }).dblclick();
		const locator = page.locator(
			`[data-test-id="ndv"] [data-test-id="resource-locator-${parameter}"]`,
		);
		await locator.locator('[data-test-id="rlc-input"]').click();
	}

	async function searchPicker(text: string) {
		await page
			.locator(
				'input[data-test-id="rlc-search"]:visible, [data-test-id="rlc-search"]:visible input',
			)
			.fill(text);
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
		await cards.filter({ hasText: 'iMBRACE: hand overdue' }).waitFor();
		expect((await cards.allTextContents()).map((text) => text.trim())).toEqual(
			expect.arrayContaining([
				'iMBRACE: hand overdue conversations to the VIP team',
				'iMBRACE: re-engage WhatsApp contacts with an approved template',
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
				'Assign a conversation',
				'Close a conversation',
				'Create a conversation',
				'Get a conversation',
				'Get many conversations',
				'Reopen a conversation',
				'Unassign a conversation',
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

	// Each picker: what it lists first, then what a search leaves (every name holds the text).
	const PICKERS: Array<{
		node: string;
		parameter: string;
		lists: string[];
		search: string;
		finds: string[];
	}> = [
		{
			node: 'Get a Conversation',
			parameter: 'conversationId',
			lists: ['Guest#141928 (web, active)', 'Wing Ho (whatsapp, rep needed)'],
			search: 'Amy Wong',
			finds: ['Amy Wong (whatsapp, active)', 'Amy Wong (facebook, overdue)'],
		},
		{
			node: 'Get Many Conversations',
			parameter: 'businessUnitId',
			lists: ['iMBRACE Testing', 'Sales', 'Franchise'],
			search: 'sal',
			finds: ['Sales'],
		},
		{
			node: 'Assign a Conversation',
			parameter: 'teamId',
			lists: ['Night shift', 'VIP', 'Default team'],
			search: 'VIP',
			finds: ['VIP'],
		},
		{
			node: 'Assign a Conversation',
			parameter: 'agentId',
			lists: ['Grace Tan (grace.tan@imbrace.test)', 'Alice Chan (alice.chan@imbrace.test)'],
			search: 'grace',
			finds: ['Grace Tan (grace.tan@imbrace.test)'],
		},
		{
			node: 'Create a Conversation',
			parameter: 'contactId',
			lists: ['Amy Lim (+852 5112 3411)', 'Guest#641262 (guest.641262@mail.test)'],
			search: 'Amy Lim',
			finds: ['Amy Lim (+852 5112 3411)'],
		},
		{
			node: 'Create a Conversation',
			parameter: 'channelId',
			lists: ['Website (web)', 'WhatsApp HK (whatsapp)', 'LINE (line)'],
			search: 'whatsapp',
			finds: ['WhatsApp HK (whatsapp)', 'WhatsApp Sales (whatsapp)'],
		},
		{
			node: 'Send a WhatsApp Template',
			parameter: 'templateId',
			lists: ['welcome (en_US)', 'appointment_reminder (en_US)', 'order_update (en_US)'],
			search: 'order',
			finds: ['order_update (en_US)'],
		},
		{
			node: 'New Message in a Conversation',
			parameter: 'conversationId',
			lists: ['Guest#141928 (web, active)', 'Wing Ho (whatsapp, rep needed)'],
			search: 'Amy Wong',
			finds: ['Amy Wong (whatsapp, active)'],
		},
	];

	it.each(PICKERS)(
		"lists the sandbox's items in $node's $parameter picker, and searches them",
		async ({ node, parameter, lists, search, finds }) => {
			await openPicker(node, parameter);
			const listed = await pickerItems((names) => lists.every((name) => names.includes(name)));

			expect(listed).toEqual(expect.arrayContaining(lists));

			await searchPicker(search);
			const found = await pickerItems(
				(names) =>
					finds.every((name) => names.includes(name)) &&
					names.every((name) => name.toLowerCase().includes(search.toLowerCase())),
			);

			expect(found).toEqual(expect.arrayContaining(finds));
			for (const name of found) expect(name.toLowerCase()).toContain(search.toLowerCase());
		},
	);

	it('shows the Template picker of a WhatsApp conversation, its approved templates only', async () => {
		await openPicker('Send a WhatsApp Template', 'templateId');
		const listed = await pickerItems((names) => names.length >= 3);

		expect(listed).toEqual([
			'welcome (en_US)',
			'appointment_reminder (en_US)',
			'order_update (en_US)',
		]);
		await screenshot('template-picker.png');
	});
});
