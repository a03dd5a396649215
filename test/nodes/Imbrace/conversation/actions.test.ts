import type { INodeParameters } from 'n8n-workflow';

import { runNode } from '../../../harness/engine';
import { byId, useSandbox } from '../../../harness/sandbox';

const LOOKUP = '/channel-service/v1/team_conversations';
const UPDATE = '/channel-service/v1/team_conversations/_update_status';
const ASSIGN = '/channel-service/v1/team_conversations/assign_team_member';
const UNASSIGN = '/channel-service/v1/team_conversations/remove_team_member';

describe('iMBRACE node: conversation actions (the inbox)', () => {
	const fixture = useSandbox();

	function run(parameters: INodeParameters, extra: Parameters<typeof runNode>[0] = { parameters }) {
		return runNode({
			credentials: fixture.credentials(),
			...extra,
			parameters: { resource: 'conversation', ...parameters },
		});
	}

	function requests() {
		return fixture.sandbox
			.requests()
			.map(({ method, path, query, body }) => ({ method, path, query, body }));
	}

	describe('Get', () => {
		it('looks the conv_ ID up (§15), reads the team conversation (§16) and answers it simplified', async () => {
			const { sandbox } = fixture;
			const conversationId = sandbox.ids.contactConversationId;
			const [copy] = sandbox.teamConversations(conversationId);

			const result = await run({ operation: 'get', conversationId: byId(conversationId) });

			expect(result.error).toBeUndefined();
			expect(requests()).toEqual([
				{
					method: 'GET',
					path: LOOKUP,
					query: { type: 'conversation_id', q: conversationId },
					body: undefined,
				},
				{ method: 'GET', path: `${LOOKUP}/${copy.id}`, query: {}, body: undefined },
			]);
			expect(result.output).toHaveLength(1);
			const item = result.output[0].json;
			expect(Object.keys(item)).toEqual([
				'id',
				'team_conversation_id',
				'team_id',
				'business_unit_id',
				'channel_id',
				'channel_type',
				'contact_id',
				'name',
				'status',
				'is_joined',
				'last_message',
				'last_contact_message_at',
				'whatsapp_window_open',
				'agents',
			]);
			expect(item).toMatchObject({
				id: conversationId,
				team_conversation_id: copy.id,
				team_id: sandbox.ids.teamId,
				business_unit_id: sandbox.ids.businessUnitId,
				channel_type: 'web',
				contact_id: sandbox.ids.contactId,
				whatsapp_window_open: null,
			});
			expect(item.agents).toEqual(
				expect.arrayContaining([{ id: sandbox.ids.agentUserId, name: 'Alice Chan' }]),
			);
			expect(result.output[0].pairedItem).toEqual({ item: 0 });
		});

		it('takes the dashboard’s chatroom link, and the plain ID a saved workflow holds', async () => {
			const { sandbox } = fixture;
			const conversationId = sandbox.ids.contactConversationId;

			const results = await Promise.all(
				[
					{
						__rl: true,
						mode: 'url',
						value: `https://app.imbrace.co/chatroom?conversation_id=${conversationId}`,
					},
					conversationId,
				].map(async (value) => await run({ operation: 'get', conversationId: value })),
			);

			for (const result of results) {
				expect(result.error).toBeUndefined();
				expect(result.output[0].json.id).toBe(conversationId);
			}
		});

		it('answers the raw team conversation with Simplify off', async () => {
			const { sandbox } = fixture;
			const conversationId = sandbox.ids.contactConversationId;
			const [copy] = sandbox.teamConversations(conversationId);

			const result = await run({ operation: 'get', conversationId, simplify: false });

			expect(result.output[0].json).toMatchObject({
				object_name: 'team_conversation',
				id: copy.id,
				conversation_id: conversationId,
				users: expect.any(Array),
			});
		});

		it('fails an item whose conversation the credential cannot see, after one lookup', async () => {
			const { sandbox } = fixture;
			const foreign = sandbox.ids.otherConversationIds[0];

			const result = await run(
				{ operation: 'get', conversationId: foreign },
				{ parameters: {}, settings: { onError: 'continueRegularOutput' } },
			);

			expect(result.output.map((item) => item.json)).toEqual([
				{ error: `The conversation ${foreign} is not one this credential can see [item 0]` },
			]);
			expect(requests()).toHaveLength(1);
		});
	});
	describe('with the seed ending now (the window counts from the real clock)', () => {
		const current = useSandbox({ now: Date.now() });

		it('says whether the WhatsApp window is open', async () => {
			const { sandbox } = current;
			const {
				whatsappInsideWindowConversationId: inside,
				whatsappOutsideWindowConversationId: outside,
			} = sandbox.inboxIds;

			const result = await runNode({
				parameters: {
					resource: 'conversation',
					operation: 'get',
					conversationId: '={{ $json.conversation }}',
				},
				credentials: current.credentials(),
				items: [{ json: { conversation: inside } }, { json: { conversation: outside } }],
			});

			expect(result.error).toBeUndefined();
			expect(
				result.output.map((item) => [item.json.channel_type, item.json.whatsapp_window_open]),
			).toEqual([
				['whatsapp', true],
				['whatsapp', false],
			]);
		});
	});
});

describe('iMBRACE node: closing, reopening and assigning conversations', () => {
	const fixture = useSandbox();

	function run(parameters: INodeParameters, extra: Partial<Parameters<typeof runNode>[0]> = {}) {
		return runNode({
			credentials: fixture.credentials(),
			...extra,
			parameters: { resource: 'conversation', ...parameters },
		});
	}

	const writes = () =>
		fixture.sandbox
			.requests()
			.filter((request) => request.method === 'POST')
			.map(({ path, body }) => ({ path, body }));

	it('closes every team conversation the credential sees, one item each, and reopens them', async () => {
		const { sandbox } = fixture;
		const conversationId = sandbox.inboxIds.twoTeamConversationId;
		const copies = sandbox.teamConversations(conversationId);
		expect(copies).toHaveLength(2);

		const closed = await run({ operation: 'close', conversationId });

		expect(closed.error).toBeUndefined();
		expect(writes()).toEqual(
			copies.map((copy) => ({ path: UPDATE, body: { id: copy.id, status: 'closed' } })),
		);
		expect(closed.output.map((item) => [item.json.team_id, item.json.status])).toEqual(
			copies.map((copy) => [copy.teamId, 'closed']),
		);
		expect(sandbox.teamConversations(conversationId).map((copy) => copy.status)).toEqual([
			'closed',
			'closed',
		]);
		expect(sandbox.requests()).toHaveLength(3);

		sandbox.clearRequests();
		const reopened = await run({
			operation: 'reopen',
			conversationId,
			options: { teamId: copies[1].teamId },
		});

		expect(reopened.error).toBeUndefined();
		expect(writes()).toEqual([{ path: UPDATE, body: { id: copies[1].id, status: 'active' } }]);
		expect(reopened.output).toHaveLength(1);
		expect(sandbox.teamConversations(conversationId).map((copy) => copy.status)).toEqual([
			'closed',
			expect.not.stringMatching(/^closed$/),
		]);
	});

	it('assigns a conversation to a team agent, and unassigns them, with the conv_ ID', async () => {
		const { sandbox } = fixture;
		const conversationId = sandbox.inboxIds.twoTeamConversationId;
		const [copy] = sandbox.teamConversations(conversationId);
		const agent = sandbox.ids.secondAgentUserId;

		const assigned = await run({
			operation: 'assign',
			conversationId,
			teamId: copy.teamId,
			agentId: agent,
		});

		expect(assigned.error).toBeUndefined();
		expect(writes()).toEqual([
			{
				path: ASSIGN,
				body: { conversation_id: conversationId, team_id: copy.teamId, user_id: agent },
			},
		]);
		expect(sandbox.requests()).toHaveLength(1);
		expect(assigned.output.map((item) => item.json)).toEqual([
			{ conversation_id: conversationId, team_id: copy.teamId, agent_id: agent, assigned: true },
		]);
		expect(sandbox.teamConversations(conversationId)[0].userIds).toContain(agent);

		sandbox.clearRequests();
		const unassigned = await run({
			operation: 'unassign',
			conversationId,
			teamId: copy.teamId,
			agentId: agent,
		});

		expect(writes()).toEqual([
			{
				path: UNASSIGN,
				body: { conversation_id: conversationId, team_id: copy.teamId, user_id: agent },
			},
		]);
		expect(unassigned.output.map((item) => item.json)).toEqual([
			{ conversation_id: conversationId, team_id: copy.teamId, agent_id: agent, assigned: false },
		]);
		expect(sandbox.teamConversations(conversationId)[0].userIds).not.toContain(agent);
	});

	it('assigns to a team only when the Agent ID is empty', async () => {
		const { sandbox } = fixture;
		const conversationId = sandbox.ids.contactConversationId;
		const team = sandbox.ids.teamIds[1];

		const result = await run({ operation: 'assign', conversationId, teamId: team });

		expect(result.error).toBeUndefined();
		expect(writes()).toEqual([
			{ path: ASSIGN, body: { conversation_id: conversationId, team_id: team } },
		]);
		expect(result.output[0].json).toEqual({
			conversation_id: conversationId,
			team_id: team,
			agent_id: null,
			assigned: true,
		});
		expect(sandbox.teamConversations(conversationId).map((copy) => copy.teamId)).toContain(team);
	});

	it('checks the IDs before any request, naming the parameter and item', async () => {
		const result = await run(
			{
				operation: 'assign',
				conversationId: '={{ $json.conversation }}',
				teamId: '={{ $json.team }}',
			},
			{
				items: [
					{ json: { conversation: 'bu_imbrace_testing', team: 't_imbrace_default_team' } },
					{ json: { conversation: fixture.sandbox.ids.contactConversationId, team: '' } },
				],
				settings: { onError: 'continueRegularOutput' },
			},
		);

		expect(result.output.map((item) => item.json.error)).toEqual([
			'The Conversation ID "bu_imbrace_testing" is not a conversation ID [item 0]',
			'The Team ID is empty [item 1]',
		]);
		expect(fixture.sandbox.requests()).toEqual([]);
	});

	it('requires the agent for Unassign, before any request', async () => {
		const result = await run({
			operation: 'unassign',
			conversationId: fixture.sandbox.ids.contactConversationId,
			teamId: fixture.sandbox.ids.teamId,
		});

		expect(result.error?.message).toBe('The Agent ID is empty [item 0]');
		expect(fixture.sandbox.requests()).toEqual([]);
	});

	it.each([
		['a scoped API key', { authType: 'apiKey', accessToken: 'scopedApiKey' }],
		['a contact token', { accessToken: 'contact' }],
	])('refuses %s with advice, and carries nothing out', async (_name, credential) => {
		const { sandbox } = fixture;
		const conversationId = sandbox.inboxIds.twoTeamConversationId;
		const token = sandbox.tokens[credential.accessToken as keyof typeof sandbox.tokens];

		const results = await Promise.all(
			(['close', 'assign'] as const).map(
				async (operation) =>
					await run(
						{ operation, conversationId, teamId: sandbox.ids.teamId },
						{ credentials: fixture.credentials({ ...credential, accessToken: token }) },
					),
			),
		);

		for (const result of results) {
			expect(result.error?.message).toMatch(/^This credential may not use the inbox endpoints: /);
			expect(result.error?.description).toMatch(
				/^The inbox endpoints answer agents only: use an agent access token, or an API key with full access/,
			);
		}
		expect(sandbox.teamConversations(conversationId).map((copy) => copy.status)).not.toContain(
			'closed',
		);
		expect(writes().filter((write) => write.path === UPDATE)).toEqual([]);
	});

	it('says plainly that a gateway without the inbox does not offer it, after one request', async () => {
		const { sandbox } = fixture;
		sandbox.setMode({ inbox: false });

		const result = await run({
			operation: 'close',
			conversationId: sandbox.ids.contactConversationId,
		});

		expect(result.error?.message).toMatch(
			/^This gateway does not offer the inbox endpoints: Cannot GET /,
		);
		expect(result.error?.description).not.toMatch(/Check the|Routes to Auto/);
		expect(sandbox.requests()).toHaveLength(1);
	});

	it('keeps item order per conversation, at most 4 in flight, and closes nothing twice with Retry On Fail', async () => {
		const { sandbox } = fixture;
		sandbox.setJitter({ minMs: 0, maxMs: 20, seed: 5 });
		const conversations = sandbox.ids.conversationIds
			.filter((id) => sandbox.teamConversations(id).length === 1)
			.slice(0, 3);
		const items = Array.from({ length: 12 }, (_, n) => ({
			json: { conversation: conversations[n % 3] },
		}));
		let updates = 0;
		sandbox.onRequest((request) => {
			if (request.path === UPDATE && ++updates === 7) {
				sandbox.injectFault({ kind: 'status', status: 400, match: { path: UPDATE } });
			}
		});

		const result = await run(
			{ operation: 'close', conversationId: '={{ $json.conversation }}' },
			{ items, settings: { retryOnFail: true, maxTries: 2, waitBetweenTries: 0 } },
		);

		expect(result.error).toBeUndefined();
		expect(result.output.map((item) => item.pairedItem)).toEqual(
			items.map((_, item) => ({ item })),
		);
		const statuses = sandbox
			.requests()
			.filter((request) => request.path === UPDATE)
			.map((request) => request.status);
		// Each item's close delivered once: the refused one again on the retry, no other.
		expect(statuses.filter((status) => status === 200)).toHaveLength(12);
		expect(statuses.filter((status) => status === 400)).toHaveLength(1);
		expect(sandbox.inFlight().max).toBeLessThanOrEqual(4);
		for (const conversation of conversations) {
			const paths = sandbox
				.requests()
				.filter(
					(request) =>
						JSON.stringify([request.query, request.body]).includes(conversation) ||
						(request.path === UPDATE &&
							sandbox.teamConversations(conversation)[0].id ===
								(request.body as { id: string }).id),
				)
				.map((request) => request.path);
			// Lookup, close, lookup, close…: each item after the previous one's answer.
			expect(paths).toEqual(paths.map((_, index) => (index % 2 ? UPDATE : LOOKUP)));
		}
	});

	it.each([502, 'drop'] as const)(
		'takes a close whose answer was lost (%s) as done when the team conversation shows it closed, and sends it once',
		async (then) => {
			const { sandbox } = fixture;
			const conversationId = sandbox.ids.contactConversationId;
			const [copy] = sandbox.teamConversations(conversationId);
			sandbox.injectFault({ kind: 'writeThenFail', then, match: { path: UPDATE } });

			const result = await run({ operation: 'close', conversationId });

			expect(result.error).toBeUndefined();
			expect(sandbox.requests().filter((request) => request.path === UPDATE)).toHaveLength(1);
			expect(result.output.map((item) => [item.json.id, item.json.status])).toEqual([
				[copy.id, 'closed'],
			]);
		},
	);

	it('says an assignment may have been made when its answer was lost and it cannot be read back', async () => {
		const { sandbox } = fixture;
		const conversationId = sandbox.ids.contactConversationId;
		sandbox.injectFault({ kind: 'writeThenFail', then: 500, match: { path: ASSIGN } });
		sandbox.injectFault({ kind: 'status', status: 500, match: { path: LOOKUP }, times: Infinity });

		const result = await run(
			{
				operation: 'assign',
				conversationId,
				teamId: sandbox.ids.teamId,
				agentId: sandbox.ids.secondAgentUserId,
			},
			{ settings: { onError: 'continueRegularOutput' } },
		);

		expect(result.output[0].json.error).toBe(
			"The assignment may have been made, but iMBRACE's answer was lost (Internal Server Error (HTTP 500))",
		);
		expect(sandbox.requests().filter((request) => request.path === ASSIGN)).toHaveLength(1);
	});
});

describe('iMBRACE node 1.1: Create with the contact and channel pickers', () => {
	const fixture = useSandbox();

	it.each([
		[1, (id: string) => id],
		[1.1, (id: string) => byId(id)],
	])('version %s opens a conversation for the named contact', async (typeVersion, value) => {
		const { sandbox } = fixture;
		const contact = sandbox.ids.contactIds[3];

		const result = await runNode({
			parameters: {
				resource: 'conversation',
				operation: 'create',
				additionalFields: { contactId: value(contact), channelId: value(sandbox.ids.channelId) },
			},
			credentials: fixture.credentials(),
			settings: { typeVersion },
		});

		expect(result.error).toBeUndefined();
		expect(sandbox.requests().map((request) => request.body)).toEqual([
			{ contact_id: contact, channel_id: sandbox.ids.channelId },
		]);
	});
});
