import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { N8nInstance } from '../../scripts/n8n/instance';
import { execute, importWorkflows } from '../../scripts/n8n/instance';
import { EXAMPLES_DIR } from '../../scripts/n8n/examples';
import { CREDENTIALS } from '../workflows';
import { RUNTIMES } from '../../scripts/n8n/runtime';
import type { Major } from '../../scripts/n8n/runtime';
import type { Sandbox } from '../sandbox';
import { startSandbox } from '../sandbox';
import { outputOf, prepareN8n, startByHand } from './n8n';

// The credential finds out once per n8n process which routes the gateway serves: the sandbox
// serves both, answers this probe, and the node then uses the /channel-service routes.
const ROUTE_PROBE = ['GET', '/channel-service/v1/channels/_conv_count'];
const SEND = '/channel-service/v1/conversation_messages';
const ASSIGN = '/channel-service/v1/team_conversations/assign_team_member';
/** The seed's VIP team of the testing unit: the escalation example's "lead's team". */
const VIP = 't_3f2aa7e6-7ad0-4cdd-834f-539e66b13b55';

function byConversation<T extends { conversation_id: string }>(items: T[]): T[] {
	return [...items].sort((a, b) => a.conversation_id.localeCompare(b.conversation_id));
}

interface InboxRow {
	conversation_id: string;
	channel_id: string;
	name: string;
	contacts_latest_message: { created_at: string } | null;
}

/** A Code node makes the items (conversation n mod 3); the iMBRACE node sends them. */
function orderedSends(conversations: string[], texts: string[]) {
	const items = texts.map((text, n) => ({ conversation: conversations[n % 3], text }));
	return {
		id: 'imbraceOrderedSends',
		name: 'Send many items in order',
		active: false,
		nodes: [
			{
				id: 'ordered-1',
				name: 'Start',
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			{
				id: 'ordered-2',
				name: 'Items',
				type: 'n8n-nodes-base.code',
				typeVersion: 2,
				position: [200, 0],
				parameters: {
					jsCode: `return ${JSON.stringify(items)}.map((json) => ({ json }));`,
				},
			},
			{
				id: 'ordered-3',
				name: 'Send',
				type: 'n8n-nodes-imbrace.imbrace',
				typeVersion: 1,
				position: [400, 0],
				parameters: {
					resource: 'message',
					operation: 'send',
					conversationId: '={{ $json.conversation }}',
					messageType: 'text',
					text: '={{ $json.text }}',
				},
				credentials: CREDENTIALS,
			},
		],
		connections: {
			Start: { main: [[{ node: 'Items', type: 'main', index: 0 }]] },
			Items: { main: [[{ node: 'Send', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

describe.each<Major>([2, 1])('the examples in real n8n %s.x', (major) => {
	let sandbox: Sandbox;
	let n8n: N8nInstance;

	// As npm start does: the seed ends now, so the examples find recent data on their first run,
	// and they run as imported, with no data added (only a Manual Trigger in place of a schedule,
	// since n8n execute needs one to start from).
	beforeAll(async () => {
		sandbox = await startSandbox({ now: Date.now() });
		n8n = await prepareN8n(major, sandbox, startByHand);
	});
	beforeEach(() => sandbox.reset());
	afterAll(async () => sandbox?.close());

	/** The testing unit's inbox as the credential's agent sees it, every page. */
	async function inboxRows(view: string, channelType?: string): Promise<InboxRow[]> {
		const rows: InboxRow[] = [];
		for (let skip = 0; ; skip += 100) {
			const query = new URLSearchParams({
				type: 'business_unit_id',
				q: 'bu_imbrace_testing',
				view,
				limit: '100',
				skip: String(skip),
				...(channelType ? { channel_types: channelType } : {}),
			});
			const page = (await (
				await fetch(`${sandbox.url}/channel-service/v2/team_conversations?${query}`, {
					headers: { 'x-access-token': sandbox.tokens.agent },
				})
			).json()) as { data: InboxRow[] };
			rows.push(...page.data);
			if (page.data.length < 100) return rows;
		}
	}

	/**
	 * The bodies of the recorded requests of one method and path, by conversation: writes to
	 * different conversations may overlap, so they arrive in no fixed order.
	 */
	function bodiesOf(method: string, path: string) {
		return byConversation(
			sandbox
				.requests()
				.filter((request) => request.method === method && request.path === path)
				.map((request) => request.body as { conversation_id: string }),
		);
	}

	it(`runs in n8n ${RUNTIMES[major].n8n}`, () => {
		expect(n8n.runtime.version).toBe(RUNTIMES[major].n8n);
	});

	it('escalation: assigns each overdue conversation to VIP once and tells its contact', async () => {
		const overdue = await inboxRows('overdue');
		const conversations = [...new Set(overdue.map((row) => row.conversation_id))];
		// Some conversations wait in two teams' inboxes: one assignment and one message each.
		expect([overdue.length, conversations.length]).toEqual([77, 69]);
		sandbox.clearRequests();

		const run = await execute(n8n, 'imbraceEscalate1');

		expect(run.status).toBe('success');
		expect(outputOf(run, 'Get Overdue Conversations')).toHaveLength(77);
		expect(outputOf(run, 'Assign to the VIP Team').map((item) => item.json)).toEqual(
			conversations.map((conversation) => ({
				conversation_id: conversation,
				team_id: VIP,
				agent_id: null,
				assigned: true,
			})),
		);
		expect(outputOf(run, 'Tell the Contact')).toHaveLength(69);
		expect(bodiesOf('POST', ASSIGN)).toEqual(
			byConversation(
				conversations.map((conversation) => ({ conversation_id: conversation, team_id: VIP })),
			),
		);
		expect(bodiesOf('POST', SEND)).toEqual(
			byConversation(
				conversations.map((conversation) => ({
					conversation_id: conversation,
					type: 'text',
					text: 'Someone from our team is on it',
				})),
			),
		);
		for (const conversation of conversations) {
			const teams = sandbox.teamConversations(conversation).map((copy) => copy.teamId);
			expect(teams.filter((team) => team === VIP)).toHaveLength(1);
			const replies = sandbox
				.storedMessages(conversation)
				.filter((message) => message.from === sandbox.ids.agentUserId);
			expect(replies.at(-1)).toMatchObject({
				type: 'text',
				content: { text: 'Someone from our team is on it' },
			});
			expect(
				replies.filter(
					(message) =>
						(message.content as { text?: string }).text === 'Someone from our team is on it',
				),
			).toHaveLength(1);
		}
	});

	it('WhatsApp re-engagement: sends the approved template, by name, where the window has closed', async () => {
		const { whatsappChannelId, whatsappTemplateIds, whatsappOutsideWindowConversationId } =
			sandbox.inboxIds;
		const rows = await inboxRows('all', 'whatsapp');
		const closed = new Map<string, string>();
		for (const row of rows) {
			const wrote = Date.parse(String(row.contacts_latest_message?.created_at));
			const windowOpen = Date.now() - wrote < 24 * 3600_000;
			if (!windowOpen && row.channel_id === whatsappChannelId)
				closed.set(row.conversation_id, row.name);
		}
		expect(closed.size).toBe(13);
		expect(closed.has(whatsappOutsideWindowConversationId)).toBe(true);
		expect(closed.has(sandbox.inboxIds.whatsappInsideWindowConversationId)).toBe(false);
		sandbox.clearRequests();

		const run = await execute(n8n, 'imbraceWaReengage');

		expect(run.status).toBe('success');
		expect(outputOf(run, 'Send Appointment Reminder')).toHaveLength(13);
		expect(bodiesOf('POST', SEND)).toEqual(
			byConversation(
				[...closed].map(([conversation, name]) => ({
					conversation_id: conversation,
					type: 'whatsapp.template',
					template_id: whatsappTemplateIds.appointmentReminder,
					variables: [name],
				})),
			),
		);
		for (const [conversation, name] of closed) {
			expect(sandbox.storedMessages(conversation).at(-1)).toMatchObject({
				from: sandbox.ids.agentUserId,
				type: 'whatsapp.template',
				content: {
					text: `Hi ${name}, this is a reminder of your appointment tomorrow.`,
					variables: [name],
				},
			});
		}
		for (const row of rows.filter((row) => !closed.has(row.conversation_id))) {
			const types = sandbox.storedMessages(row.conversation_id).map((message) => message.type);
			expect(types).not.toContain('whatsapp.template');
		}
	});

	it('search and report: collects the last 24 hours of refund messages into one report', async () => {
		const started = Date.now();

		const run = await execute(n8n, 'imbraceRefundRpt');

		expect(run.status).toBe('success');
		const [report] = outputOf(run, 'Collect Into One Report');
		const messages = report.json.messages as Array<Record<string, unknown>>;
		const times = messages.map((message) => Date.parse(message.created_at as string));
		expect(times).toEqual([...times].sort((a, b) => a - b));
		for (const time of times) expect(started - time).toBeLessThan(24 * 3600_000);
		for (const message of messages) expect(message.text).toMatch(/refund/i);
		const fromContacts = messages.filter((message) => message.sender_type === 'contact');
		expect(fromContacts.length).toBeGreaterThanOrEqual(10);
		expect(fromContacts[0]).toEqual({
			id: expect.stringMatching(/^msg_/),
			conversation_id: expect.stringMatching(/^conv_/),
			business_unit_id: expect.stringMatching(/^bu_/),
			organization_id: 'org_imbrace',
			from: expect.stringMatching(/^con_/),
			sender_type: 'contact',
			type: 'text',
			text: 'I have not received my refund yet',
			url: null,
			caption: null,
			title: null,
			payload: null,
			created_at: expect.any(String),
		});
	});

	it('send a file: uploads the PDF it read from disk and sends it as a PDF message', async () => {
		const pdf = readFileSync(join(EXAMPLES_DIR, 'files', 'brochure.pdf'));

		const run = await execute(n8n, 'imbraceSendFile1');

		expect(run.status).toBe('success');
		const [probe, upload, message] = sandbox.requests();
		expect([probe.method, probe.path]).toEqual(ROUTE_PROBE);
		expect([upload.method, upload.path, message.method, message.path]).toEqual([
			'POST',
			`${SEND}/_fileupload`,
			'POST',
			SEND,
		]);
		expect(upload.body).toEqual({
			fields: { destination: 'application/pdf' },
			files: [
				{
					field: 'file',
					filename: 'brochure.pdf',
					contentType: 'application/pdf',
					size: pdf.length,
					sha256: createHash('sha256').update(pdf).digest('hex'),
				},
			],
		});
		const [sent] = outputOf(run, 'Send as PDF');
		const { url } = sent.json.content as { url: string };
		expect(message.body).toEqual({
			conversation_id: 'conv_9308aa1f-bd40-4c24-aea6-114d9298a756',
			type: 'pdf',
			url,
			caption: 'Our brochure',
		});
		expect(Buffer.from(await (await fetch(url)).arrayBuffer())).toEqual(pdf);
	});

	it('sends 60 items over 3 conversations in item order, at most 4 requests at once', async () => {
		const conversations = [1, 2, 3].map(() => sandbox.addConversation());
		const texts = Array.from({ length: 60 }, (_, n) => `Step ${n}`);
		await importWorkflows(n8n, [orderedSends(conversations, texts)]);
		sandbox.setJitter({ minMs: 0, maxMs: 30, seed: major });
		sandbox.clearRequests();
		sandbox.resetInFlight();

		const run = await execute(n8n, 'imbraceOrderedSends');

		expect(run.status).toBe('success');
		expect(outputOf(run, 'Send')).toHaveLength(60);
		expect(sandbox.inFlight().max).toBeLessThanOrEqual(4);
		for (const [index, conversation] of conversations.entries()) {
			const stored = (await (
				await fetch(`${sandbox.url}${SEND}?conversation_id=${conversation}&limit=100`, {
					headers: { 'x-access-token': sandbox.tokens.agent },
				})
			).json()) as { data: Array<{ content: { text: string } }> };
			expect(stored.data.map((message) => message.content.text).reverse()).toEqual(
				texts.filter((_, n) => n % 3 === index),
			);
		}
	});
});
