import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

import type { Fault } from '../../sandbox';
import { runNode } from '../../harness/engine';
import type { NodeRun } from '../../harness/engine';
import { useSandbox } from '../../harness/sandbox';

type Failure = {
	message: string;
	description?: string;
	httpCode?: string | null;
	failure?: unknown;
};

describe('iMBRACE node: failures', () => {
	const fixture = useSandbox();
	const LIST = '/channel-service/v1/conversation_messages';

	/** Three conversations of two messages each; the middle one's request gets `fault`. */
	async function listThree(
		fault?: Fault & { kind: string },
		extra: Partial<Parameters<typeof runNode>[0]> = {},
	) {
		const { sandbox } = fixture;
		const ids = [1, 2, 3].map(() => sandbox.addConversation({ messages: 2 }));
		if (fault)
			sandbox.injectFault({ ...fault, match: { path: LIST, query: { conversation_id: ids[1] } } });
		sandbox.clearRequests();
		const run = await runNode({
			parameters: {
				resource: 'message',
				operation: 'getMany',
				conversationId: '={{ $json.id }}',
				limit: 2,
			},
			items: ids.map((id) => ({ json: { id } })),
			credentials: fixture.credentials(),
			settings: { onError: 'continueRegularOutput' },
			...extra,
		});
		return { ids, run };
	}

	/** The failed item of a Continue On Fail run, and proof that the others went through. */
	function failedItem(run: NodeRun, ids: string[]): Failure {
		expect(run.error).toBeUndefined();
		expect(run.output.map((item) => item.json.conversation_id ?? 'failed')).toEqual([
			ids[0],
			ids[0],
			'failed',
			ids[2],
			ids[2],
		]);
		const failed = run.output[2];
		expect(failed.json).toEqual({ error: failed.error?.message });
		return failed.error as unknown as Failure;
	}

	function expectNoToken(run: NodeRun) {
		const token = fixture.sandbox.tokens.agent;
		expect(JSON.stringify(run.run)).not.toContain(token);
		for (const item of run.output) {
			expect(String(item.error?.stack ?? '')).not.toContain(token);
			expect(String(item.error?.description ?? '')).not.toContain(token);
		}
	}

	const LATER = 'The node already tried again a few times. Try again later.';

	// Outages are repeated three times (after 0.25, 1 and 3 seconds) before the item fails.
	it.each<[string, Fault & { kind: string }, Failure, number]>([
		[
			'500',
			{ kind: 'status', status: 500 },
			{
				message: 'Internal Server Error (HTTP 500)',
				description: `iMBRACE could not process the request. ${LATER}`,
				httpCode: '500',
				failure: { cause: 'temporarily-unavailable' },
			},
			4,
		],
		[
			'502 with an HTML page',
			{ kind: 'html', status: 502 },
			{
				message: 'Bad Gateway (HTTP 502)',
				description: `The iMBRACE gateway answered with a web page instead of JSON, which usually means the service is briefly unavailable. ${LATER}`,
				httpCode: '502',
				failure: { cause: 'temporarily-unavailable' },
			},
			4,
		],
		[
			'503 with an HTML page',
			{ kind: 'html', status: 503 },
			{
				message: 'Service Unavailable (HTTP 503)',
				description: `The iMBRACE gateway answered with a web page instead of JSON, which usually means the service is briefly unavailable. ${LATER}`,
				httpCode: '503',
				failure: { cause: 'temporarily-unavailable' },
			},
			4,
		],
		[
			'429 asking for more than a minute',
			{ kind: 'rateLimit', retryAfter: 61 },
			{
				message: 'Too many requests. Please try again later. (HTTP 429)',
				description:
					'iMBRACE asks to wait 61 seconds before the next request (HTTP 429): longer than the one minute the node waits by itself, so it did not wait. Run the workflow again later.',
				httpCode: '429',
				failure: { cause: 'rate-limited', retryAfterMs: 61000 },
			},
			1,
		],
		[
			'429, 21 times in a row',
			{ kind: 'rateLimit', retryAfter: 0 },
			{
				message: 'Too many requests. Please try again later. (HTTP 429)',
				description:
					'iMBRACE kept asking to wait 0 seconds (HTTP 429), and the node stopped after waiting 20 times (0 seconds in all) for this item. Other workflows or apps may be using the same token heavily: run this workflow again later, or send fewer items per run.',
				httpCode: '429',
				failure: { cause: 'rate-limited', retryAfterMs: 0 },
			},
			21,
		],
		[
			'malformed JSON',
			{ kind: 'malformedJson' },
			{
				message: 'iMBRACE sent a response that is not valid JSON (HTTP 200)',
				description:
					'The answer could not be read. Try again; if it keeps happening, check the Environment of the iMBRACE credential, or the Base URL of a custom environment.',
				httpCode: '200',
				failure: { cause: 'temporarily-unavailable' },
			},
			4,
		],
		[
			'401 from a gateway',
			{ kind: 'status', status: 401, body: { code: 40001, message: 'Unauthorized' } },
			{
				message: 'Unauthorized (HTTP 401)',
				description:
					'Check the Access Token or API Key in the iMBRACE credential, its Authentication Type, and that the Environment is the one the token was issued for.',
				httpCode: '401',
				failure: { cause: 'credential-invalid' },
			},
			1,
		],
	])('turns a lasting %s into an error on its item only', async (_name, fault, expected, tries) => {
		const { ids, run } = await listThree({ ...fault, times: Infinity });

		expect(failedItem(run, ids)).toMatchObject(expected);
		const forFailed = fixture.sandbox
			.requests()
			.filter((request) => request.query.conversation_id === ids[1]);
		expect(forFailed).toHaveLength(tries);
		expect(fixture.sandbox.requests()).toHaveLength(2 + tries);
		expectNoToken(run);
	});

	it.each<[string, Fault & { kind: string }]>([
		['500', { kind: 'status', status: 500 }],
		['502', { kind: 'html', status: 502 }],
		['503', { kind: 'html', status: 503 }],
		['429 with Retry-After: 1', { kind: 'rateLimit', retryAfter: 1 }],
		['dropped connection', { kind: 'drop' }],
		['malformed answer', { kind: 'malformedJson' }],
	])('repeats a read after a passing %s, and the item succeeds', async (_name, fault) => {
		const { sandbox } = fixture;
		sandbox.injectFault({ ...fault, match: { path: LIST } });

		const run = await runNode({
			parameters: {
				resource: 'message',
				operation: 'getMany',
				conversationId: sandbox.ids.contactConversationId,
				limit: 2,
			},
			credentials: fixture.credentials(),
		});

		expect(run.error).toBeUndefined();
		expect(run.output).toHaveLength(2);
		expect(sandbox.requests().map((request) => request.status)).toEqual([
			fault.kind === 'drop'
				? 0
				: fault.kind === 'malformedJson'
					? 200
					: ((fault as { status?: number }).status ?? 429),
			200,
		]);
	});

	it('turns a lasting dropped connection into an error on its item only', async () => {
		const { ids, run } = await listThree({ kind: 'drop', times: Infinity });

		expect(failedItem(run, ids)).toMatchObject({
			message: `The connection to ${fixture.sandbox.url} closed before iMBRACE answered`,
			description: LATER,
			httpCode: 'ECONNRESET',
		});
		expectNoToken(run);
	});

	it('turns a lasting timeout into an error on its item only', async () => {
		const { ids, run } = await listThree(
			{ kind: 'delay', ms: 3000, times: Infinity },
			{
				parameters: {
					resource: 'message',
					operation: 'getMany',
					conversationId: '={{ $json.id }}',
					limit: 2,
					requestOptions: { timeout: 250 },
				},
			},
		);

		expect(failedItem(run, ids)).toMatchObject({
			message: `${fixture.sandbox.url} did not answer in time`,
			description: "Try again later, or raise the Timeout under the node's Request Options.",
			httpCode: 'ECONNABORTED',
		});
	});

	it('names the credential when nothing listens at its address', async () => {
		const closed = createServer();
		closed.listen(0, '127.0.0.1');
		await once(closed, 'listening');
		const { port } = closed.address() as AddressInfo;
		closed.close();
		await once(closed, 'close');

		const run = await runNode({
			parameters: { resource: 'conversation', operation: 'getChannelCounts' },
			credentials: fixture.credentials({ baseUrl: `http://127.0.0.1:${port}` }),
		});

		expect(run.error?.message).toBe(
			`Could not connect to http://127.0.0.1:${port}: the connection was refused`,
		);
		expect(run.error?.description).toBe(
			'Check the Environment of the iMBRACE credential, or the Base URL of a custom environment.',
		);
	});

	it("gives iMBRACE's message for a wrong token, and how to fix the credential", async () => {
		const token = 'acc_11111111-2222-4333-8444-555555555555';
		const run = await runNode({
			parameters: { resource: 'conversation', operation: 'getChannelCounts' },
			credentials: fixture.credentials({ accessToken: token }),
		});

		expect(run.error?.message).toBe('Unauthorized - Invalid token (HTTP 401)');
		expect(run.error?.description).toBe(
			'Check the Access Token or API Key in the iMBRACE credential, its Authentication Type, and that the Environment is the one the token was issued for.',
		);
		expect(fixture.sandbox.requests()).toHaveLength(1);
		expect(JSON.stringify(run.run)).not.toContain(token);
		expect(String(run.error?.stack)).not.toContain(token);
	});

	it('says a contact token only reaches its own conversation', async () => {
		const { sandbox } = fixture;
		const run = await runNode({
			parameters: {
				resource: 'message',
				operation: 'getMany',
				conversationId: sandbox.ids.conversationIds.find(
					(id) => id !== sandbox.ids.contactConversationId,
				),
			},
			credentials: fixture.credentials({ accessToken: sandbox.tokens.contact }),
		});

		expect(run.error?.message).toBe('Forbidden (HTTP 403)');
		expect(run.error?.description).toBe(
			'iMBRACE does not let this token reach it: a contact token reaches only its own conversation, and every token only its own organization. Check the Conversation ID and the credential.',
		);
	});

	it("gives the API-key gate's message for an unknown key, and how to fix the key", async () => {
		const run = await runNode({
			parameters: { resource: 'conversation', operation: 'getChannelCounts' },
			credentials: fixture.credentials({
				authType: 'apiKey',
				accessToken: 'api_11111111-2222-4333-8444-555555555555',
			}),
		});

		expect(run.error?.message).toBe('Invalid API key (HTTP 401)');
		expect(run.error?.description).toBe(
			'Check the API key in the iMBRACE credential, that its Authentication Type is API Key, and that the key was issued for the selected Environment.',
		);
	});

	it("gives the API-key gate's message for a key limited to other paths, and what it needs", async () => {
		const { sandbox } = fixture;
		const run = await runNode({
			parameters: {
				resource: 'message',
				operation: 'getMany',
				conversationId: sandbox.ids.contactConversationId,
			},
			credentials: fixture.credentials({
				authType: 'apiKey',
				accessToken: sandbox.tokens.scopedApiKey,
			}),
		});

		expect(run.error?.message).toBe('Invalid API path: /v1/conversation_messages (HTTP 403)');
		expect(run.error?.description).toBe(
			"The API key's permissions do not cover the Conversations API: in iMBRACE, give the key permissions for the Conversations API (or leave its permissions empty for full access), or use another key or an access token.",
		);
	});

	it('sends errors to the error output with Continue (using error output)', async () => {
		const { sandbox } = fixture;
		const good = sandbox.addConversation({ messages: 1 });

		const run = await runNode({
			parameters: { resource: 'message', operation: 'getMany', conversationId: '={{ $json.id }}' },
			items: [{ json: { id: good } }, { json: { id: 'conv_missing' } }],
			credentials: fixture.credentials(),
			settings: { onError: 'continueErrorOutput' },
		});

		expect(run.output.map((item) => item.json.conversation_id)).toEqual([good]);
		expect(run.errorOutput.map((item) => item.json)).toEqual([
			{ error: 'Conversation not found (HTTP 404)' },
		]);
	});
});
