/** Run-time modes: the route families, the API-key gate, the index generations and setMode. */
import { UUID, call, multipartForm } from './helpers';
import type { CallOptions, Counts, FetchEnvelope, SearchEnvelope } from './helpers';
import { ROUTE_MODES, SandboxInputError, startSandbox } from '../index';
import type { RecordedRequest, RoutesMode, Sandbox } from '../index';

let sandbox: Sandbox;
const api = <T = unknown>(method: string, path: string, options?: CallOptions) =>
	call<T>(sandbox.url, method, path, options);

beforeAll(async () => {
	sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
afterEach(() => sandbox.reset());

const NOT_FOUND = { message: 'Not Found' };
/** The inbox's settings of a mode, as startSandbox() sets them. */
const INBOX_DEFAULTS = { inbox: true, whatsappWindow: false };
const REQUIRED = { message: 'Unauthorized - API key or Access Token required' };
const INVALID_TOKEN = { message: 'Unauthorized - Invalid token' };
const INVALID_PARAMETERS = { code: 40000, message: 'Invalid request parameters' };
/** The first `request_id`s of the API-key gate after a start or a reset. */
const REQUEST_IDS = [
	'8bf4eee4-4752-47d6-ae65-8ae881d954e1',
	'ab350daa-49b2-4fb6-827a-fa2566c3a4fb',
	'581a7f31-9675-42f6-bb30-645fc123ea6b',
];
const notServed = (method: string, path: string) => ({
	statusCode: 404,
	message: `Cannot ${method} ${path}`,
	error: 'Not Found',
});

interface Endpoint {
	/** What the endpoint is, for test names. */
	name: string;
	method: string;
	/** Without the query string. */
	path: string;
	query?: string;
	/** Builds the request's body (multipart bodies cannot be sent twice). */
	body?: () => Pick<CallOptions, 'body' | 'rawBody'>;
	/** The path the service names in its 404 when the family is not served. */
	servicePath: string;
	/** The path the API-key gate checks (and names in its 403). */
	gatePath: string;
}

const upload = () => ({
	rawBody: multipartForm({
		destination: 'text/plain',
		file: { data: Buffer.from('hello'), type: 'text/plain', name: 'hello.txt' },
	}),
});
const conversationId = () => sandbox.ids.contactConversationId;

/** The same seven calls in each family (imbrace-api.md's table), in table order. */
const DOCUMENTED: Endpoint[] = [
	{
		name: '§1',
		method: 'GET',
		path: '/v2/backend/team_conversations/_views_count',
		query: '?type=business_unit_id&q=bu_imbrace_testing',
		servicePath: '/_views_count',
		gatePath: '/_views_count',
	},
	{
		name: '§2',
		method: 'GET',
		path: '/v2/backend/channels/_conv_count',
		query: '?view=all',
		servicePath: '/_conv_count',
		gatePath: '/_conv_count',
	},
	{
		name: '§3',
		method: 'GET',
		path: '/v1/backend/channels/_conv_count',
		query: '?team_id=t_imbrace_default_team',
		servicePath: '/_conv_count',
		gatePath: '/_conv_count',
	},
	{
		name: '§4',
		method: 'POST',
		path: '/v1/backend/conversation',
		body: () => ({ body: { contact_id: sandbox.ids.contactId } }),
		servicePath: '/v1/conversation',
		gatePath: '/conversation',
	},
	{
		name: '§5',
		method: 'GET',
		path: '/v1/backend/conversation_messages',
		query: `?conversation_id=conv_9308aa1f-bd40-4c24-aea6-114d9298a756`,
		servicePath: '/',
		gatePath: '/',
	},
	{
		name: '§6',
		method: 'POST',
		path: '/v1/backend/conversation_messages',
		body: () => ({ body: { type: 'text', text: 'Hi', conversation_id: conversationId() } }),
		servicePath: '/',
		gatePath: '/',
	},
	{
		name: 'upload',
		method: 'POST',
		path: '/v1/backend/conversation_messages/_fileupload',
		body: upload,
		servicePath: '/_fileupload',
		gatePath: '/_fileupload',
	},
];

const CURRENT: Endpoint[] = [
	{
		name: '§1',
		method: 'GET',
		path: '/channel-service/v2/team_conversations/_views_count',
		query: '?type=business_unit_id&q=bu_imbrace_testing',
		servicePath: '/channel-service/v2/team_conversations/_views_count',
		gatePath: '/v2/team_conversations/_views_count',
	},
	{
		name: '§2',
		method: 'GET',
		path: '/channel-service/v1/channels/_conv_count',
		servicePath: '/channel-service/v1/channels/_conv_count',
		gatePath: '/v1/channels/_conv_count',
	},
	{
		name: '§3',
		method: 'GET',
		path: '/channel-service/v1/channels/_conv_count',
		query: '?team_id=t_imbrace_default_team',
		servicePath: '/channel-service/v1/channels/_conv_count',
		gatePath: '/v1/channels/_conv_count',
	},
	{
		name: '§4',
		method: 'POST',
		path: '/channel-service/v1/conversations',
		body: () => ({ body: { contact_id: sandbox.ids.contactId } }),
		servicePath: '/channel-service/v1/conversations',
		gatePath: '/v1/conversations',
	},
	{
		name: '§5',
		method: 'GET',
		path: '/channel-service/v1/conversation_messages',
		query: `?conversation_id=conv_9308aa1f-bd40-4c24-aea6-114d9298a756`,
		servicePath: '/channel-service/v1/conversation_messages',
		gatePath: '/v1/conversation_messages',
	},
	{
		name: '§6',
		method: 'POST',
		path: '/channel-service/v1/conversation_messages',
		body: () => ({ body: { type: 'text', text: 'Hi', conversation_id: conversationId() } }),
		servicePath: '/channel-service/v1/conversation_messages',
		gatePath: '/v1/conversation_messages',
	},
	{
		name: 'upload',
		method: 'POST',
		path: '/channel-service/v1/conversation_messages/_fileupload',
		body: upload,
		servicePath: '/channel-service/v1/conversation_messages/_fileupload',
		gatePath: '/v1/conversation_messages/_fileupload',
	},
];

const SHARED: Endpoint[] = [
	{
		name: '§7',
		method: 'POST',
		path: '/v1/backend/meilisearch/org_imbrace/search',
		body: () => ({ body: { limit: 1 } }),
		servicePath: '',
		gatePath: '/meilisearch/org_imbrace/search',
	},
	{
		name: '§8',
		method: 'POST',
		path: '/v1/backend/meilisearch/org_imbrace/fetch',
		body: () => ({ body: { filter: 'type = pdf', limit: 1 } }),
		servicePath: '',
		gatePath: '/meilisearch/org_imbrace/fetch',
	},
];

const send = (endpoint: Endpoint, auth: Pick<CallOptions, 'token' | 'apiKey'>) =>
	api(endpoint.method, `${endpoint.path}${endpoint.query ?? ''}`, {
		...auth,
		...endpoint.body?.(),
	});

const SERVED: Record<RoutesMode, { documented: boolean; current: boolean }> = {
	documented: { documented: true, current: false },
	current: { documented: false, current: true },
	both: { documented: true, current: true },
};

describe.each(ROUTE_MODES)('routes: %s', (routes) => {
	beforeEach(() => sandbox.setMode({ routes }));

	const families = [
		['documented', DOCUMENTED, SERVED[routes].documented],
		['current', CURRENT, SERVED[routes].current],
	] as const;
	const cases = families.flatMap(([family, endpoints, served]) =>
		endpoints.map(
			(endpoint) =>
				[
					`${family} ${endpoint.name} ${endpoint.method} ${endpoint.path}: ${served ? 'served' : '404 not served'}`,
					endpoint,
					served,
				] as const,
		),
	);

	test.each(cases)('%s', async (_name, endpoint, served) => {
		const answer = await send(endpoint, { token: sandbox.tokens.agent });
		if (served) {
			expect(answer.status).toBe(200);
		} else {
			expect(answer.status).toBe(404);
			expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
			expect(answer.text).toBe(JSON.stringify(notServed(endpoint.method, endpoint.servicePath)));
		}
		expect(sandbox.requests().map((request) => request.status)).toEqual([answer.status]);
	});

	test.each(SHARED.map((endpoint) => [endpoint.name, endpoint] as const))(
		'search and fetch (%s) are served in every mode',
		async (_name, endpoint) => {
			expect((await send(endpoint, { token: sandbox.tokens.agent })).status).toBe(200);
		},
	);

	test('authentication comes before the 404 of a family not served', async () => {
		const unserved = routes === 'current' ? DOCUMENTED : CURRENT;
		for (const endpoint of routes === 'both' ? [] : unserved) {
			const none = await send(endpoint, {});
			const badToken = await send(endpoint, { token: 'acc_bad' });
			const badKey = await send(endpoint, { apiKey: 'api_bad' });
			const scoped = await send(endpoint, { apiKey: sandbox.tokens.scopedApiKey });
			expect([none.status, none.json]).toEqual([401, REQUIRED]);
			expect([badToken.status, badToken.json]).toEqual([401, INVALID_TOKEN]);
			expect([badKey.status, badKey.json]).toEqual([
				401,
				{ error: 'Unauthorized', message: 'Invalid API key', request_id: expect.any(String) },
			]);
			expect([scoped.status, scoped.json]).toEqual([
				403,
				{
					error: 'Forbidden',
					message: `Invalid API path: ${endpoint.gatePath}`,
					request_id: expect.any(String),
				},
			]);
		}
	});

	test.each([
		['POST', '/v1/backend/conversations'],
		['GET', '/channel-service/v1/conversation'],
		['POST', '/channel-service/v1/conversation'],
		['GET', '/channel-service/v1/conversations'],
		['GET', '/channel-service/v1/channels/_conv_count/'],
		['DELETE', '/channel-service/v1/conversation_messages'],
		['GET', '/channel-service/v2/channels/_conv_count'],
	])('%s %s, in neither family: iMBRACE 404, with or without a token', async (method, path) => {
		for (const options of [{ token: sandbox.tokens.agent }, {}]) {
			const answer = await api(method, path, options);
			expect([answer.status, answer.json]).toEqual([404, NOT_FOUND]);
		}
	});

	test("iMBRACE's own 404s for unknown ids keep their bodies", async () => {
		const [messages, teams] =
			routes === 'documented' ? [DOCUMENTED[4], DOCUMENTED[2]] : [CURRENT[4], CURRENT[2]];
		const conversation = await api('GET', `${messages.path}?conversation_id=conv_nope`, {
			token: sandbox.tokens.agent,
		});
		const team = await api('GET', `${teams.path}?team_id=t_nope`, {
			token: sandbox.tokens.agent,
		});
		expect([conversation.status, conversation.json]).toEqual([
			404,
			{ message: 'Conversation not found' },
		]);
		expect([team.status, team.json]).toEqual([404, NOT_FOUND]);
	});
});

describe('the current family', () => {
	const CURRENT_COUNTS = '/channel-service/v1/channels/_conv_count';
	const counts = (query: string, token = sandbox.tokens.agent) =>
		api<Counts>('GET', `${CURRENT_COUNTS}${query}`, { token });

	test('answers as the documented family does (reads)', async () => {
		for (const [documented, current] of [
			[DOCUMENTED[0], CURRENT[0]],
			[DOCUMENTED[1], CURRENT[1]],
			[DOCUMENTED[2], CURRENT[2]],
			[DOCUMENTED[4], CURRENT[4]],
		]) {
			const [left, right] = [
				await send(documented, { token: sandbox.tokens.agent }),
				await send(current, { token: sandbox.tokens.agent }),
			];
			expect(right.text).toBe(left.text);
		}
	});

	test('§2 without team_id: view joined or yours, or none for all', async () => {
		const documented = (view: string) =>
			api<Counts>('GET', `/v2/backend/channels/_conv_count?view=${view}`, {
				token: sandbox.tokens.agent,
			});
		expect((await counts('')).json).toEqual((await documented('all')).json);
		expect((await counts('?view=joined')).json).toEqual((await documented('joined')).json);
		expect((await counts('?view=yours')).json).toEqual((await documented('yours')).json);
		expect((await counts('?view=yours')).json.all).toBe(63);
	});

	test.each(['all', '', 'ALL', 'bogus'])(
		'§2 with view=%j: 400 Invalid request parameters',
		async (view) => {
			const answer = await counts(`?view=${view}`);
			expect([answer.status, answer.json]).toEqual([400, INVALID_PARAMETERS]);
		},
	);

	test('§3 with team_id: the team, whatever view says', async () => {
		const team = await counts(`?team_id=${sandbox.ids.teamId}&view=all`);
		expect(team.status).toBe(200);
		expect(team.json.all).toBe(155);
		const empty = await counts('?team_id=');
		expect([empty.status, empty.json]).toEqual([400, INVALID_PARAMETERS]);
		const foreign = await counts(`?team_id=${sandbox.ids.otherTeamId}`);
		expect([foreign.status, foreign.json]).toEqual([404, NOT_FOUND]);
	});

	test('a contact token may not count: 403 Forbidden', async () => {
		for (const query of ['', `?team_id=${sandbox.ids.teamId}`]) {
			const answer = await counts(query, sandbox.tokens.contact);
			expect([answer.status, answer.json]).toEqual([403, { message: 'Forbidden' }]);
		}
	});

	test('§4 plural: the same rules and answer as the documented §4', async () => {
		const created = await api<{ contact_id: string; object_name: string }>(
			'POST',
			'/channel-service/v1/conversations',
			{ token: sandbox.tokens.agent, body: { contact_id: sandbox.ids.contactId } },
		);
		expect(created.status).toBe(200);
		expect(created.json).toMatchObject({
			object_name: 'conversation',
			contact_id: sandbox.ids.contactId,
		});
		const missing = await api('POST', '/channel-service/v1/conversations', {
			token: sandbox.tokens.agent,
			body: {},
		});
		expect([missing.status, missing.json]).toEqual([
			400,
			{ code: 40000, message: 'Invalid request' },
		]);
	});

	test('§6 then §5: a message sent on one family is listed on the other', async () => {
		const sent = await api<{ id: string }>('POST', '/channel-service/v1/conversation_messages', {
			token: sandbox.tokens.agent,
			body: { type: 'text', text: 'Across', conversation_id: conversationId() },
		});
		const listed = await api<{ data: Array<{ id: string }> }>(
			'GET',
			`/v1/backend/conversation_messages?conversation_id=${conversationId()}&limit=1`,
			{ token: sandbox.tokens.agent },
		);
		expect(listed.json.data.map((message) => message.id)).toEqual([sent.json.id]);
	});

	test('upload takes create_thumbnail, records it like any field, and answers {url}', async () => {
		const answer = await api('POST', '/channel-service/v1/conversation_messages/_fileupload', {
			token: sandbox.tokens.agent,
			rawBody: multipartForm({
				create_thumbnail: 'true',
				destination: 'image/png',
				file: { data: Buffer.from('png'), type: 'image/png', name: 'a.png' },
			}),
		});
		expect([answer.status, answer.json]).toEqual([200, { url: `${sandbox.url}/files/f1/a.png` }]);
		expect(sandbox.requests()[0].body).toMatchObject({
			fields: { create_thumbnail: 'true', destination: 'image/png' },
		});
	});
});

describe('the API-key gate', () => {
	const CHANNELS = '/v2/backend/channels/_conv_count';
	const gate = (requestId: string) => ({
		error: 'Unauthorized',
		message: 'Invalid API key',
		request_id: requestId,
	});

	test('an unknown, empty or wrong-kind key: 401 Invalid API key, with a request_id', async () => {
		const unknown = await api('GET', CHANNELS, {
			apiKey: 'api_00000000-0000-4000-8000-000000000000',
		});
		const empty = await api('GET', CHANNELS, { apiKey: '' });
		const accessToken = await api('GET', CHANNELS, { apiKey: sandbox.tokens.agent });
		expect([unknown.status, unknown.headers.get('content-type'), unknown.text]).toEqual([
			401,
			'application/json; charset=utf-8',
			JSON.stringify(gate(REQUEST_IDS[0])),
		]);
		expect([empty.status, empty.json]).toEqual([401, gate(REQUEST_IDS[1])]);
		expect([accessToken.status, accessToken.json]).toEqual([401, gate(REQUEST_IDS[2])]);
	});

	test('request ids are the same after a reset, and over a fresh sandbox', async () => {
		await api('GET', CHANNELS, { apiKey: 'api_bad' });
		sandbox.reset();
		const again = await api('GET', CHANNELS, { apiKey: 'api_bad' });
		expect(again.json).toEqual(gate(REQUEST_IDS[0]));
		const fresh = await startSandbox();
		try {
			expect((await call(fresh.url, 'GET', CHANNELS, { apiKey: 'api_bad' })).json).toEqual(
				gate(REQUEST_IDS[0]),
			);
		} finally {
			await fresh.close();
		}
	});

	test('the scoped key on every Conversations API path: 403 Invalid API path', async () => {
		const requestIds: string[] = [];
		for (const endpoint of [...DOCUMENTED, ...CURRENT, ...SHARED]) {
			const answer = await send(endpoint, { apiKey: sandbox.tokens.scopedApiKey });
			const requestId = (answer.json as { request_id: string }).request_id;
			expect([endpoint.path, answer.status, answer.text]).toEqual([
				endpoint.path,
				403,
				JSON.stringify({
					error: 'Forbidden',
					message: `Invalid API path: ${endpoint.gatePath}`,
					request_id: requestId,
				}),
			]);
			requestIds.push(requestId);
		}
		expect(requestIds.slice(0, 3)).toEqual(REQUEST_IDS);
		expect(new Set(requestIds).size).toBe(requestIds.length);
		for (const id of requestIds) expect(id).toMatch(new RegExp(`^${UUID}$`));
		// Nothing was written: the gate stops the request before the service.
		const listed = await send(DOCUMENTED[4], { token: sandbox.tokens.agent });
		expect((listed.json as { count: number }).count).toBe(15);
	});

	test('the scoped key does not open paths without auth, nor unknown ones', async () => {
		const root = await api('GET', '/', { apiKey: sandbox.tokens.scopedApiKey });
		const unknown = await api('GET', '/platform/v1/boards', {
			apiKey: sandbox.tokens.scopedApiKey,
		});
		expect(root.status).toBe(200);
		expect([unknown.status, unknown.json]).toEqual([404, NOT_FOUND]);
	});

	test('x-access-token still decides when both are sent', async () => {
		const answer = await api('GET', CHANNELS, {
			token: sandbox.tokens.agent,
			apiKey: sandbox.tokens.scopedApiKey,
		});
		expect(answer.status).toBe(200);
	});

	test('access tokens keep their bodies', async () => {
		const none = await api('GET', CHANNELS);
		const bad = await api('GET', CHANNELS, { token: 'acc_bad' });
		const key = await api('GET', CHANNELS, { token: sandbox.tokens.apiKey });
		expect([none.status, none.json]).toEqual([401, REQUIRED]);
		expect([bad.status, bad.json]).toEqual([401, INVALID_TOKEN]);
		expect([key.status, key.json]).toEqual([401, INVALID_TOKEN]);
	});
});

describe('index generations', () => {
	const SEARCH = '/v1/backend/meilisearch/org_imbrace/search';
	const FETCH = '/v1/backend/meilisearch/org_imbrace/fetch';
	const inConversation = () => `conversation_id = ${conversationId()}`;
	const searchTotal = async (filter: string) => {
		const answer = await api<SearchEnvelope>('POST', SEARCH, {
			token: sandbox.tokens.agent,
			body: { filter, limit: 1 },
		});
		expect(answer.status).toBe(200);
		return answer.json.message.estimatedTotalHits;
	};
	const fetchTotal = async (filter: string) => {
		const answer = await api<FetchEnvelope>('POST', FETCH, {
			token: sandbox.tokens.agent,
			body: { filter, limit: 1 },
		});
		expect(answer.status).toBe(200);
		return answer.json.message.total;
	};

	const RANGES: Array<[string, number]> = [
		['created_at >= "2025-06-27T08:00:00.000Z"', 7],
		['created_at > 2025-06-27T08:00:00.000Z', 7],
		['created_at < "2025-06-27T08:00:00.000Z"', 8],
		['created_at <= 2025-06-27T08:00:00.000Z', 8],
		['from >= con_ AND from < con~', 8],
	];
	const EQUALITIES: Array<[string, number]> = [
		['type = text', 9],
		['type != text', 6],
		['type IN [pdf, file]', 2],
		['from EXISTS', 15],
		['NOT type = text', 6],
	];

	test.each(RANGES)('1.15: %s compares strings (%i)', async (filter, expected) => {
		const full = `${inConversation()} AND ${filter}`;
		expect([await searchTotal(full), await fetchTotal(full)]).toEqual([expected, expected]);
	});

	test.each(RANGES)('1.14: %s matches nothing, silently', async (filter) => {
		sandbox.setMode({ meili: '1.14' });
		const full = `${inConversation()} AND ${filter}`;
		expect([await searchTotal(full), await fetchTotal(full)]).toEqual([0, 0]);
	});

	test.each(EQUALITIES)('1.14 and 1.15 alike: %s (%i)', async (filter, expected) => {
		const full = `${inConversation()} AND ${filter}`;
		const modern = [await searchTotal(full), await fetchTotal(full)];
		sandbox.setMode({ meili: '1.14' });
		expect([await searchTotal(full), await fetchTotal(full), ...modern]).toEqual([
			expected,
			expected,
			expected,
			expected,
		]);
	});

	test('1.14: NOT of a comparison matches what the comparison does not, so everything', async () => {
		sandbox.setMode({ meili: '1.14' });
		const full = `${inConversation()} AND NOT created_at > "2025-06-27T08:00:00.000Z"`;
		expect([await searchTotal(full), await fetchTotal(full)]).toEqual([15, 15]);
	});

	test('1.14: a bad filter is still an error', async () => {
		sandbox.setMode({ meili: '1.14' });
		const answer = await api('POST', SEARCH, {
			token: sandbox.tokens.agent,
			body: { filter: 'created_at >' },
		});
		expect(answer.status).toBe(400);
		expect(answer.json).toMatchObject({ code: 'invalid_search_filter' });
	});
});

describe('mode, setMode and reset', () => {
	test('startSandbox() serves both families on 1.15', async () => {
		expect(sandbox.mode()).toEqual({ routes: 'both', meili: '1.15', ...INBOX_DEFAULTS });
		const answer = await api('GET', '/__sandbox/mode');
		expect([answer.status, answer.json]).toEqual([
			200,
			{ routes: 'both', meili: '1.15', ...INBOX_DEFAULTS },
		]);
	});

	test('setMode changes what it names, keeps the rest, and answers the mode in force', () => {
		expect(sandbox.setMode({ routes: 'current' })).toEqual({
			routes: 'current',
			meili: '1.15',
			...INBOX_DEFAULTS,
		});
		expect(sandbox.setMode({ meili: '1.14' })).toEqual({
			routes: 'current',
			meili: '1.14',
			...INBOX_DEFAULTS,
		});
		expect(sandbox.setMode({})).toEqual({ routes: 'current', meili: '1.14', ...INBOX_DEFAULTS });
		expect(sandbox.setMode({ routes: undefined })).toEqual({
			routes: 'current',
			meili: '1.14',
			...INBOX_DEFAULTS,
		});
		expect(sandbox.mode()).toEqual({ routes: 'current', meili: '1.14', ...INBOX_DEFAULTS });
	});

	test('the mode returned is a copy', () => {
		const mode = sandbox.mode();
		mode.routes = 'documented';
		expect(sandbox.mode().routes).toBe('both');
	});

	test.each([
		[{ routes: 'all' }, 'routes must be one of documented, current, both'],
		[{ meili: '1.13' }, 'meili must be one of 1.14, 1.15'],
		[{ meili: 1.14 }, 'meili must be one of 1.14, 1.15'],
		[{ route: 'current' }, 'Unknown mode setting route: use routes, meili, inbox, whatsappWindow'],
	])('setMode(%j) throws and changes nothing', (mode, message) => {
		expect(() => sandbox.setMode(mode as never)).toThrow(new SandboxInputError(message));
		expect(sandbox.mode()).toEqual({ routes: 'both', meili: '1.15', ...INBOX_DEFAULTS });
	});

	test('over HTTP: POST /__sandbox/mode answers the mode now in force; bad input 400', async () => {
		const set = await api('POST', '/__sandbox/mode', { body: { routes: 'documented' } });
		expect([set.status, set.json]).toEqual([
			200,
			{ routes: 'documented', meili: '1.15', ...INBOX_DEFAULTS },
		]);
		const bad = await api('POST', '/__sandbox/mode', { body: { meili: 'latest' } });
		expect([bad.status, bad.json]).toEqual([400, { message: 'meili must be one of 1.14, 1.15' }]);
		const notObject = await api('POST', '/__sandbox/mode', { body: ['current'] });
		expect([notObject.status, notObject.json]).toEqual([
			400,
			{ message: 'The mode must be an object' },
		]);
		expect((await api('GET', '/__sandbox/mode')).json).toEqual({
			routes: 'documented',
			meili: '1.15',
			...INBOX_DEFAULTS,
		});
		const served = await api('GET', '/channel-service/v1/channels/_conv_count', {
			token: sandbox.tokens.agent,
		});
		expect(served.status).toBe(404);
		expect(sandbox.requests().map((request: RecordedRequest) => request.path)).toEqual([
			'/channel-service/v1/channels/_conv_count',
		]);
	});

	test('GET /__sandbox/info includes the mode', async () => {
		sandbox.setMode({ meili: '1.14' });
		const answer = await api<{ mode: unknown }>('GET', '/__sandbox/info');
		expect(answer.json.mode).toEqual({ routes: 'both', meili: '1.14', ...INBOX_DEFAULTS });
	});

	test('reset goes back to the mode the sandbox was started with', async () => {
		const started = await startSandbox({ routes: 'current', meili: '1.14' });
		try {
			expect(started.mode()).toEqual({ routes: 'current', meili: '1.14', ...INBOX_DEFAULTS });
			started.setMode({ routes: 'both', meili: '1.15' });
			started.reset();
			expect(started.mode()).toEqual({ routes: 'current', meili: '1.14', ...INBOX_DEFAULTS });
			const documented = await call(started.url, 'GET', '/v2/backend/channels/_conv_count', {
				token: started.tokens.agent,
			});
			expect([documented.status, documented.json]).toEqual([404, notServed('GET', '/_conv_count')]);
			await call(started.url, 'POST', '/__sandbox/mode', { body: { routes: 'documented' } });
			await call(started.url, 'POST', '/__sandbox/reset');
			expect(started.mode()).toEqual({ routes: 'current', meili: '1.14', ...INBOX_DEFAULTS });
		} finally {
			await started.close();
		}
	});

	test('startSandbox with a mode that does not exist rejects', async () => {
		await expect(startSandbox({ routes: 'legacy' as never })).rejects.toThrow(
			new SandboxInputError('routes must be one of documented, current, both'),
		);
	});
});
