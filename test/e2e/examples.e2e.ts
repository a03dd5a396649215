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

	it(`runs in n8n ${RUNTIMES[major].n8n}`, () => {
		expect(n8n.runtime.version).toBe(RUNTIMES[major].n8n);
	});

	it('escalation: reads the view counts and alerts the lead when too many are overdue', async () => {
		const counts = (await (
			await fetch(
				`${sandbox.url}/v2/backend/team_conversations/_views_count?type=business_unit_id&q=bu_imbrace_testing`,
				{
					headers: { 'x-access-token': sandbox.tokens.agent },
				},
			)
		).json()) as { overdue: number; rep_needed: number };
		sandbox.clearRequests();

		const run = await execute(n8n, 'imbraceEscalate1');

		expect(run.status).toBe('success');
		expect(outputOf(run, 'Get View Counts').map((item) => item.json)).toEqual([counts]);
		const alert = outputOf(run, 'Alert the Lead');
		expect(alert).toHaveLength(1);
		expect(alert[0].json).toMatchObject({
			type: 'text',
			content: {
				text: `${counts.overdue} conversations of the testing unit are overdue (${counts.rep_needed} wait for a reply). Please check the inbox.`,
			},
		});
		expect(sandbox.requests().map((request) => [request.method, request.path])).toEqual([
			ROUTE_PROBE,
			['GET', '/channel-service/v2/team_conversations/_views_count'],
			['POST', SEND],
		]);
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
