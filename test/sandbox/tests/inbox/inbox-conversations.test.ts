/** Inbox §15–§18: the inbox and its views, one team conversation, close/reopen, assign/unassign. */
import { call } from '../helpers';
import type { CallOptions, ListEnvelope } from '../helpers';
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

interface Item {
	object_name: string;
	id: string;
	_id: string;
	conversation_id: string;
	team_id: string;
	channel_type: string;
	name: string;
	status: string;
	timestamp: string;
	is_joined: boolean;
	latest_message: { from: string; created_at: string } | null;
	contacts_latest_message: { from: string; created_at: string } | null;
	users?: Array<{ object_name: string; id: string; display_name: string; is_bot: boolean }>;
}

interface Inbox {
	object_name: string;
	data: Item[];
	nested: { teams: Record<string, { id: string; name: string }> };
	has_more: boolean;
	count: number;
	total: number;
}

const INVALID = { code: 40000, message: 'Invalid request parameters' };
const NOT_FOUND = { code: 40004, message: 'Not found' };
const SEED_NOW = Date.parse('2025-06-30T12:00:00.000Z');

const inbox = (query: string, token = sandbox.tokens.agent) =>
	api<Inbox>('GET', `/channel-service/v2/team_conversations?${query}`, { token });
const view = (name: string, extra = '', token = sandbox.tokens.agent) =>
	inbox(
		`type=business_unit_id&q=${sandbox.ids.businessUnitId}&view=${encodeURIComponent(name)}${extra}`,
		token,
	);
/** Every item of a view, paging by 100 until has_more is false. */
async function everything(name: string, extra = ''): Promise<Item[]> {
	const items: Item[] = [];
	for (let skip = 0; ; skip += 100) {
		const page = await view(name, `${extra}&limit=100&skip=${skip}`);
		items.push(...page.json.data);
		if (!page.json.has_more) return items;
	}
}
const ofConversation = (conversationId: string, token = sandbox.tokens.agent) =>
	api<{ data: Item[] }>(
		'GET',
		`/channel-service/v1/team_conversations?type=conversation_id&q=${conversationId}`,
		{ token },
	);
const post = <T = unknown>(action: string, body: unknown, token = sandbox.tokens.agent) =>
	api<T>('POST', `/channel-service/v1/team_conversations/${action}`, { token, body });

describe('§15 the inbox', () => {
	test('an item: the team conversation with its latest messages', async () => {
		const { contactConversationId, teamId, contactId, channelId } = sandbox.ids;
		const answer = await ofConversation(contactConversationId);
		expect(answer.status).toBe(200);
		const [record] = sandbox.teamConversations(contactConversationId);
		const messages = await api<ListEnvelope>(
			'GET',
			`/channel-service/v1/conversation_messages?conversation_id=${contactConversationId}&limit=1`,
			{ token: sandbox.tokens.agent },
		);
		const stored = sandbox.storedMessages(contactConversationId);
		const lastFromContact = stored.filter((message) => message.from === contactId).at(-1);
		expect(answer.json.data).toEqual([
			{
				object_name: 'team_conversation',
				id: record.id,
				_id: record.id,
				conversation_id: contactConversationId,
				team_id: teamId,
				business_unit_id: 'bu_imbrace_testing',
				channel_id: channelId,
				channel_type: 'web',
				contact_id: contactId,
				name: 'Guest#419144',
				status: 'active',
				timestamp: stored.at(-1)?.created_at,
				is_joined: true,
				latest_message: messages.json.data[0],
				contacts_latest_message: lastFromContact,
			},
		]);
		expect(record.id).toMatch(/^tcu_/);
	});

	test.each([
		['all', 167],
		['yours', 35],
		['rep needed', 32],
		['pending', 63],
		['soon to be', 0],
		['overdue', 77],
		['closed', 47],
		['spam', 16],
	])('view %s: %i team conversations of the testing unit for Alice', async (name, count) => {
		const items = await everything(name);
		expect(items).toHaveLength(count);
		// Most recent activity first.
		const times = items.map((item) => item.timestamp);
		expect(times).toEqual([...times].sort().reverse());
		for (const item of items) {
			const open = item.status !== 'closed' && item.status !== 'spam';
			const lastFromContact =
				item.contacts_latest_message !== null &&
				item.latest_message?.created_at === item.contacts_latest_message.created_at;
			const waitingMs = lastFromContact
				? SEED_NOW - Date.parse(item.contacts_latest_message?.created_at ?? '')
				: undefined;
			const check: Record<string, boolean> = {
				all: open,
				yours: open && item.is_joined,
				'rep needed': item.status === 'rep needed',
				pending: open && item.status !== 'rep needed' && waitingMs !== undefined,
				overdue: open && waitingMs !== undefined && waitingMs > 5 * 60_000,
				closed: item.status === 'closed',
				spam: item.status === 'spam',
			};
			expect([name, item.id, check[name]]).toEqual([name, item.id, true]);
		}
	});

	test('view team: the team’s open team conversations; needs team_id', async () => {
		const vip = sandbox.ids.teamIds[1];
		const items = await everything('team', `&team_id=${vip}`);
		expect(items).toHaveLength(53);
		expect(new Set(items.map((item) => item.team_id))).toEqual(new Set([vip]));
		const missing = await view('team');
		expect([missing.status, missing.json]).toEqual([
			400,
			{ code: 40000, message: 'team_id is required' },
		]);
	});

	test('soon to be and pending follow the contact’s last message (3 and 5 minutes)', async () => {
		const conversationId = sandbox.inboxIds.whatsappOutsideWindowConversationId;
		const status = () => sandbox.teamConversations(conversationId)[0].status;
		expect(status()).toBe('active');
		sandbox.addMessages({ conversationId, at: new Date(SEED_NOW - 4 * 60_000).toISOString() });
		expect(status()).toBe('soon to be');
		expect((await everything('soon to be')).map((item) => item.conversation_id)).toEqual([
			conversationId,
		]);
		sandbox.addMessages({ conversationId, at: new Date(SEED_NOW - 2 * 60_000).toISOString() });
		expect(status()).toBe('pending');
		expect(await everything('soon to be')).toEqual([]);
		sandbox.addMessages({ conversationId, from: sandbox.ids.agentUserId });
		expect(status()).toBe('active');
	});

	test('channel_types repeats, one per type; absent means every type', async () => {
		const web = await everything('all', '&channel_types=web');
		const whatsapp = await everything('all', '&channel_types=whatsapp');
		const both = await everything('all', '&channel_types=web&channel_types=whatsapp');
		expect(new Set(web.map((item) => item.channel_type))).toEqual(new Set(['web']));
		expect(new Set(whatsapp.map((item) => item.channel_type))).toEqual(new Set(['whatsapp']));
		expect(both).toHaveLength(web.length + whatsapp.length);
		expect(new Set(both.map((item) => item.channel_type))).toEqual(new Set(['web', 'whatsapp']));
		expect((await everything('all')).length).toBeGreaterThan(both.length);
	});

	test('paging is exact, and nested.teams names the teams of the page by id', async () => {
		const last = await view('closed', '&limit=7&skip=40');
		expect([last.json.total, last.json.has_more, last.json.count]).toEqual([7, false, 47]);
		const page = await view('all', '&limit=5');
		expect(page.json.has_more).toBe(true);
		for (const item of page.json.data) {
			expect(page.json.nested.teams[item.team_id]).toEqual({
				object_name: 'team',
				id: item.team_id,
				name: expect.any(String),
				business_unit_id: 'bu_imbrace_testing',
			});
		}
	});

	test('errors: a bad view, no type, a bad limit 400; a unit not the caller’s 403', async () => {
		for (const name of ['everything', 'rep_needed', '']) {
			const answer = await view(name);
			expect([answer.status, answer.json]).toEqual([400, { code: 40000, message: 'Invalid view' }]);
		}
		const noType = await inbox(`q=${sandbox.ids.businessUnitId}&view=all`);
		expect([noType.status, noType.json]).toEqual([400, INVALID]);
		const badLimit = await view('all', '&limit=0');
		expect([badLimit.status, badLimit.json]).toEqual([400, INVALID]);
		for (const unit of [sandbox.ids.businessUnitIds[2], 'bu_nowhere']) {
			const answer = await inbox(`type=business_unit_id&q=${unit}&view=all`);
			expect([answer.status, answer.json]).toEqual([
				403,
				{ code: 40003, message: 'Invalid business Unit ID, or no permission' },
			]);
		}
	});

	test('search: the conversation’s or the contact’s name, any status', async () => {
		const search = (q: string, unit = sandbox.ids.businessUnitId) =>
			api<Inbox>(
				'GET',
				`/channel-service/v1/team_conversations/_search?business_unit_id=${unit}&type=text&q=${q}&limit=100`,
				{ token: sandbox.tokens.agent },
			);
		const byName = await search('guest%23419144');
		expect(byName.json.data.map((item) => item.conversation_id)).toEqual([
			sandbox.ids.contactConversationId,
		]);
		const closedToo = await search('guest');
		const statuses = new Set(closedToo.json.data.map((item) => item.status));
		expect(statuses.has('closed')).toBe(true);
		const byDate = await search('jun%202025');
		expect(byDate.json.count).toBeGreaterThan(0);
		const noType = await api(
			'GET',
			`/channel-service/v1/team_conversations/_search?business_unit_id=${sandbox.ids.businessUnitId}&q=x`,
			{ token: sandbox.tokens.agent },
		);
		expect([noType.status, noType.json]).toEqual([400, INVALID]);
		expect((await search('x', sandbox.ids.businessUnitIds[2])).status).toBe(403);
	});

	test('a conversation routed to two teams: one team conversation per team the caller is in', async () => {
		const conversationId = sandbox.inboxIds.twoTeamConversationId;
		const records = sandbox.teamConversations(conversationId);
		expect(records.map((record) => record.teamId)).toEqual([
			sandbox.ids.teamId,
			sandbox.ids.teamIds[1],
		]);
		const alice = await ofConversation(conversationId);
		expect(alice.json.data.map((item) => [item.id, item.team_id]).sort()).toEqual(
			records.map((record) => [record.id, record.teamId]).sort(),
		);
		// Ben is only invited to VIP: he sees the default team's alone.
		const ben = await ofConversation(conversationId, sandbox.tokens.secondAgent);
		expect(ben.json.data.map((item) => item.team_id)).toEqual([sandbox.ids.teamId]);
		// Both team conversations are in Alice's inbox.
		const all = await everything('all');
		expect(all.filter((item) => item.conversation_id === conversationId)).toHaveLength(2);
	});

	test('a conversation the caller cannot see, or none at all: {"data":[]}; no type 400', async () => {
		for (const id of [sandbox.ids.otherConversationIds[0], 'conv_nowhere']) {
			const answer = await ofConversation(id);
			expect([answer.status, answer.json]).toEqual([200, { data: [] }]);
		}
		const noType = await api(
			'GET',
			`/channel-service/v1/team_conversations?q=${sandbox.ids.contactConversationId}`,
			{ token: sandbox.tokens.agent },
		);
		expect([noType.status, noType.json]).toEqual([400, INVALID]);
	});

	test('a conversation added in a team by the hook is in that team’s inbox', async () => {
		const conversationId = sandbox.addConversation({ teamId: sandbox.ids.teamId, messages: 1 });
		const [item] = (await ofConversation(conversationId)).json.data;
		expect([item.team_id, item.status]).toEqual([sandbox.ids.teamId, 'rep needed']);
		const closedId = sandbox.addConversation({
			teamId: sandbox.ids.teamId,
			status: 'closed',
			messages: 2,
		});
		expect(sandbox.teamConversations(closedId).map((record) => record.status)).toEqual(['closed']);
		sandbox.addMessages({ conversationId: closedId });
		expect(sandbox.teamConversations(closedId).map((record) => record.status)).toEqual([
			'rep needed',
		]);
		const noTeam = sandbox.addConversation();
		expect(sandbox.teamConversations(noTeam)).toEqual([]);
	});
});

describe('§16 one team conversation', () => {
	test('the §15 item plus the people in it', async () => {
		const [record] = sandbox.teamConversations(sandbox.ids.contactConversationId);
		const answer = await api<Item>('GET', `/channel-service/v1/team_conversations/${record.id}`, {
			token: sandbox.tokens.agent,
		});
		const [item] = (await ofConversation(sandbox.ids.contactConversationId)).json.data;
		expect(answer.status).toBe(200);
		expect(answer.json).toEqual({
			...item,
			users: [
				{
					object_name: 'simple_user',
					id: 'u_imbrace_bot',
					display_name: 'imbrace bot',
					is_bot: true,
				},
				{
					object_name: 'simple_user',
					id: sandbox.ids.agentUserId,
					display_name: 'Alice Chan',
					is_bot: false,
				},
			],
		});
	});

	test('unknown, or of another organization: 404 40004', async () => {
		const [other] = sandbox.teamConversations(sandbox.ids.otherConversationIds[0]);
		for (const id of ['tcu_nowhere', other.id]) {
			const answer = await api('GET', `/channel-service/v1/team_conversations/${id}`, {
				token: sandbox.tokens.agent,
			});
			expect([answer.status, answer.json]).toEqual([404, NOT_FOUND]);
		}
	});
});

describe('§17 close and reopen', () => {
	const conversationId = () => sandbox.ids.contactConversationId;
	const tcu = () => sandbox.teamConversations(conversationId())[0].id;
	const updateStatus = (body: unknown) => post<Item>('_update_status', body);

	test('close: the updated team conversation; the views follow; again changes nothing', async () => {
		const closed = await updateStatus({ id: tcu(), status: 'closed' });
		expect([closed.status, closed.json.status, closed.json.id]).toEqual([200, 'closed', tcu()]);
		expect(closed.json.users).toHaveLength(2);
		expect(sandbox.teamConversations(conversationId())[0].status).toBe('closed');
		expect((await everything('closed')).map((item) => item.id)).toContain(tcu());
		expect((await everything('all')).map((item) => item.id)).not.toContain(tcu());
		const again = await updateStatus({ id: tcu(), status: 'closed' });
		expect([again.status, again.json]).toEqual([200, closed.json]);
	});

	test('reopen: active again; reopening an open one changes nothing', async () => {
		await updateStatus({ id: tcu(), status: 'closed' });
		const reopened = await updateStatus({ id: tcu(), status: 'active' });
		expect([reopened.status, reopened.json.status]).toEqual([200, 'active']);
		const again = await updateStatus({ id: tcu(), status: 'active' });
		expect([again.status, again.json]).toEqual([200, reopened.json]);
		expect((await everything('all')).map((item) => item.id)).toContain(tcu());
	});

	test("a contact's new message reopens a closed team conversation", async () => {
		await updateStatus({ id: tcu(), status: 'closed' });
		sandbox.addMessages({ conversationId: conversationId(), from: sandbox.ids.agentUserId });
		expect(sandbox.teamConversations(conversationId())[0].status).toBe('closed');
		const sent = await api('POST', '/channel-service/v1/conversation_messages', {
			token: sandbox.tokens.contact,
			body: { type: 'text', text: 'Anyone there?' },
		});
		expect(sent.status).toBe(200);
		expect(sandbox.teamConversations(conversationId())[0].status).toBe('pending');
	});

	test('closing one team conversation leaves the other team’s open', async () => {
		const [first, second] = sandbox.teamConversations(sandbox.inboxIds.twoTeamConversationId);
		await updateStatus({ id: second.id, status: 'closed' });
		expect(
			sandbox
				.teamConversations(sandbox.inboxIds.twoTeamConversationId)
				.map((record) => [record.id, record.status === 'closed']),
		).toEqual([
			[first.id, false],
			[second.id, true],
		]);
	});

	test('errors: conversation_id instead of id, another status, an unknown id', async () => {
		const byConversation = await updateStatus({
			conversation_id: conversationId(),
			status: 'closed',
		});
		expect([byConversation.status, byConversation.json]).toEqual([
			400,
			{ code: 40000, message: 'id is required' },
		]);
		for (const status of ['spam', 'open', undefined]) {
			const answer = await updateStatus({ id: tcu(), status });
			expect([answer.status, answer.json]).toEqual([
				400,
				{ code: 40000, message: 'Invalid status' },
			]);
		}
		const unknown = await updateStatus({ id: 'tcu_nowhere', status: 'closed' });
		expect([unknown.status, unknown.json]).toEqual([404, NOT_FOUND]);
		const notJson = await api('POST', '/channel-service/v1/team_conversations/_update_status', {
			token: sandbox.tokens.agent,
			rawBody: '{',
			headers: { 'content-type': 'application/json' },
		});
		expect([notJson.status, notJson.json]).toEqual([400, INVALID]);
		expect(sandbox.teamConversations(conversationId())[0].status).toBe('active');
	});
});

describe('§18 assign and unassign', () => {
	const nightShift = () => sandbox.ids.teamIds[2];
	const henry = async () => {
		const users = await api<{ data: Array<{ id: string; display_name: string }> }>(
			'GET',
			'/platform/v1/users?search=henry',
			{ token: sandbox.tokens.agent },
		);
		return users.json.data[0].id;
	};

	test('to a new team: it gets a team conversation; again changes nothing', async () => {
		const conversationId = sandbox.ids.contactConversationId;
		const body = { conversation_id: conversationId, team_id: nightShift() };
		const answer = await post('assign_team_member', body);
		expect([answer.status, answer.json]).toEqual([200, { success: true }]);
		const records = sandbox.teamConversations(conversationId);
		expect(records.map((record) => [record.teamId, record.status, record.userIds])).toEqual([
			[sandbox.ids.teamId, 'active', ['u_imbrace_bot', sandbox.ids.agentUserId]],
			[nightShift(), 'rep needed', []],
		]);
		expect((await post('assign_team_member', body)).json).toEqual({ success: true });
		expect(sandbox.teamConversations(conversationId)).toEqual(records);
	});

	test('to an agent of the team: the agent joins (is_joined, §16 users)', async () => {
		const conversationId = sandbox.inboxIds.twoTeamConversationId;
		const vip = sandbox.ids.teamIds[1];
		const before = (await ofConversation(conversationId)).json.data.find(
			(item) => item.team_id === vip,
		);
		expect(before?.is_joined).toBe(false);
		const answer = await post('assign_team_member', {
			conversation_id: conversationId,
			team_id: vip,
			user_id: sandbox.ids.agentUserId,
		});
		expect([answer.status, answer.json]).toEqual([200, { success: true }]);
		const after = (await ofConversation(conversationId)).json.data.find(
			(item) => item.team_id === vip,
		);
		expect(after?.is_joined).toBe(true);
		const one = await api<Item>('GET', `/channel-service/v1/team_conversations/${after?.id}`, {
			token: sandbox.tokens.agent,
		});
		expect(one.json.users?.map((user) => user.display_name)).toEqual(['Grace Tan', 'Alice Chan']);
		// Henry joins a new team's conversation with it.
		const henryId = await henry();
		await post('assign_team_member', {
			conversation_id: conversationId,
			team_id: nightShift(),
			user_id: henryId,
		});
		expect(sandbox.teamConversations(conversationId).at(-1)).toEqual({
			id: expect.stringMatching(/^tcu_/),
			conversationId,
			teamId: nightShift(),
			status: 'active',
			userIds: [henryId],
		});
	});

	test('unassign: the agent leaves; not in it, nothing changes', async () => {
		const conversationId = sandbox.ids.contactConversationId;
		const body = {
			conversation_id: conversationId,
			team_id: sandbox.ids.teamId,
			user_id: sandbox.ids.agentUserId,
		};
		const answer = await post('remove_team_member', body);
		expect([answer.status, answer.json]).toEqual([200, { success: true }]);
		expect(sandbox.teamConversations(conversationId)[0].userIds).toEqual(['u_imbrace_bot']);
		const [item] = (await ofConversation(conversationId)).json.data;
		expect([item.is_joined, item.status]).toEqual([false, 'rep needed']);
		expect((await post('remove_team_member', body)).json).toEqual({ success: true });
		const elsewhere = await post('remove_team_member', { ...body, team_id: nightShift() });
		expect([elsewhere.status, elsewhere.json]).toEqual([200, { success: true }]);
		expect(sandbox.teamConversations(conversationId)).toHaveLength(1);
	});

	test('errors: required fields, a member not joined, unknown conversation or team', async () => {
		const conversationId = sandbox.ids.contactConversationId;
		const teamId = sandbox.ids.teamId;
		const cases: Array<[string, unknown, number, unknown]> = [
			['assign_team_member', { team_id: teamId }, 400, 'conversation_id is required'],
			['assign_team_member', { conversation_id: conversationId }, 400, 'team_id is required'],
			[
				'remove_team_member',
				{ conversation_id: conversationId, team_id: teamId },
				400,
				'user_id is required',
			],
			[
				'remove_team_member',
				{ team_id: teamId, user_id: 'u_x' },
				400,
				'conversation_id is required',
			],
		];
		const emily = (
			await api<{ data: Array<{ id: string }> }>('GET', '/platform/v1/users?search=emily', {
				token: sandbox.tokens.agent,
			})
		).json.data[0].id;
		for (const userId of [emily, 'u_nobody', sandbox.ids.secondAgentUserId]) {
			// Emily is only invited to the default team, Ben only to VIP.
			const team = userId === sandbox.ids.secondAgentUserId ? sandbox.ids.teamIds[1] : teamId;
			cases.push([
				'assign_team_member',
				{ conversation_id: conversationId, team_id: team, user_id: userId },
				400,
				'User is not a member of this team',
			]);
		}
		for (const [action, body, status, message] of cases) {
			const answer = await post(action, body);
			expect([action, answer.status, answer.json]).toEqual([
				action,
				status,
				{ code: 40000, message },
			]);
		}
		for (const body of [
			{ conversation_id: 'conv_nowhere', team_id: teamId },
			{ conversation_id: sandbox.ids.otherConversationIds[0], team_id: teamId },
			{ conversation_id: conversationId, team_id: 't_nowhere' },
			{ conversation_id: conversationId, team_id: sandbox.ids.otherTeamId },
		]) {
			const answer = await post('assign_team_member', body);
			expect([answer.status, answer.json]).toEqual([404, NOT_FOUND]);
		}
		expect(sandbox.teamConversations(conversationId)).toHaveLength(1);
	});

	test('after reset the seed is back', async () => {
		const conversationId = sandbox.ids.contactConversationId;
		const seeded = sandbox.teamConversations(conversationId);
		await post('assign_team_member', { conversation_id: conversationId, team_id: nightShift() });
		sandbox.reset();
		expect(sandbox.teamConversations(conversationId)).toEqual(seeded);
	});
});
