// Send and Wait for Response in a running n8n 2.x: the message with its links reaches the
// sandbox, a plain HTTP client plays the contact (and a link preview), and n8n's AI Agent asks
// through the node's "Human review" tool (imbraceHitlTool) before a gated tool may run.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

import type { IRunExecutionData } from 'n8n-workflow';

import type { N8nInstance, RunningN8n } from '../../scripts/n8n/instance';
import {
	importFiles,
	importWorkflows,
	mustRun,
	signIn,
	startN8n,
} from '../../scripts/n8n/instance';
import type { RecordedRequest, Sandbox } from '../sandbox';
import { nextRequest, startSandbox } from '../sandbox';
import { CREDENTIALS } from '../workflows';
import type { ChatModelStub } from './chat-model-stub';
import { startChatModelStub } from './chat-model-stub';
import { prepareN8n } from './n8n';

const ASK_ID = 'imbraceSendAndWait';
const AGENT_ID = 'imbraceHitlAgent';
const OPENAI_CREDENTIAL = { id: 'openAiStub00001', name: 'OpenAI stub' };
const REPLY = 'Your refund of order 1042 is on its way.';
const BROWSER =
	'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const SEND_PATHS = [
	'/channel-service/v1/conversation_messages',
	'/v1/backend/conversation_messages',
];
/** n8n resumes a wait whose time is up at its next check of waiting executions (every minute). */
const TIMEOUT_GRACE_MS = 100_000;

function webhookNode(path: string) {
	return {
		id: `${path}-webhook`,
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [0, 0],
		webhookId: `${path}-webhook-id`,
		parameters: { httpMethod: 'POST', path, options: {} },
	};
}

/** Limit Wait Time, in minutes from the request that starts the run. */
const LIMIT_FROM_REQUEST = {
	limitWaitTime: {
		values: {
			limitType: 'afterTimeInterval',
			resumeAmount: "={{ $('Webhook').first().json.body.waitMinutes }}",
			resumeUnit: 'minutes',
		},
	},
};

/** Webhook → Send and Wait for Response, in the conversation the request names. */
function askWorkflow() {
	return {
		id: ASK_ID,
		name: 'Ask for approval',
		active: false,
		nodes: [
			webhookNode('send-and-wait'),
			{
				id: '5e7d0a4c-1111-4c1e-9a51-000000000001',
				name: 'Ask for approval',
				type: 'n8n-nodes-imbrace.imbrace',
				typeVersion: 1,
				position: [220, 0],
				parameters: {
					resource: 'message',
					operation: 'sendAndWait',
					conversationId: '={{ $json.body.conversation }}',
					message: 'May we refund order 1042?',
					approvalOptions: {
						values: { approvalType: 'double', approveLabel: 'Yes, refund', disapproveLabel: 'No' },
					},
					options: LIMIT_FROM_REQUEST,
				},
				credentials: CREDENTIALS,
			},
		],
		connections: { Webhook: { main: [[{ node: 'Ask for approval', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

/** Webhook → AI Agent, whose tool "Send reply" is gated by the node's Human review tool. */
function agentWorkflow() {
	return {
		id: AGENT_ID,
		name: 'Agent asks before it replies',
		active: false,
		nodes: [
			webhookNode('hitl-agent'),
			{
				id: '5e7d0a4c-2222-4c1e-9a51-000000000001',
				name: 'AI Agent',
				type: '@n8n/n8n-nodes-langchain.agent',
				typeVersion: 3.1,
				position: [220, 0],
				parameters: { promptType: 'define', text: '={{ $json.body.text }}', options: {} },
			},
			{
				id: '5e7d0a4c-2222-4c1e-9a51-000000000002',
				name: 'OpenAI Chat Model',
				type: '@n8n/n8n-nodes-langchain.lmChatOpenAi',
				typeVersion: 1.3,
				position: [120, 200],
				parameters: {
					model: { __rl: true, mode: 'id', value: 'gpt-4o-mini' },
					responsesApiEnabled: false,
					options: {},
				},
				credentials: { openAiApi: OPENAI_CREDENTIAL },
			},
			{
				id: '5e7d0a4c-2222-4c1e-9a51-000000000003',
				name: 'Ask the contact',
				type: 'n8n-nodes-imbrace.imbraceHitlTool',
				typeVersion: 1,
				position: [320, 200],
				parameters: {
					conversationId: "={{ $('Webhook').first().json.body.conversation }}",
					approvalOptions: { values: { approvalType: 'double' } },
					options: LIMIT_FROM_REQUEST,
				},
				credentials: CREDENTIALS,
			},
			{
				id: '5e7d0a4c-2222-4c1e-9a51-000000000004',
				name: 'Send reply',
				type: 'n8n-nodes-imbrace.imbraceTool',
				typeVersion: 1,
				position: [320, 400],
				parameters: {
					resource: 'message',
					operation: 'send',
					conversationId: "={{ $('Webhook').first().json.body.conversation }}",
					messageType: 'text',
					text: "={{ $fromAI('reply', 'The reply to send to the contact', 'string') }}",
				},
				credentials: CREDENTIALS,
			},
		],
		connections: {
			Webhook: { main: [[{ node: 'AI Agent', type: 'main', index: 0 }]] },
			'OpenAI Chat Model': {
				ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]],
			},
			'Ask the contact': { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
			'Send reply': { ai_tool: [[{ node: 'Ask the contact', type: 'ai_tool', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

const isSend = (request: RecordedRequest) =>
	request.method === 'POST' && SEND_PATHS.includes(request.path);
const bodyOf = (request: RecordedRequest) =>
	request.body as { conversation_id?: string; type?: string; text?: string };

/** The links of a sent message's text, by label. */
function linksOf(text: string): Record<string, string> {
	return Object.fromEntries(
		[...text.matchAll(/^(.+): (http\S+)$/gm)].map(([, label, url]) => [label, url]),
	);
}

describe('Send and Wait for Response in a running n8n 2.x', () => {
	let sandbox: Sandbox;
	let stub: ChatModelStub;
	let instance: N8nInstance;
	let n8n: RunningN8n | undefined;
	let cookie: string;
	let parse: (text: string) => IRunExecutionData;
	const conversations: Record<string, string> = {};

	beforeAll(async () => {
		sandbox = await startSandbox();
		for (const name of ['ask', 'askTimeout', 'agentApprove', 'agentDecline', 'agentTimeout'])
			conversations[name] = sandbox.addConversation();
		stub = await startChatModelStub(REPLY);
		instance = await prepareN8n(2, sandbox);
		const credentialFile = join(instance.userFolder, 'import', 'openai-stub.json');
		writeFileSync(
			credentialFile,
			JSON.stringify([
				{ ...OPENAI_CREDENTIAL, type: 'openAiApi', data: { apiKey: 'sk-stub', url: stub.url } },
			]),
		);
		await importFiles(instance, { credentials: [credentialFile] });
		await importWorkflows(instance, [askWorkflow(), agentWorkflow()]);
		await mustRun(instance, ['publish:workflow', `--id=${ASK_ID}`]);
		await mustRun(instance, ['publish:workflow', `--id=${AGENT_ID}`]);
		n8n = await startN8n(instance);
		cookie = await signIn(n8n.url);
		// n8n keeps execution data in flatted's format; its own copy reads it.
		const flatted = createRequire(
			join(instance.runtime.dir, 'node_modules', 'n8n', 'package.json'),
		)('flatted') as { parse: (text: string) => IRunExecutionData };
		parse = flatted.parse;
		await registered('send-and-wait');
		await registered('hitl-agent');
	});

	afterAll(async () => {
		await n8n?.stop();
		await stub?.close();
		await sandbox?.close();
	});

	/** Starts a run through its webhook and answers the message it sent into `conversation`. */
	async function start(path: string, body: object, conversation: string) {
		const asked = nextRequest(
			sandbox,
			(request) => isSend(request) && bodyOf(request).conversation_id === conversation,
			60_000,
		);
		const response = await fetch(`${n8n!.url}/webhook/${path}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ ...body, conversation }),
		});
		expect(response.status).toBe(200);
		const text = bodyOf(await asked).text ?? '';
		const links = Object.fromEntries(
			Object.entries(linksOf(text)).map(([label, link]) => [
				label,
				// n8n names itself localhost; it listens on 127.0.0.1 only.
				link.replace('://localhost:', '://127.0.0.1:'),
			]),
		);
		const executionId = new URL(Object.values(links)[0]).pathname.split('/')[2];
		// The message goes out before n8n has stored the run as waiting; until then n8n answers a
		// link with 409 (running).
		await until(executionId, (status) => status === 'waiting', 30_000);
		return { text, links, executionId };
	}

	async function execution(id: string) {
		const response = await fetch(`${n8n!.url}/rest/executions/${id}`, { headers: { cookie } });
		const { data } = (await response.json()) as { data: { status: string; data: string } };
		return { status: data.status, data: parse(data.data) };
	}

	async function until(id: string, done: (status: string) => boolean, withinMs: number) {
		const deadline = Date.now() + withinMs;
		for (;;) {
			const found = await execution(id);
			if (done(found.status)) return found;
			if (Date.now() > deadline) throw new Error(`Execution ${id} is still ${found.status}`);
			await new Promise((resolve) => setTimeout(resolve, 500));
		}
	}

	async function finished(id: string, withinMs: number) {
		return await until(id, (status) => !['waiting', 'running', 'new'].includes(status), withinMs);
	}

	/**
	 * n8n answers /healthz/readiness before it has registered every published workflow's webhook:
	 * waits until a webhook is there (a GET then says to use POST, rather than "not registered").
	 */
	async function registered(path: string) {
		const deadline = Date.now() + 60_000;
		while (Date.now() < deadline) {
			const answer = await (await fetch(`${n8n!.url}/webhook/${path}`)).text();
			if (answer.includes('make a POST request')) return;
			await new Promise((resolve) => setTimeout(resolve, 500));
		}
		throw new Error(`n8n did not register the webhook ${path}`);
	}

	function open(link: string, method: 'GET' | 'POST', userAgent = BROWSER) {
		return fetch(link, {
			method,
			headers: {
				'user-agent': userAgent,
				...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
			},
			body: method === 'POST' ? 'confirm=1' : undefined,
		});
	}

	const output = (data: IRunExecutionData, node: string) =>
		data.resultData.runData[node]?.at(-1)?.data?.main?.[0]?.map((item) => item.json) ?? [];

	let timeouts: Promise<{
		ask: Awaited<ReturnType<typeof start>>;
		agent: Awaited<ReturnType<typeof start>>;
	}>;

	it('offers the node as a Human review tool for agents (imbraceHitlTool)', async () => {
		// Both runs that wait out their limit start first: n8n looks for them once a minute.
		timeouts = (async () => ({
			ask: await start('send-and-wait', { waitMinutes: 0.05 }, conversations.askTimeout),
			agent: await start(
				'hitl-agent',
				{ waitMinutes: 0.05, text: 'Please refund order 1042' },
				conversations.agentTimeout,
			),
		}))();
		const response = await fetch(`${n8n!.url}/types/nodes.json`, { headers: { cookie } });
		const names = ((await response.json()) as Array<{ name: string }>).map(({ name }) => name);

		expect(names).toContain('n8n-nodes-imbrace.imbrace');
		expect(names).toContain('n8n-nodes-imbrace.imbraceHitlTool');
		await timeouts;
	});

	it('waits through the page, a link preview and a changed link; the person’s POST approves', async () => {
		const { text, links, executionId } = await start(
			'send-and-wait',
			{ waitMinutes: 10 },
			conversations.ask,
		);
		expect(text).toMatch(/^May we refund order 1042\?\n\nYes, refund: http\S+\nNo: http\S+$/);
		const approve = links['Yes, refund'];

		const page = await open(approve, 'GET');
		expect(page.status).toBe(200);
		expect(await page.text()).toContain('<form method="post" action="">');
		expect((await execution(executionId)).status).toBe('waiting');

		const preview = await open(approve, 'POST', 'WhatsApp/2.24.1.6 A');
		expect(preview.status).toBe(403);
		const noAgent = await open(approve, 'POST', '');
		expect(noAgent.status).toBe(403);
		const changed = new URL(links.No);
		changed.searchParams.set('approved', 'true');
		expect((await open(changed.toString(), 'POST')).status).toBe(401);
		expect((await execution(executionId)).status).toBe('waiting');

		const answer = await open(approve, 'POST');
		expect(answer.status).toBe(200);
		expect(await answer.text()).toContain('Your answer has been recorded');
		const done = await finished(executionId, 30_000);
		expect(done.status).toBe('success');
		const [sent] = sandbox
			.requests()
			.filter(
				(request) => isSend(request) && bodyOf(request).conversation_id === conversations.ask,
			);
		expect(output(done.data, 'Ask for approval')).toEqual([
			{
				data: { approved: true },
				message_id: expect.stringMatching(/^msg_/),
				conversation_id: conversations.ask,
				answered_at: expect.any(String),
			},
		]);
		expect(sent).toBeDefined();

		// The link again, now that the run went on: n8n answers it, and nothing changes.
		const again = await open(links.No, 'POST');
		expect(await again.text()).not.toContain('Your answer has been recorded');
		expect((await execution(executionId)).status).toBe('success');
	});

	it('lets the agent run the gated tool once the contact approves', async () => {
		const { text, links, executionId } = await start(
			'hitl-agent',
			{ waitMinutes: 10, text: 'Please refund order 1042' },
			conversations.agentApprove,
		);
		expect(text).toContain('The agent wants to run this tool: Send_reply');
		const replied = nextRequest(
			sandbox,
			(request) =>
				isSend(request) &&
				bodyOf(request).conversation_id === conversations.agentApprove &&
				bodyOf(request).text === REPLY,
			60_000,
		);

		expect((await open(links.Approve, 'POST')).status).toBe(200);

		await replied;
		const done = await finished(executionId, 60_000);
		expect(done.status).toBe('success');
		expect(String(output(done.data, 'AI Agent')[0]?.output)).toContain('Final answer.');
	});

	it('keeps the gated tool from running when the contact declines', async () => {
		const { links, executionId } = await start(
			'hitl-agent',
			{ waitMinutes: 10, text: 'Please refund order 1042' },
			conversations.agentDecline,
		);

		expect((await open(links.Decline, 'POST')).status).toBe(200);

		const done = await finished(executionId, 60_000);
		expect(done.status).toBe('success');
		expect(String(output(done.data, 'AI Agent')[0]?.output)).toContain(
			'User rejected the tool call',
		);
		const sends = sandbox
			.requests()
			.filter(
				(request) =>
					isSend(request) && bodyOf(request).conversation_id === conversations.agentDecline,
			);
		expect(sends).toHaveLength(1);
	});

	it('goes on without an answer when the time is up, and the agent’s tool does not run', async () => {
		const { ask, agent } = await timeouts;

		const askDone = await finished(ask.executionId, TIMEOUT_GRACE_MS);
		expect(askDone.status).toBe('success');
		// No answer: the node passes its input on, as n8n's own Send and Wait nodes do.
		const [item] = output(askDone.data, 'Ask for approval') as Array<{
			data?: unknown;
			body?: unknown;
		}>;
		expect(item.data).toBeUndefined();
		expect(item.body).toMatchObject({ waitMinutes: 0.05, conversation: conversations.askTimeout });

		const agentDone = await finished(agent.executionId, TIMEOUT_GRACE_MS);
		expect(agentDone.status).toBe('success');
		expect(String(output(agentDone.data, 'AI Agent')[0]?.output)).toContain(
			'User rejected the tool call',
		);
		const sends = sandbox
			.requests()
			.filter(
				(request) =>
					isSend(request) && bodyOf(request).conversation_id === conversations.agentTimeout,
			);
		expect(sends).toHaveLength(1);
	});
});
