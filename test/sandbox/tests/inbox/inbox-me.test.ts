/** Inbox §9: who the caller is, for every kind of token, and a gateway without the inbox. */
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

const ME = '/platform/v1/users/_me';
const GATE_PATHS = '/conversation_message, /board, /channels, /touchpoints, /campaign';

describe('GET /platform/v1/users/_me', () => {
	test("an agent token: the agent's user", async () => {
		const answer = await api('GET', ME, { token: sandbox.tokens.agent });
		expect(answer.status).toBe(200);
		expect(answer.json).toEqual({
			object_name: 'user',
			id: sandbox.ids.agentUserId,
			organization_id: 'org_imbrace',
			email: 'alice.chan@imbrace.test',
			role: 'admin',
			display_name: 'Alice Chan',
			first_name: 'Alice',
			last_name: 'Chan',
			is_bot: false,
			status: 'active',
			team_ids: [
				sandbox.ids.teamIds[0],
				sandbox.ids.teamIds[1],
				sandbox.ids.teamIds[3],
				...sandbox.inboxIds.manyTeamsIds,
			],
			avatar_url: '',
			created_at: '2024-02-16T12:00:00.000Z',
		});
	});

	test('the second agent and the other organization’s agent', async () => {
		const ben = await api<{ id: string; display_name: string; role: string; team_ids: string[] }>(
			'GET',
			ME,
			{ token: sandbox.tokens.secondAgent },
		);
		expect(ben.status).toBe(200);
		expect([ben.json.id, ben.json.display_name, ben.json.role, ben.json.team_ids]).toEqual([
			sandbox.ids.secondAgentUserId,
			'Ben Wong',
			'user',
			[sandbox.ids.teamIds[0], sandbox.ids.teamIds[3]],
		]);
		const olivia = await api<{ organization_id: string; display_name: string; team_ids: string[] }>(
			'GET',
			ME,
			{ token: sandbox.tokens.otherOrgAgent },
		);
		expect(olivia.status).toBe(200);
		expect([olivia.json.organization_id, olivia.json.display_name, olivia.json.team_ids]).toEqual([
			'org_other',
			'Olivia Other',
			[sandbox.ids.otherTeamId],
		]);
	});

	test("the full-access API key: the key's own user, the one its sends come from", async () => {
		const me = await api<{ id: string; is_bot: boolean; display_name: string; team_ids: string[] }>(
			'GET',
			ME,
			{ apiKey: sandbox.tokens.apiKey },
		);
		expect(me.status).toBe(200);
		expect([me.json.id, me.json.is_bot, me.json.display_name]).toEqual([
			'u_imbrace_bot',
			true,
			'imbrace bot',
		]);
		// A full-access key sees every team of its organization.
		expect(me.json.team_ids).toHaveLength(6 + 105);
		const sent = await api<{ from: string }>('POST', '/channel-service/v1/conversation_messages', {
			apiKey: sandbox.tokens.apiKey,
			body: { conversation_id: sandbox.ids.contactConversationId, type: 'text', text: 'Hi' },
		});
		expect([sent.status, sent.json.from]).toEqual([200, me.json.id]);
	});

	test("the scoped API key: the gate's 403, naming the path it checked", async () => {
		const answer = await api('GET', ME, { apiKey: sandbox.tokens.scopedApiKey });
		expect(answer.status).toBe(403);
		expect(answer.json).toEqual({
			error: 'Forbidden',
			message: `Invalid API path: /v1/users/_me, the path should be one of the following: ${GATE_PATHS}`,
			request_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
		});
	});

	test('a contact token: 401 Unauthorized', async () => {
		const answer = await api('GET', ME, { token: sandbox.tokens.contact });
		expect([answer.status, answer.text]).toEqual([401, '{"message":"Unauthorized"}']);
	});

	test('no token, an unknown token, an unknown key: the gateway’s 401s', async () => {
		const none = await api('GET', ME);
		expect([none.status, none.json]).toEqual([
			401,
			{ message: 'Unauthorized - API key or Access Token required' },
		]);
		const unknown = await api('GET', ME, { token: 'acc_nobody' });
		expect([unknown.status, unknown.json]).toEqual([
			401,
			{ message: 'Unauthorized - Invalid token' },
		]);
		const badKey = await api('GET', ME, { apiKey: 'api_nobody' });
		expect([badKey.status, badKey.json]).toEqual([
			401,
			{ error: 'Unauthorized', message: 'Invalid API key', request_id: expect.any(String) },
		]);
	});

	test.each(['documented', 'current', 'both'] as const)(
		'served whatever the route family (%s)',
		async (routes) => {
			sandbox.setMode({ routes });
			const answer = await api<{ id: string }>('GET', ME, { token: sandbox.tokens.agent });
			expect([answer.status, answer.json.id]).toEqual([200, sandbox.ids.agentUserId]);
		},
	);

	test('another method on the path: iMBRACE’s 404 before auth', async () => {
		const answer = await api('POST', ME);
		expect([answer.status, answer.json]).toEqual([404, { message: 'Not Found' }]);
	});
});

describe('a gateway that does not route the inbox (inbox: false)', () => {
	const notServed = (path: string) => ({
		statusCode: 404,
		message: `Cannot GET ${path}`,
		error: 'Not Found',
	});

	test('setMode({ inbox: false }): the not-served 404 with the whole path, after auth', async () => {
		expect(sandbox.setMode({ inbox: false })).toEqual({
			routes: 'both',
			meili: '1.15',
			inbox: false,
			whatsappWindow: false,
		});
		const me = await api('GET', ME, { token: sandbox.tokens.agent });
		expect([me.status, me.text]).toEqual([404, JSON.stringify(notServed(ME))]);
		const none = await api('GET', ME);
		expect(none.status).toBe(401);
		// §1–§8 are served as before.
		const counts = await api('GET', '/channel-service/v1/channels/_conv_count', {
			token: sandbox.tokens.agent,
		});
		expect(counts.status).toBe(200);
	});

	test('startSandbox({ inbox: false }), over HTTP, and back after reset', async () => {
		const started = await startSandbox({ inbox: false });
		try {
			const answer = await call(started.url, 'GET', ME, { token: started.tokens.agent });
			expect([answer.status, answer.json]).toEqual([404, notServed(ME)]);
			const set = await call(started.url, 'POST', '/__sandbox/mode', { body: { inbox: true } });
			expect(set.json).toEqual({
				routes: 'both',
				meili: '1.15',
				inbox: true,
				whatsappWindow: false,
			});
			expect((await call(started.url, 'GET', ME, { token: started.tokens.agent })).status).toBe(
				200,
			);
			started.reset();
			expect(started.mode().inbox).toBe(false);
		} finally {
			await started.close();
		}
	});

	test('a setting that is not a boolean is refused', async () => {
		const answer = await api('POST', '/__sandbox/mode', { body: { inbox: 'no' } });
		expect([answer.status, answer.json]).toEqual([400, { message: 'inbox must be true or false' }]);
		expect(sandbox.mode().inbox).toBe(true);
	});
});
