/** The sandbox's hooks, in process and over /__sandbox: faults, recording, data, reset. */
import { SEED_NOW_MS } from '../api/data';
import type { StoredMessage } from '../api/data';
import { ISO_MS, MESSAGE_KEYS, UUID, call } from './helpers';
import type { CallOptions, ConversationAnswer, Counts, ListEnvelope } from './helpers';
import { SandboxInputError, startSandbox } from '../index';
import type { RecordedRequest, Sandbox } from '../index';

let sandbox: Sandbox;
const api = <T = unknown>(method: string, path: string, options?: CallOptions) =>
	call<T>(sandbox.url, method, path, options);

const ROOT_BODY = '{"name":"App Gateway Public Server","version":"sandbox-1.0.0","env":"sandbox"}';
const CHANNELS = '/v2/backend/channels/_conv_count';
const MESSAGES = '/v1/backend/conversation_messages';
const listOf = (conversationId: string, query = '') =>
	api<ListEnvelope>('GET', `${MESSAGES}?conversation_id=${conversationId}${query}`, {
		token: sandbox.tokens.agent,
	});

beforeAll(async () => {
	sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
afterEach(() => sandbox.reset());

describe('startSandbox', () => {
	test('url and port of a free loopback port', () => {
		expect(sandbox.url).toBe(`http://127.0.0.1:${sandbox.port}`);
		expect(sandbox.port).toBeGreaterThan(0);
	});

	test('seeded tokens and ids', () => {
		expect(sandbox.tokens).toEqual({
			agent: expect.stringMatching(new RegExp(`^acc_${UUID}$`)),
			secondAgent: expect.stringMatching(new RegExp(`^acc_${UUID}$`)),
			contact: expect.stringMatching(new RegExp(`^acc_${UUID}$`)),
			apiKey: expect.stringMatching(new RegExp(`^api_${UUID}$`)),
			otherOrgAgent: expect.stringMatching(new RegExp(`^acc_${UUID}$`)),
			scopedApiKey: expect.stringMatching(new RegExp(`^api_${UUID}$`)),
		});
		expect(new Set(Object.values(sandbox.tokens)).size).toBe(6);
		const { ids } = sandbox;
		expect(ids.organizationId).toBe('org_imbrace');
		expect(ids.otherOrganizationId).toBe('org_other');
		expect(ids.businessUnitId).toBe('bu_imbrace_testing');
		expect(ids.businessUnitIds).toEqual([
			'bu_imbrace_testing',
			expect.stringMatching(/^bu_/),
			expect.stringMatching(/^bu_/),
		]);
		expect(ids.teamId).toBe('t_imbrace_default_team');
		expect(ids.teamIds).toHaveLength(6);
		expect(ids.teamIds[0]).toBe('t_imbrace_default_team');
		expect(ids.conversationIds).toHaveLength(358);
		expect(ids.contactIds).toHaveLength(301);
		expect(ids.conversationIds[0]).toBe(ids.contactConversationId);
		expect(ids.contactIds[0]).toBe(ids.contactId);
		expect(ids.otherConversationIds).toHaveLength(12);
		for (const id of [ids.agentUserId, ids.secondAgentUserId])
			expect(id).toMatch(new RegExp(`^u_${UUID}$`));
		expect(ids.channelId).toMatch(new RegExp(`^ch_${UUID}$`));
	});

	test('two sandboxes run side by side with the same seed', async () => {
		const second = await startSandbox();
		try {
			expect(second.port).not.toBe(sandbox.port);
			expect(second.tokens).toEqual(sandbox.tokens);
			expect(second.ids).toEqual(sandbox.ids);
			expect((await call(second.url, 'GET', '/')).text).toBe(ROOT_BODY);
		} finally {
			await second.close();
		}
	});

	test('an explicit port and host', async () => {
		const probe = await startSandbox();
		const port = probe.port;
		await probe.close();
		const fixed = await startSandbox({ port, host: '127.0.0.1' });
		try {
			expect(fixed.url).toBe(`http://127.0.0.1:${port}`);
			expect((await call(fixed.url, 'GET', '/')).text).toBe(ROOT_BODY);
		} finally {
			await fixed.close();
		}
	});

	test('a port in use rejects', async () => {
		await expect(startSandbox({ port: sandbox.port })).rejects.toThrow(/EADDRINUSE/);
	});
});

describe('faults', () => {
	test.each([
		[500, { message: 'Internal Server Error' }],
		[404, { message: 'Not Found' }],
		[400, { code: 40000, message: 'Invalid request parameters' }],
		[401, { message: 'Unauthorized - Invalid token' }],
		[403, { message: 'Forbidden' }],
		[429, { message: 'Too many requests. Please try again later.' }],
		[502, { message: 'Bad Gateway' }],
		[503, { message: 'Service Unavailable' }],
		[504, { message: 'Gateway Timeout' }],
		[418, { message: "I'm a Teapot" }],
	])('status %i with its default body', async (status, body) => {
		sandbox.injectFault({ kind: 'status', status });
		const answer = await api('GET', CHANNELS, { token: sandbox.tokens.agent });
		expect(answer.status).toBe(status);
		expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
		expect(answer.json).toEqual(body);
	});

	test('a query match picks out requests by their parameters', async () => {
		sandbox.injectFault({ kind: 'status', status: 500, match: { query: { view: 'joined' } } });
		const all = await api('GET', CHANNELS, { token: sandbox.tokens.agent });
		const joined = await api('GET', '/v2/backend/channels/_conv_count?view=joined', {
			token: sandbox.tokens.agent,
		});
		const again = await api('GET', '/v2/backend/channels/_conv_count?view=joined', {
			token: sandbox.tokens.agent,
		});
		expect([all.status, joined.status, again.status]).toEqual([200, 500, 200]);
	});

	test('a body match picks out requests by fields of their JSON body', async () => {
		const conversation_id = sandbox.ids.contactConversationId;
		sandbox.injectFault({
			kind: 'status',
			status: 503,
			match: { path: '/v1/backend/conversation_messages', body: { text: 'Two' } },
		});
		const statuses = [];
		for (const text of ['One', 'Two', 'Two']) {
			const answer = await api('POST', '/v1/backend/conversation_messages', {
				token: sandbox.tokens.agent,
				body: { conversation_id, type: 'text', text },
			});
			statuses.push(answer.status);
		}
		expect(statuses).toEqual([200, 503, 200]);
		expect(() => sandbox.injectFault({ kind: 'drop', match: { body: 'text' as never } })).toThrow(
			'fault.match.body must be an object',
		);
	});

	test('status with a custom body and headers', async () => {
		sandbox.injectFault({
			kind: 'status',
			status: 401,
			body: { code: 40001, message: 'Unauthorized' },
			headers: { 'x-request-id': 'abc' },
		});
		const answer = await api('GET', '/');
		expect(answer.status).toBe(401);
		expect(answer.json).toEqual({ code: 40001, message: 'Unauthorized' });
		expect(answer.headers.get('x-request-id')).toBe('abc');
	});

	test('a string body is sent verbatim as text/plain unless a header says otherwise', async () => {
		sandbox.injectFault({ kind: 'status', status: 500, body: 'upstream exploded' });
		sandbox.injectFault({
			kind: 'status',
			status: 200,
			body: '{"broken":',
			headers: { 'content-type': 'application/json' },
		});
		const plain = await api('GET', '/');
		const json = await fetch(`${sandbox.url}/`);
		expect([plain.status, plain.headers.get('content-type'), plain.text]).toEqual([
			500,
			'text/plain; charset=utf-8',
			'upstream exploded',
		]);
		expect([json.status, json.headers.get('content-type'), await json.text()]).toEqual([
			200,
			'application/json',
			'{"broken":',
		]);
	});

	test.each([502, 503] as const)('html %i: a load balancer page', async (status) => {
		sandbox.injectFault({ kind: 'html', status });
		const answer = await api('GET', CHANNELS, { token: sandbox.tokens.agent });
		const title = status === 502 ? '502 Bad Gateway' : '503 Service Unavailable';
		expect(answer.status).toBe(status);
		expect(answer.headers.get('content-type')).toBe('text/html; charset=utf-8');
		expect(answer.text).toBe(
			`<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`,
		);
	});

	test('rateLimit: 429 with Retry-After', async () => {
		sandbox.injectFault({ kind: 'rateLimit', retryAfter: 7 });
		const answer = await api('GET', CHANNELS, { token: sandbox.tokens.agent });
		expect(answer.status).toBe(429);
		expect(answer.headers.get('retry-after')).toBe('7');
		expect(answer.json).toEqual({ message: 'Too many requests. Please try again later.' });
	});

	test('delay: answers normally after the delay', async () => {
		sandbox.injectFault({ kind: 'delay', ms: 150 });
		const started = performance.now();
		const answer = await api('GET', '/');
		const elapsed = performance.now() - started;
		expect(answer.status).toBe(200);
		expect(answer.text).toBe(ROOT_BODY);
		expect(elapsed).toBeGreaterThanOrEqual(145);
		expect(sandbox.requests().map((request) => request.status)).toEqual([200]);
	});

	test('delay: the answer reflects the data when it is sent', async () => {
		sandbox.injectFault({ kind: 'delay', ms: 100, match: { path: MESSAGES } });
		const pending = listOf(sandbox.ids.contactConversationId);
		const quick = await api('GET', '/');
		sandbox.addMessages({ conversationId: sandbox.ids.contactConversationId });
		const delayed = await pending;
		expect(quick.status).toBe(200);
		expect(delayed.json.count).toBe(16);
	});

	test('drop: the connection closes without an answer; recorded with status 0', async () => {
		sandbox.injectFault({ kind: 'drop' });
		await expect(
			fetch(`${sandbox.url}${CHANNELS}`, { headers: { 'x-access-token': sandbox.tokens.agent } }),
		).rejects.toThrow('fetch failed');
		const after = await api('GET', '/');
		expect(after.status).toBe(200);
		expect(sandbox.requests().map((request) => [request.path, request.status])).toEqual([
			[CHANNELS, 0],
			['/', 200],
		]);
	});

	test('malformedJson: 200, JSON content type, the first half of the real answer', async () => {
		sandbox.injectFault({ kind: 'malformedJson' });
		const answer = await fetch(`${sandbox.url}/`);
		const text = await answer.text();
		expect(answer.status).toBe(200);
		expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
		expect(text).toBe(ROOT_BODY.slice(0, Math.floor(ROOT_BODY.length / 2)));
		expect(() => JSON.parse(text)).toThrow(SyntaxError);
	});

	test('malformedJson keeps the effects of the request', async () => {
		sandbox.injectFault({ kind: 'malformedJson', match: { method: 'POST', path: MESSAGES } });
		const answer = await fetch(`${sandbox.url}${MESSAGES}`, {
			method: 'POST',
			headers: { 'x-access-token': sandbox.tokens.agent },
			body: JSON.stringify({
				type: 'text',
				text: 'Lost answer',
				conversation_id: sandbox.ids.contactConversationId,
			}),
		});
		const text = await answer.text();
		expect(() => JSON.parse(text) as unknown).toThrow(SyntaxError);
		const listed = await listOf(sandbox.ids.contactConversationId, '&limit=1');
		expect(listed.json.count).toBe(16);
		expect(listed.json.data[0].content.text).toBe('Lost answer');
	});

	test('a status fault answers instead of the handler: nothing is stored', async () => {
		sandbox.injectFault({ kind: 'status', status: 500, match: { method: 'POST' } });
		const answer = await api('POST', MESSAGES, {
			token: sandbox.tokens.agent,
			body: {
				type: 'text',
				text: 'Never stored',
				conversation_id: sandbox.ids.contactConversationId,
			},
		});
		expect(answer.status).toBe(500);
		expect((await listOf(sandbox.ids.contactConversationId)).json.count).toBe(15);
	});

	test('faults come before authentication and routing', async () => {
		sandbox.injectFault({ kind: 'status', status: 503, times: 2 });
		const noToken = await api('GET', CHANNELS);
		const unknownPath = await api('GET', '/nowhere');
		expect([noToken.status, unknownPath.status]).toEqual([503, 503]);
	});

	test('a fault applies once by default; `times` applies it more often', async () => {
		sandbox.injectFault({ kind: 'status', status: 500 });
		sandbox.injectFault({ kind: 'status', status: 502, times: 2 });
		const statuses: number[] = [];
		for (let index = 0; index < 5; index++) statuses.push((await api('GET', '/')).status);
		expect(statuses).toEqual([500, 502, 502, 200, 200]);
	});

	test('times: Infinity lasts until cleared', async () => {
		sandbox.injectFault({ kind: 'status', status: 500, times: Infinity });
		const statuses: number[] = [];
		for (let index = 0; index < 4; index++) statuses.push((await api('GET', '/')).status);
		sandbox.clearFaults();
		statuses.push((await api('GET', '/')).status);
		expect(statuses).toEqual([500, 500, 500, 500, 200]);
	});

	test('match by method (any case), exact path and path prefix', async () => {
		sandbox.injectFault({ kind: 'status', status: 501, match: { method: 'post', path: MESSAGES } });
		sandbox.injectFault({
			kind: 'status',
			status: 502,
			match: { path: '/v1/backend/meilisearch/*' },
		});
		sandbox.injectFault({ kind: 'status', status: 503, match: { method: 'GET', path: CHANNELS } });
		const statuses = [
			(await api('GET', '/')).status,
			(await api('POST', `${MESSAGES}/_fileupload`, { token: sandbox.tokens.agent })).status,
			(await api('GET', `${MESSAGES}?conversation_id=x`, { token: sandbox.tokens.agent })).status,
			(await api('POST', MESSAGES, { token: sandbox.tokens.agent, body: {} })).status,
			(
				await api('POST', '/v1/backend/meilisearch/org_imbrace/fetch', {
					token: sandbox.tokens.agent,
					body: {},
				})
			).status,
			(await api('GET', `${CHANNELS}?view=all`, { token: sandbox.tokens.agent })).status,
			(await api('GET', `${CHANNELS}?view=all`, { token: sandbox.tokens.agent })).status,
		];
		expect(statuses).toEqual([200, 400, 404, 501, 502, 503, 200]);
	});

	test('a path prefix of "*" matches everything', async () => {
		sandbox.injectFault({ kind: 'status', status: 500, match: { path: '*' }, times: 2 });
		expect([(await api('GET', '/')).status, (await api('GET', '/files/x/y')).status]).toEqual([
			500, 500,
		]);
	});

	test('faults inject in order: the first matching one applies first', async () => {
		sandbox.injectFault({ kind: 'status', status: 500, match: { path: '/' } });
		sandbox.injectFault({ kind: 'status', status: 502 });
		expect([(await api('GET', '/')).status, (await api('GET', '/')).status]).toEqual([500, 502]);
	});

	test('faults do not touch the control endpoints', async () => {
		sandbox.injectFault({ kind: 'drop', times: 5 });
		const info = await api('GET', '/__sandbox/info');
		expect(info.status).toBe(200);
	});

	test.each([
		[
			{ kind: 'explode' },
			'fault.kind must be one of status, html, rateLimit, delay, drop, malformedJson, writeThenFail',
		],
		[{ kind: 'status', status: 99 }, 'fault.status must be an HTTP status from 200 to 599'],
		[{ kind: 'status', status: 600 }, 'fault.status must be an HTTP status from 200 to 599'],
		[{ kind: 'status', status: 500, headers: { a: 1 } }, 'fault.headers must map names to strings'],
		[{ kind: 'html', status: 500 }, 'fault.status must be 502 or 503 for an html fault'],
		[{ kind: 'rateLimit' }, 'fault.retryAfter must be a number of seconds'],
		[{ kind: 'delay', ms: -1 }, 'fault.ms must be a number of milliseconds'],
		[{ kind: 'drop', times: 0 }, 'fault.times must be a positive integer'],
		[{ kind: 'drop', times: 1.5 }, 'fault.times must be a positive integer'],
		[{ kind: 'drop', match: 'x' }, 'fault.match must be an object'],
		[{ kind: 'drop', match: { path: 5 } }, 'fault.match.path must be a string'],
		[{ kind: 'drop', match: { method: 5 } }, 'fault.match.method must be a string'],
	])('injectFault(%j) throws', (fault, message) => {
		expect(() => sandbox.injectFault(fault as never)).toThrow(new SandboxInputError(message));
	});

	test('over HTTP: POST /__sandbox/faults (one or a list), DELETE clears', async () => {
		const one = await api('POST', '/__sandbox/faults', { body: { kind: 'status', status: 500 } });
		const list = await api('POST', '/__sandbox/faults', {
			body: [
				{ kind: 'rateLimit', retryAfter: 1 },
				{ kind: 'html', status: 502 },
			],
		});
		expect([one.status, list.status, one.text]).toEqual([204, 204, '']);
		const statuses = [
			(await api('GET', '/')).status,
			(await api('GET', '/')).status,
			(await api('GET', '/')).status,
		];
		expect(statuses).toEqual([500, 429, 502]);
		await api('POST', '/__sandbox/faults', { body: { kind: 'status', status: 500, times: 3 } });
		const cleared = await api('DELETE', '/__sandbox/faults');
		expect(cleared.status).toBe(204);
		expect((await api('GET', '/')).status).toBe(200);
	});

	test('over HTTP: an invalid fault list injects none', async () => {
		const answer = await api('POST', '/__sandbox/faults', {
			body: [{ kind: 'status', status: 500 }, { kind: 'nope' }],
		});
		expect(answer.status).toBe(400);
		expect(answer.json).toEqual({
			message:
				'fault.kind must be one of status, html, rateLimit, delay, drop, malformedJson, writeThenFail',
		});
		expect((await api('GET', '/')).status).toBe(200);
	});
});

describe('recording', () => {
	test('method, path, query, lower-cased headers, parsed body and status, in arrival order', async () => {
		await api('GET', `${CHANNELS}?view=joined&view=all&empty=`, { token: sandbox.tokens.agent });
		await api('POST', MESSAGES, {
			apiKey: sandbox.tokens.apiKey,
			body: { type: 'text', text: 'Hi', conversation_id: sandbox.ids.contactConversationId },
		});
		await api('POST', '/v1/backend/conversation', {
			token: sandbox.tokens.agent,
			rawBody: 'not json',
			headers: { 'X-Custom': 'Yes' },
		});
		await api('GET', '/nowhere');
		const requests = sandbox.requests();
		expect(requests).toEqual([
			{
				method: 'GET',
				path: CHANNELS,
				query: { view: 'joined', empty: '' },
				headers: expect.objectContaining({ 'x-access-token': sandbox.tokens.agent }),
				body: undefined,
				status: 200,
			},
			{
				method: 'POST',
				path: MESSAGES,
				query: {},
				headers: expect.objectContaining({
					'x-api-key': sandbox.tokens.apiKey,
					'content-type': 'application/json',
				}),
				body: { type: 'text', text: 'Hi', conversation_id: sandbox.ids.contactConversationId },
				status: 200,
			},
			{
				method: 'POST',
				path: '/v1/backend/conversation',
				query: {},
				headers: expect.objectContaining({ 'x-custom': 'Yes' }),
				body: 'not json',
				status: 400,
			},
			{
				method: 'GET',
				path: '/nowhere',
				query: {},
				headers: expect.any(Object),
				body: undefined,
				status: 404,
			},
		]);
	});

	test('the status a fault answered is recorded', async () => {
		sandbox.injectFault({ kind: 'rateLimit', retryAfter: 3 });
		await api('GET', '/');
		expect(sandbox.requests().map((request) => request.status)).toEqual([429]);
	});

	test('control endpoints are not recorded', async () => {
		await api('GET', '/__sandbox/info');
		await api('GET', '/__sandbox/requests');
		await api('POST', '/__sandbox/messages', {
			body: { conversationId: sandbox.ids.contactConversationId },
		});
		expect(sandbox.requests()).toEqual([]);
	});

	test('clearRequests empties the log', async () => {
		await api('GET', '/');
		sandbox.clearRequests();
		await api('GET', `${CHANNELS}`);
		expect(sandbox.requests().map((request) => request.status)).toEqual([401]);
	});

	test('requests() answers copies', async () => {
		await api('GET', '/');
		const [first] = sandbox.requests();
		first.status = 999;
		first.headers.host = 'changed';
		expect(sandbox.requests()[0].status).toBe(200);
		expect(sandbox.requests()[0].headers.host).not.toBe('changed');
	});

	test('over HTTP: GET /__sandbox/requests and DELETE /__sandbox/requests', async () => {
		await api('GET', `${CHANNELS}?view=yours`, { token: sandbox.tokens.agent });
		const listed = await api<RecordedRequest[]>('GET', '/__sandbox/requests');
		expect(listed.status).toBe(200);
		expect(listed.json).toEqual(sandbox.requests());
		expect(listed.json[0]).toMatchObject({
			method: 'GET',
			path: CHANNELS,
			query: { view: 'yours' },
			status: 200,
		});
		const cleared = await api('DELETE', '/__sandbox/requests');
		expect(cleared.status).toBe(204);
		expect(sandbox.requests()).toEqual([]);
	});

	test('a body above 32 MiB is refused with 413 and not kept', async () => {
		const answer = await api('POST', MESSAGES, {
			token: sandbox.tokens.agent,
			rawBody: 'x'.repeat(32 * 1024 * 1024 + 1),
		});
		expect(answer.status).toBe(413);
		expect(answer.json).toEqual({ message: 'Payload Too Large' });
		expect(sandbox.requests()).toEqual([
			expect.objectContaining({ method: 'POST', path: MESSAGES, body: undefined, status: 413 }),
		]);
	});
});

describe('onRequest', () => {
	test('called after each recorded request, with the record', async () => {
		const seen: RecordedRequest[] = [];
		sandbox.onRequest((request) => seen.push(request));
		await api('GET', `${CHANNELS}?view=all`, { token: sandbox.tokens.agent });
		await api('GET', '/__sandbox/info');
		expect(seen).toEqual(sandbox.requests());
		expect(seen.map((request) => [request.path, request.status])).toEqual([[CHANNELS, 200]]);
	});

	test('lets a test add data between page requests', async () => {
		const conversationId = sandbox.ids.contactConversationId;
		sandbox.onRequest((request) => {
			if (request.path === MESSAGES && request.query.skip === '0')
				sandbox.addMessages({ conversationId });
		});
		const first = await listOf(conversationId, '&limit=5&skip=0');
		const second = await listOf(conversationId, '&limit=5&skip=5');
		expect([first.json.count, second.json.count]).toEqual([15, 16]);
		// The new message pushed everything down by one.
		expect(second.json.data[0].id).toBe(first.json.data[4].id);
	});

	test('unsubscribing stops the calls', async () => {
		let calls = 0;
		const unsubscribe = sandbox.onRequest(() => calls++);
		await api('GET', '/');
		unsubscribe();
		await api('GET', '/');
		expect(calls).toBe(1);
	});

	test('the same function subscribed twice is called twice', async () => {
		let calls = 0;
		const listener = () => calls++;
		sandbox.onRequest(listener);
		const second = sandbox.onRequest(listener);
		await api('GET', '/');
		second();
		await api('GET', '/');
		expect(calls).toBe(3);
	});

	test('a throwing listener does not disturb the server or other listeners', async () => {
		let calls = 0;
		sandbox.onRequest(() => {
			throw new Error('listener bug');
		});
		sandbox.onRequest(() => calls++);
		const first = await api('GET', '/');
		const second = await api('GET', '/');
		expect([first.status, second.status, calls]).toEqual([200, 200, 2]);
	});

	test('a dropped request is reported with status 0', async () => {
		const statuses: number[] = [];
		sandbox.onRequest((request) => statuses.push(request.status));
		sandbox.injectFault({ kind: 'drop' });
		await expect(fetch(`${sandbox.url}/`)).rejects.toThrow('fetch failed');
		await api('GET', '/');
		expect(statuses).toEqual([0, 200]);
	});
});

describe('addMessages', () => {
	const conversationId = () => sandbox.ids.contactConversationId;

	test('one text message now, from the contact, in the §5 shape', async () => {
		const before = Date.now();
		const [message, ...rest] = sandbox.addMessages({ conversationId: conversationId() });
		expect(rest).toEqual([]);
		expect(Object.keys(message)).toEqual(MESSAGE_KEYS);
		expect(message).toEqual({
			object_name: 'message',
			id: expect.stringMatching(new RegExp(`^msg_${UUID}$`)),
			organization_id: 'org_imbrace',
			business_unit_id: 'bu_imbrace_testing',
			conversation_id: conversationId(),
			from: sandbox.ids.contactId,
			type: 'text',
			content: { text: 'Message 1', is_mail: false },
			created_at: expect.stringMatching(ISO_MS),
			updated_at: message.created_at,
		});
		expect(Date.parse(message.created_at)).toBeGreaterThanOrEqual(
			Math.max(before, SEED_NOW_MS + 1),
		);
		const listed = await listOf(conversationId(), '&limit=1');
		expect(listed.json.data).toEqual([message]);
	});

	test('a later explicit time moves the clock: messages added now stay newest', async () => {
		const later = new Date(Date.now() + 60_000).toISOString();
		const [stamped] = sandbox.addMessages({ conversationId: conversationId(), at: later });
		const [next] = sandbox.addMessages({ conversationId: conversationId() });
		expect(stamped.created_at).toBe(later);
		expect(Date.parse(next.created_at)).toBe(Date.parse(later) + 1);
	});

	test('count: strictly increasing times, listed newest first', async () => {
		const added = sandbox.addMessages({ conversationId: conversationId(), count: 3 });
		expect(added.map((message) => message.content.text)).toEqual([
			'Message 1',
			'Message 2',
			'Message 3',
		]);
		const times = added.map((message) => Date.parse(message.created_at));
		expect(times[1]).toBeGreaterThan(times[0]);
		expect(times[2]).toBeGreaterThan(times[1]);
		const listed = await listOf(conversationId(), '&limit=3');
		expect(listed.json.data.map((message) => message.id)).toEqual(
			added.map((message) => message.id).reverse(),
		);
	});

	test('at: every message shares the same millisecond; later inserts list first', async () => {
		const at = '2025-07-01T10:00:00.000Z';
		const added = sandbox.addMessages({ conversationId: conversationId(), count: 3, at });
		expect(added.map((message) => message.created_at)).toEqual([at, at, at]);
		const listed = await listOf(conversationId(), '&limit=3');
		expect(listed.json.data.map((message) => message.content.text)).toEqual([
			'Message 3',
			'Message 2',
			'Message 1',
		]);
	});

	test('at in the past: slotted into the history by time', async () => {
		const [message] = sandbox.addMessages({
			conversationId: conversationId(),
			at: '2025-06-27T09:00:00+00:00',
		});
		expect(message.created_at).toBe('2025-06-27T09:00:00.000Z');
		const listed = await listOf(conversationId(), '&limit=6');
		expect(listed.json.data.map((entry) => entry.created_at)).toEqual([
			'2025-06-27T12:00:00.000Z',
			'2025-06-27T12:00:00.000Z',
			'2025-06-27T11:52:07.156Z',
			'2025-06-27T10:04:25.202Z',
			'2025-06-27T09:00:00.000Z',
			'2025-06-27T08:59:24.970Z',
		]);
	});

	test('from, type and text', () => {
		const agent = sandbox.ids.agentUserId;
		const [text] = sandbox.addMessages({
			conversationId: conversationId(),
			from: agent,
			text: 'Custom',
		});
		const images = sandbox.addMessages({
			conversationId: conversationId(),
			type: 'image',
			count: 2,
		});
		const [file] = sandbox.addMessages({
			conversationId: conversationId(),
			type: 'file',
			text: 'Cap',
		});
		const [pdf] = sandbox.addMessages({ conversationId: conversationId(), type: 'pdf' });
		const [reply] = sandbox.addMessages({ conversationId: conversationId(), type: 'quick_reply' });
		expect([text.from, text.content]).toEqual([agent, { text: 'Custom', is_mail: false }]);
		expect(images.map((message) => message.content)).toEqual([
			{ url: 'https://files.imbrace.test/sandbox/image-1.png', caption: '' },
			{ url: 'https://files.imbrace.test/sandbox/image-2.png', caption: '' },
		]);
		expect(file.content).toEqual({
			url: 'https://files.imbrace.test/sandbox/file-1.zip',
			caption: 'Cap',
		});
		expect(pdf.content).toEqual({
			url: 'https://files.imbrace.test/sandbox/document-1.pdf',
			caption: '',
		});
		expect([reply.type, reply.content]).toEqual([
			'quick_reply',
			{ title: 'Option 1', payload: 'option_1', description: '' },
		]);
	});

	test('messages: each with its own from, type, content and time', () => {
		const added = sandbox.addMessages({
			conversationId: conversationId(),
			from: 'u_imbrace_bot',
			messages: [
				{ content: { text: 'One', is_mail: false } },
				{
					from: sandbox.ids.agentUserId,
					type: 'image',
					content: { url: 'https://x.test/a.png', caption: 'A' },
				},
				{ type: 'custom_type', at: '2025-01-01T00:00:00.000Z' },
				{},
			],
		});
		expect(added.map((message) => [message.from, message.type, message.content])).toEqual([
			['u_imbrace_bot', 'text', { text: 'One', is_mail: false }],
			[sandbox.ids.agentUserId, 'image', { url: 'https://x.test/a.png', caption: 'A' }],
			['u_imbrace_bot', 'custom_type', {}],
			['u_imbrace_bot', 'text', { text: 'Message 4', is_mail: false }],
		]);
		expect(added[2].created_at).toBe('2025-01-01T00:00:00.000Z');
	});

	test('count 0 adds nothing', async () => {
		expect(sandbox.addMessages({ conversationId: conversationId(), count: 0 })).toEqual([]);
		expect((await listOf(conversationId())).json.count).toBe(15);
	});

	test('answers copies: changing them changes nothing stored', async () => {
		const [message] = sandbox.addMessages({ conversationId: conversationId() });
		message.content.text = 'changed';
		expect((await listOf(conversationId(), '&limit=1')).json.data[0].content.text).toBe(
			'Message 1',
		);
	});

	test.each([
		[{ conversationId: 'conv_nope' }, 'Unknown conversation conv_nope'],
		[{ count: -1 }, 'count must be an integer from 0 to 10000'],
		[{ count: 1.5 }, 'count must be an integer from 0 to 10000'],
		[{ at: 'yesterday' }, 'at must be an ISO 8601 time'],
		[{ type: 'video' }, 'type must be one of text, image, file, pdf, quick_reply'],
		[{ from: 5 }, 'from must be a string'],
		[{ text: 5 }, 'text must be a string'],
		[{ messages: 'x' }, 'messages must be an array of objects'],
		[{ messages: [{}, { at: 'never' }] }, 'messages[1].at must be an ISO 8601 time'],
		[{ messages: [{ content: 'x' }] }, 'messages[0].content must be an object'],
	])('%j throws, and adds nothing', async (input, message) => {
		expect(() =>
			sandbox.addMessages({ conversationId: conversationId(), ...input } as never),
		).toThrow(new SandboxInputError(message));
		expect((await listOf(conversationId())).json.count).toBe(15);
	});

	test('over HTTP: POST /__sandbox/messages', async () => {
		const answer = await api<StoredMessage[]>('POST', '/__sandbox/messages', {
			body: { conversationId: conversationId(), count: 2, text: 'Remote' },
		});
		expect(answer.status).toBe(200);
		expect(answer.json.map((message) => message.content.text)).toEqual(['Remote', 'Remote']);
		expect((await listOf(conversationId(), '&limit=1')).json.data).toEqual([answer.json[1]]);
		const bad = await api('POST', '/__sandbox/messages', { body: { conversationId: 'conv_nope' } });
		expect([bad.status, bad.json]).toEqual([400, { message: 'Unknown conversation conv_nope' }]);
		const notJson = await api('POST', '/__sandbox/messages', { rawBody: '{' });
		expect([notJson.status, notJson.json]).toEqual([
			400,
			{ message: 'The body is not valid JSON' },
		]);
	});
});

describe('addConversation', () => {
	test('defaults: a new web contact, active, no team, no messages', async () => {
		const id = sandbox.addConversation();
		expect(id).toMatch(new RegExp(`^conv_${UUID}$`));
		const listed = await listOf(id);
		expect(listed.json).toEqual({
			object_name: 'list',
			data: [],
			nested: {},
			has_more: false,
			count: 0,
			total: 0,
		});
		const [message] = sandbox.addMessages({ conversationId: id });
		expect(message.from).toMatch(new RegExp(`^con_${UUID}$`));
		expect(sandbox.ids.contactIds).not.toContain(message.from);
		expect(message.business_unit_id).toBe('bu_imbrace_testing');
	});

	test('messages: that many text messages from the contact', async () => {
		const id = sandbox.addConversation({ messages: 3 });
		const listed = await listOf(id);
		expect(listed.json.data.map((message) => message.content.text)).toEqual([
			'Message 3',
			'Message 2',
			'Message 1',
		]);
	});

	test("for an existing contact it becomes the contact's current conversation", async () => {
		const id = sandbox.addConversation({ contactId: sandbox.ids.contactId, messages: 1 });
		const answer = await api<ListEnvelope>('GET', MESSAGES, { token: sandbox.tokens.contact });
		expect(answer.json.count).toBe(1);
		expect(answer.json.data[0].conversation_id).toBe(id);
	});

	test('status, team and assignee show in the counts', async () => {
		const views = `/v2/backend/team_conversations/_views_count?type=business_unit_id&q=${sandbox.ids.businessUnitId}`;
		const before = (await api<Counts>('GET', views, { token: sandbox.tokens.secondAgent })).json;
		sandbox.addConversation({
			status: 'pending',
			teamId: sandbox.ids.teamId,
			assigneeId: sandbox.ids.secondAgentUserId,
		});
		const after = (await api<Counts>('GET', views, { token: sandbox.tokens.secondAgent })).json;
		expect(after).toEqual({
			...before,
			all: before.all + 1,
			pending: before.pending + 1,
			yours: before.yours + 1,
			[sandbox.ids.teamId]: before[sandbox.ids.teamId] + 1,
		});
	});

	test.each([
		[{ contactId: 'con_nope' }, 'Unknown contact con_nope'],
		[{ channelId: 'ch_nope' }, 'Unknown channel ch_nope'],
		[{ status: 'open' }, 'status must be one of active, pending, closed, spam'],
		[{ teamId: 't_nope' }, 'Unknown team t_nope in org_imbrace'],
		[{ assigneeId: 'u_nope' }, 'Unknown agent u_nope in org_imbrace'],
		[{ messages: -1 }, 'messages must be an integer from 0 to 10000'],
	])('%j throws', (input, message) => {
		expect(() => sandbox.addConversation(input)).toThrow(new SandboxInputError(message));
	});

	test('a contact and a team of different organizations do not mix', () => {
		expect(() => sandbox.addConversation({ teamId: sandbox.ids.otherTeamId })).toThrow(
			new SandboxInputError(`Unknown team ${sandbox.ids.otherTeamId} in org_imbrace`),
		);
	});

	test('over HTTP: POST /__sandbox/conversations answers the conversation', async () => {
		const answer = await api<ConversationAnswer>('POST', '/__sandbox/conversations', {
			body: { contactId: sandbox.ids.contactId, assigneeId: sandbox.ids.agentUserId, messages: 2 },
		});
		expect(answer.status).toBe(200);
		expect(answer.json).toMatchObject({
			object_name: 'conversation',
			contact_id: sandbox.ids.contactId,
			channel_id: sandbox.ids.channelId,
			channel_type: 'web',
			status: 'active',
			users: [
				{
					object_name: 'simple_user',
					id: 'u_imbrace_bot',
					display_name: 'imbrace bot',
					avatar_url: '',
				},
				{
					object_name: 'simple_user',
					id: sandbox.ids.agentUserId,
					display_name: 'Alice Chan',
					avatar_url: '',
				},
			],
		});
		expect((await listOf(answer.json.id)).json.count).toBe(2);
		const bad = await api('POST', '/__sandbox/conversations', { body: { status: 'weird' } });
		expect([bad.status, bad.json]).toEqual([
			400,
			{ message: 'status must be one of active, pending, closed, spam' },
		]);
	});
});

describe('reset and info', () => {
	test('reset goes back to the seed: data, requests, faults, listeners, files', async () => {
		const views = `/v2/backend/team_conversations/_views_count?type=business_unit_id&q=${sandbox.ids.businessUnitId}`;
		const seedCounts = (await api<Counts>('GET', views, { token: sandbox.tokens.agent })).json;
		sandbox.addConversation({ messages: 2 });
		sandbox.addMessages({ conversationId: sandbox.ids.contactConversationId, count: 4 });
		let calls = 0;
		sandbox.onRequest(() => calls++);
		sandbox.injectFault({ kind: 'status', status: 500, times: 10 });
		await api('GET', '/');
		sandbox.reset();
		expect(sandbox.requests()).toEqual([]);
		const counts = await api<Counts>('GET', views, { token: sandbox.tokens.agent });
		expect(counts.status).toBe(200);
		expect(counts.json).toEqual(seedCounts);
		expect((await listOf(sandbox.ids.contactConversationId)).json.count).toBe(15);
		expect(calls).toBe(1);
	});

	test('ids made after a reset repeat: the run-time id stream restarts too', () => {
		const first = sandbox.addMessages({ conversationId: sandbox.ids.contactConversationId })[0].id;
		const conversation = sandbox.addConversation();
		sandbox.reset();
		expect(sandbox.addMessages({ conversationId: sandbox.ids.contactConversationId })[0].id).toBe(
			first,
		);
		expect(sandbox.addConversation()).toBe(conversation);
	});

	test('a conversation added before the reset is gone', () => {
		const id = sandbox.addConversation();
		sandbox.reset();
		expect(() => sandbox.addMessages({ conversationId: id })).toThrow(
			new SandboxInputError(`Unknown conversation ${id}`),
		);
	});

	test('over HTTP: POST /__sandbox/reset', async () => {
		sandbox.addMessages({ conversationId: sandbox.ids.contactConversationId });
		const answer = await api('POST', '/__sandbox/reset');
		expect([answer.status, answer.text]).toEqual([204, '']);
		expect((await listOf(sandbox.ids.contactConversationId)).json.count).toBe(15);
	});

	test('GET /__sandbox/info: url, seed now, mode, tokens and ids, without a token', async () => {
		const answer = await api('GET', '/__sandbox/info');
		expect(answer.status).toBe(200);
		expect(answer.json).toEqual({
			url: sandbox.url,
			seedNow: '2025-06-30T12:00:00.000Z',
			mode: { routes: 'both', meili: '1.15', inbox: true, whatsappWindow: false },
			tokens: sandbox.tokens,
			ids: sandbox.ids,
			inboxIds: sandbox.inboxIds,
		});
	});

	test('an unknown control path or method: 404', async () => {
		for (const [method, path] of [
			['GET', '/__sandbox/nothing'],
			['POST', '/__sandbox/info'],
			['GET', '/__sandbox/reset'],
			['GET', '/__sandbox'],
		]) {
			const answer = await api(method, path);
			expect([answer.status, answer.json]).toEqual([404, { message: 'Not Found' }]);
		}
		expect(sandbox.requests()).toEqual([]);
	});
});
