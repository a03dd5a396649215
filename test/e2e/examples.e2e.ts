import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { N8nInstance } from '../../scripts/n8n/instance';
import { execute } from '../../scripts/n8n/instance';
import { EXAMPLES_DIR } from '../../scripts/n8n/examples';
import { RUNTIMES } from '../../scripts/n8n/runtime';
import type { Major } from '../../scripts/n8n/runtime';
import type { Sandbox } from '../sandbox';
import { startSandbox } from '../sandbox';
import { outputOf, prepareN8n, startByHand } from './n8n';

const SEND = '/v1/backend/conversation_messages';

describe.each<Major>([2, 1])('the examples in real n8n %s.x', (major) => {
	let sandbox: Sandbox;
	let n8n: N8nInstance;

	beforeAll(async () => {
		sandbox = await startSandbox();
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
			['GET', '/v2/backend/team_conversations/_views_count'],
			['POST', SEND],
		]);
	});

	it('search and report: collects the day’s refund messages into one simplified report', async () => {
		const conversationId = sandbox.ids.contactConversationId;
		const refunds = sandbox.addMessages({ conversationId, count: 3, text: 'Where is my refund?' });
		sandbox.addMessages({ conversationId, count: 2, text: 'Thank you' });

		const run = await execute(n8n, 'imbraceRefundRpt');

		expect(run.status).toBe('success');
		const [report] = outputOf(run, 'Collect Into One Report');
		const messages = report.json.messages as Array<Record<string, unknown>>;
		expect(messages.map((message) => message.id)).toEqual(refunds.map((message) => message.id));
		expect(messages[0]).toEqual({
			id: refunds[0].id,
			conversation_id: conversationId,
			business_unit_id: 'bu_imbrace_testing',
			organization_id: 'org_imbrace',
			from: sandbox.ids.contactId,
			sender_type: 'contact',
			type: 'text',
			text: 'Where is my refund?',
			url: null,
			caption: null,
			title: null,
			payload: null,
			created_at: refunds[0].created_at,
		});
	});

	it('send a file: uploads the PDF it read from disk and sends it as a PDF message', async () => {
		const pdf = readFileSync(join(EXAMPLES_DIR, 'files', 'brochure.pdf'));

		const run = await execute(n8n, 'imbraceSendFile1');

		expect(run.status).toBe('success');
		const [upload, message] = sandbox.requests();
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
});
