/** Inbox §9–§21: who may call every endpoint, and a gateway that does not route them. */
import { call } from '../helpers';
import type { CallOptions } from '../helpers';
import { startSandbox } from '../../index';
import type { Sandbox } from '../../index';

let sandbox: Sandbox;
const api = <T = unknown>(method: string, path: string, options?: CallOptions) =>
	call<T>(sandbox.url, method, path, options);

beforeAll(async () => {
	sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
afterEach(() => sandbox.reset());

const GATE_PATHS = '/conversation_message, /board, /channels, /touchpoints, /campaign';

interface Endpoint {
	method: 'GET' | 'POST';
	/** With its query. */
	target: () => string;
	body?: () => unknown;
	/** The path below its mount (ids as <id>), naming the tests. */
	gatePath: string;
}

/** Every inbox endpoint, with a request that an agent may make. */
const ENDPOINTS: Endpoint[] = [
	{ method: 'GET', target: () => '/platform/v1/users/_me', gatePath: '/v1/users/_me' },
	{ method: 'GET', target: () => '/platform/v1/business_units', gatePath: '/v1/business_units' },
	{
		method: 'GET',
		target: () => `/platform/v1/teams?type=business_unit_id&q=${sandbox.ids.businessUnitId}`,
		gatePath: '/v1/teams',
	},
	{ method: 'GET', target: () => '/platform/v1/teams/my', gatePath: '/v1/teams/my' },
	{
		method: 'GET',
		target: () => `/platform/v1/team_users?type=team_id&q=${sandbox.ids.teamId}`,
		gatePath: '/v1/team_users',
	},
	{ method: 'GET', target: () => '/platform/v1/users?status=active', gatePath: '/v1/users' },
	{ method: 'GET', target: () => '/channel-service/v1/channels', gatePath: '/v1/channels' },
	{
		method: 'GET',
		target: () => '/channel-service/v1/contacts?sort=-created_at',
		gatePath: '/v1/contacts',
	},
	{
		method: 'GET',
		target: () => '/channel-service/v1/contacts/_search?type=text&q=wong',
		gatePath: '/v1/contacts/_search',
	},
	{
		method: 'GET',
		target: () => `/channel-service/v1/contacts/${sandbox.ids.contactId}/conversations`,
		gatePath: '/v1/contacts/<id>/conversations',
	},
	{
		method: 'GET',
		target: () =>
			`/channel-service/v2/team_conversations?type=business_unit_id&q=${sandbox.ids.businessUnitId}&view=all`,
		gatePath: '/v2/team_conversations',
	},
	{
		method: 'GET',
		target: () =>
			`/channel-service/v1/team_conversations/_search?business_unit_id=${sandbox.ids.businessUnitId}&type=text&q=guest`,
		gatePath: '/v1/team_conversations/_search',
	},
	{
		method: 'GET',
		target: () =>
			`/channel-service/v1/team_conversations?type=conversation_id&q=${sandbox.ids.contactConversationId}`,
		gatePath: '/v1/team_conversations',
	},
	{
		method: 'GET',
		target: () =>
			`/channel-service/v1/team_conversations/${sandbox.teamConversations(sandbox.ids.contactConversationId)[0].id}`,
		gatePath: '/v1/team_conversations/<id>',
	},
	{
		method: 'POST',
		target: () => '/channel-service/v1/team_conversations/_update_status',
		body: () => ({
			id: sandbox.teamConversations(sandbox.ids.contactConversationId)[0].id,
			status: 'active',
		}),
		gatePath: '/v1/team_conversations/_update_status',
	},
	{
		method: 'POST',
		target: () => '/channel-service/v1/team_conversations/assign_team_member',
		body: () => ({
			conversation_id: sandbox.ids.contactConversationId,
			team_id: sandbox.ids.teamId,
		}),
		gatePath: '/v1/team_conversations/assign_team_member',
	},
	{
		method: 'POST',
		target: () => '/channel-service/v1/team_conversations/remove_team_member',
		body: () => ({
			conversation_id: sandbox.ids.contactConversationId,
			team_id: sandbox.ids.teamId,
			user_id: sandbox.ids.secondAgentUserId,
		}),
		gatePath: '/v1/team_conversations/remove_team_member',
	},
	{
		method: 'GET',
		target: () =>
			`/channel-service/v1/message_templates?type=business_unit_id&q=${sandbox.ids.businessUnitId}`,
		gatePath: '/v1/message_templates',
	},
	{
		method: 'GET',
		target: () =>
			`/channel-service/v2/whatsapp_templates?type=business_unit_id&q=${sandbox.ids.businessUnitId}`,
		gatePath: '/v2/whatsapp_templates',
	},
];

const send = (endpoint: Endpoint, options: CallOptions) =>
	api(endpoint.method, endpoint.target(), { ...options, body: endpoint.body?.() });

const label = (endpoint: Endpoint) => `${endpoint.method} ${endpoint.gatePath}`;

describe.each(ENDPOINTS.map((endpoint) => [label(endpoint), endpoint] as const))(
	'%s',
	(_, endpoint) => {
		test('an agent token and the full-access key: 200', async () => {
			expect((await send(endpoint, { token: sandbox.tokens.agent })).status).toBe(200);
			expect((await send(endpoint, { apiKey: sandbox.tokens.apiKey })).status).toBe(200);
		});

		test("the scoped key: the gate's 403 naming the path below the mount", async () => {
			const answer = await send(endpoint, { apiKey: sandbox.tokens.scopedApiKey });
			const path = endpoint
				.target()
				.split('?')[0]
				.replace(/^\/(platform|channel-service)/, '');
			expect([answer.status, answer.json]).toEqual([
				403,
				{
					error: 'Forbidden',
					message: `Invalid API path: ${path}, the path should be one of the following: ${GATE_PATHS}`,
					request_id: expect.any(String),
				},
			]);
		});

		test('a contact token: 401 {"message":"Unauthorized"}', async () => {
			const answer = await send(endpoint, { token: sandbox.tokens.contact });
			expect([answer.status, answer.text]).toEqual([401, '{"message":"Unauthorized"}']);
		});

		test('no token and a bad token: the gateway’s 401s', async () => {
			expect((await send(endpoint, {})).json).toEqual({
				message: 'Unauthorized - API key or Access Token required',
			});
			const bad = await send(endpoint, { token: 'acc_nobody' });
			expect([bad.status, bad.json]).toEqual([401, { message: 'Unauthorized - Invalid token' }]);
		});

		test('inbox off: the not-served 404 with the whole path, for agents too', async () => {
			const target = endpoint.target();
			sandbox.setMode({ inbox: false });
			const answer = await api(endpoint.method, target, {
				token: sandbox.tokens.agent,
				body: endpoint.body?.(),
			});
			expect([answer.status, answer.json]).toEqual([
				404,
				{
					statusCode: 404,
					message: `Cannot ${endpoint.method} ${target.split('?')[0]}`,
					error: 'Not Found',
				},
			]);
		});
	},
);

test('the inbox paths are the same in every route family', async () => {
	for (const routes of ['documented', 'current'] as const) {
		sandbox.setMode({ routes });
		for (const endpoint of ENDPOINTS) {
			expect([
				label(endpoint),
				(await send(endpoint, { token: sandbox.tokens.agent })).status,
			]).toEqual([label(endpoint), 200]);
		}
	}
});

test('a path beside the inbox’s: iMBRACE’s own 404 before auth', async () => {
	for (const path of ['/platform/v1/teams/all', '/channel-service/v1/team_conversations/a/b']) {
		const answer = await api('GET', path);
		expect([answer.status, answer.json]).toEqual([404, { message: 'Not Found' }]);
	}
});
