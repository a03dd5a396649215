import type { N8nInstance, RunningN8n } from '../../scripts/n8n/instance';
import { sandboxCredential } from '../../scripts/n8n/examples';
import { importWorkflows, mustRun, signIn, startN8n } from '../../scripts/n8n/instance';
import type { RecordedRequest, Sandbox } from '../sandbox';
import { nextRequest, startSandbox } from '../sandbox';
import { REPLY_LOOP_ID, replyLoopWorkflow } from '../workflows';
import { prepareN8n } from './n8n';

/** A poll of the whole organization: a request to the message index (search or fetch). */
const isPoll = (request: RecordedRequest) =>
	request.path.startsWith('/v1/backend/meilisearch/org_imbrace/');
/** Sending a message, by either family of routes a gateway serves (nodes/shared/transport/routes.ts). */
const SEND_PATHS = [
	'/channel-service/v1/conversation_messages',
	'/v1/backend/conversation_messages',
];
const isSend = (request: RecordedRequest) =>
	request.method === 'POST' && SEND_PATHS.includes(request.path);

describe('the auto-reply example, active in a running n8n 2.x', () => {
	let sandbox: Sandbox;
	let instance: N8nInstance;
	let n8n: RunningN8n | undefined;
	let cookie: string;
	let loopConversation: string;
	const isLoopPoll = (request: RecordedRequest) =>
		request.method === 'GET' && request.query.conversation_id === loopConversation;

	beforeAll(async () => {
		sandbox = await startSandbox();
		loopConversation = sandbox.addConversation();
		instance = await prepareN8n(2, sandbox);
		await importWorkflows(instance, [replyLoopWorkflow(loopConversation)]);
		await mustRun(instance, ['publish:workflow', '--id=imbraceAutoReply']);
		await mustRun(instance, ['publish:workflow', `--id=${REPLY_LOOP_ID}`]);
		// n8n polls once when it activates the workflow: that poll only marks where things stand.
		const activationPoll = nextRequest(sandbox, isPoll, 120_000);
		n8n = await startN8n(instance);
		await activationPoll;
		cookie = await signIn(n8n.url);
	});

	afterAll(async () => {
		await n8n?.stop();
		await sandbox?.close();
	});

	async function executions(workflowId = 'imbraceAutoReply') {
		const response = await fetch(
			`${n8n!.url}/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}`,
			{ headers: { cookie } },
		);
		const { data } = (await response.json()) as {
			data: { results: Array<{ id: string; status: string; mode: string }> };
		};
		return data.results;
	}

	it('answers a new contact message exactly once, within two poll intervals', async () => {
		expect(await executions()).toEqual([]);
		const conversationId = sandbox.ids.contactConversationId;
		const reply = nextRequest(sandbox, isSend, 130_000);

		const [message] = sandbox.addMessages({ conversationId, text: 'Hello, is anyone there?' });

		expect((await reply).body).toEqual({
			conversation_id: conversationId,
			type: 'quick_reply',
			title: 'Talk to an agent',
			payload: 'agent',
		});
		// One more poll must pass without a second execution.
		await nextRequest(sandbox, isPoll, 70_000);
		const runs = await executions();
		expect(runs).toHaveLength(1);
		expect(runs[0]).toMatchObject({ status: 'success', mode: 'trigger' });
		const details = await (
			await fetch(`${n8n!.url}/rest/executions/${runs[0].id}`, { headers: { cookie } })
		).text();
		expect(details).toContain(message.id);
		expect(details).not.toContain(sandbox.tokens.agent);
		expect(sandbox.requests().filter(isSend)).toHaveLength(1);
	});

	it('does not answer its own replies: one execution per contact message, with the defaults', async () => {
		const isLoopReply = (request: RecordedRequest) =>
			isSend(request) &&
			(request.body as { conversation_id?: string }).conversation_id === loopConversation &&
			(request.body as { type?: string }).type === 'text';
		const contactMessages: string[] = [];
		for (const text of ['Where is my order?', 'Any news?']) {
			const reply = nextRequest(sandbox, isLoopReply, 130_000);
			const [message] = sandbox.addMessages({ conversationId: loopConversation, text });
			contactMessages.push(message.id);
			expect((await reply).body).toMatchObject({ text: `Thanks, we got your message: ${text}` });
			// Two more polls of the conversation: its reply (and the auto-reply's) are passed over.
			await nextRequest(sandbox, isLoopPoll, 70_000);
			await nextRequest(sandbox, isLoopPoll, 70_000);
		}

		const runs = await executions(REPLY_LOOP_ID);
		expect(runs).toHaveLength(2);
		expect(runs.every((run) => run.status === 'success' && run.mode === 'trigger')).toBe(true);
		expect(sandbox.requests().filter(isLoopReply)).toHaveLength(2);
		const stored = await (
			await fetch(
				`${sandbox.url}/v1/backend/conversation_messages?conversation_id=${loopConversation}&limit=100`,
				{ headers: { 'x-access-token': sandbox.tokens.agent } },
			)
		).json();
		// Two contact messages, and two text replies (the auto-reply example answers them too).
		const messages = (stored as { data: Array<{ from: string; type: string }> }).data;
		expect(messages.filter((m) => m.from.startsWith('con_'))).toHaveLength(2);
		expect(messages.filter((m) => m.from.startsWith('u_') && m.type === 'text')).toHaveLength(2);
	});

	it("tests the credential in n8n's own credential tester", async () => {
		const test = async (accessToken: string) => {
			const response = await fetch(`${n8n!.url}/rest/credentials/test`, {
				method: 'POST',
				headers: { cookie, 'content-type': 'application/json' },
				body: JSON.stringify({ credentials: sandboxCredential(sandbox, accessToken) }),
			});
			return ((await response.json()) as { data: unknown }).data;
		};

		expect(await test(sandbox.tokens.agent)).toEqual({
			status: 'OK',
			message: 'Connection successful!',
		});
		expect(await test('acc_00000000-0000-4000-8000-000000000000')).toEqual({
			status: 'Error',
			message:
				'Unauthorized - Invalid token. Check the token and its type (Access Token or API Key), and that it was issued for the selected environment.',
		});
	});
});
