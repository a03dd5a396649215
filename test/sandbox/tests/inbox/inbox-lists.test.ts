/** Inbox §10–§14 and §19: the lists behind pickers, their envelopes, paging and errors. */
import { call } from '../helpers';
import type { CallOptions } from '../helpers';
import { startSandbox } from '../../index';
import type { Sandbox } from '../../index';

let sandbox: Sandbox;
const api = <T = unknown>(method: string, path: string, options?: CallOptions) =>
	call<T>(sandbox.url, method, path, options);
const get = <T = List>(path: string, token = sandbox.tokens.agent) =>
	api<T>('GET', path, { token });

beforeAll(async () => {
	sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
afterEach(() => sandbox.reset());

interface List<T = Record<string, unknown>> {
	object_name: string;
	data: T[];
	nested: Record<string, unknown>;
	has_more: boolean;
	count: number;
	total: number;
}

const INVALID = { code: 40000, message: 'Invalid request parameters' };
const NO_UNIT = { code: 40003, message: 'Invalid business Unit ID, or no permission' };

describe('§10 business units', () => {
	test("the caller's units (those of its teams), in the platform's envelope", async () => {
		const answer = await get('/platform/v1/business_units');
		expect(answer.status).toBe(200);
		expect(answer.json).toEqual({
			object_name: 'list',
			data: [
				{
					object_name: 'business_unit',
					id: 'bu_imbrace_testing',
					organization_id: 'org_imbrace',
					name: 'iMBRACE Testing',
					created_at: '2023-11-08T12:00:00.000Z',
				},
				{
					object_name: 'business_unit',
					id: sandbox.ids.businessUnitIds[1],
					organization_id: 'org_imbrace',
					name: 'Sales',
					created_at: '2023-11-09T12:00:00.000Z',
				},
				{
					object_name: 'business_unit',
					id: sandbox.inboxIds.manyTeamsBusinessUnitId,
					organization_id: 'org_imbrace',
					name: 'Franchise',
					created_at: '2023-11-11T12:00:00.000Z',
				},
			],
			nested: {},
			has_more: false,
			count: 3,
			total: 3,
		});
	});

	test('the full-access key sees every unit; Olivia her own', async () => {
		const key = await api<List>('GET', '/platform/v1/business_units', {
			apiKey: sandbox.tokens.apiKey,
		});
		expect(key.json.data.map((unit) => unit.name)).toEqual([
			'iMBRACE Testing',
			'Sales',
			'Support',
			'Franchise',
		]);
		const other = await get('/platform/v1/business_units', sandbox.tokens.otherOrgAgent);
		expect(other.json.data.map((unit) => unit.id)).toEqual([sandbox.ids.otherBusinessUnitId]);
	});

	test('paging: has_more is count >= skip + limit, true when a page ends at the last item', async () => {
		const pages = [];
		for (const query of ['limit=2', 'limit=2&skip=2', 'limit=3', 'limit=3&skip=3']) {
			const answer = await get(`/platform/v1/business_units?${query}`);
			pages.push([
				query,
				answer.json.data.length,
				answer.json.has_more,
				answer.json.count,
				answer.json.total,
			]);
		}
		expect(pages).toEqual([
			['limit=2', 2, true, 3, 2],
			['limit=2&skip=2', 1, false, 3, 1],
			['limit=3', 3, true, 3, 3],
			['limit=3&skip=3', 0, false, 3, 0],
		]);
	});
});

describe('§11 teams', () => {
	const teamsOf = (unit: string, query = '') =>
		get<List<{ id: string; name: string; is_joined: boolean }>>(
			`/platform/v1/teams?type=business_unit_id&q=${unit}${query}`,
		);

	test('a unit with more than a page: 105 teams, newest first, limit cut to 100', async () => {
		const unit = sandbox.inboxIds.manyTeamsBusinessUnitId;
		const first = await teamsOf(unit, '&limit=500');
		expect([first.json.count, first.json.total, first.json.has_more]).toEqual([105, 100, true]);
		expect(first.json.data[0].name).toBe('Franchise 105');
		expect(first.json.data[99].name).toBe('Franchise 006');
		const second = await teamsOf(unit, '&skip=100&limit=100');
		expect(second.json.data.map((team) => team.name)).toEqual([
			'Franchise 005',
			'Franchise 004',
			'Franchise 003',
			'Franchise 002',
			'Franchise 001',
		]);
		expect([second.json.has_more, second.json.count, second.json.total]).toEqual([false, 105, 5]);
		const ids = [...first.json.data, ...second.json.data].map((team) => team.id);
		expect(ids).toEqual([...sandbox.inboxIds.manyTeamsIds].reverse());
	});

	test('limit 0 or not a number means 10; a page ending at the last item says has_more', async () => {
		const unit = sandbox.inboxIds.manyTeamsBusinessUnitId;
		for (const limit of ['0', 'ten', '']) {
			const answer = await teamsOf(unit, `&limit=${limit}`);
			expect([limit, answer.json.total]).toEqual([limit, 10]);
		}
		const last = await teamsOf(unit, '&skip=95&limit=10');
		expect([last.json.total, last.json.has_more]).toEqual([10, true]);
		const empty = await teamsOf(unit, '&skip=105&limit=10');
		expect([empty.json.total, empty.json.has_more, empty.json.data]).toEqual([0, false, []]);
	});

	test('an item, and search by part of the name', async () => {
		const answer = await teamsOf(sandbox.ids.businessUnitId, '&search=ip');
		expect(answer.json).toEqual({
			object_name: 'list',
			data: [
				{
					object_name: 'team',
					id: sandbox.ids.teamIds[1],
					organization_id: 'org_imbrace',
					business_unit_id: 'bu_imbrace_testing',
					name: 'VIP',
					mode: 'grab',
					is_joined: true,
					members_count: 2,
					created_at: '2024-01-08T12:00:00.000Z',
				},
			],
			nested: {},
			has_more: false,
			count: 1,
			total: 1,
		});
		const all = await teamsOf(sandbox.ids.businessUnitId);
		expect(all.json.data.map((team) => [team.name, team.is_joined])).toEqual([
			['Night shift', false],
			['VIP', true],
			['Default team', true],
		]);
	});

	test('errors: no type and q 400; a unit not the caller’s or unknown 403', async () => {
		for (const query of ['', '?type=team_id&q=x', `?q=${sandbox.ids.businessUnitId}`]) {
			const answer = await get(`/platform/v1/teams${query}`);
			expect([answer.status, answer.json]).toEqual([400, { error: 'Unknown query type' }]);
		}
		for (const unit of [
			sandbox.ids.businessUnitIds[2],
			'bu_nowhere',
			sandbox.ids.otherBusinessUnitId,
		]) {
			const answer = await teamsOf(unit);
			expect([answer.status, answer.json]).toEqual([
				403,
				{ error: 'Invalid business Unit ID, or no permission' },
			]);
		}
	});

	test('teams/my: a bare array of the caller’s teams with their role', async () => {
		const answer = await get<Array<{ id: string; name: string; role: string }>>(
			'/platform/v1/teams/my',
			sandbox.tokens.secondAgent,
		);
		expect(answer.status).toBe(200);
		expect(answer.json.map((team) => [team.name, team.role])).toEqual([
			['Sales HK', 'admin'],
			['Default team', 'member'],
		]);
	});
});

describe('§11 team users', () => {
	test('memberships with state and role, and the §9 user', async () => {
		const answer = await get<
			List<{ user_id: string; role: string; state: string; user: { display_name: string } }>
		>(`/platform/v1/team_users?type=team_id&q=${sandbox.ids.teamId}&limit=100`);
		expect(answer.status).toBe(200);
		expect(
			answer.json.data.map((member) => [member.user.display_name, member.role, member.state]),
		).toEqual([
			['Alice Chan', 'admin', 'join'],
			['Ben Wong', 'member', 'join'],
			['Carmen Lee', 'member', 'join'],
			['David Ng', 'member', 'join'],
			['Emily Lau', 'member', 'invite'],
			['Frank Ho', 'member', 'request'],
			['Order Bot', 'member', 'join'],
		]);
		expect(answer.json.data[0]).toEqual({
			object_name: 'team_user',
			id: expect.stringMatching(/^tu_/),
			team_id: sandbox.ids.teamId,
			user_id: sandbox.ids.agentUserId,
			role: 'admin',
			state: 'join',
			user: expect.objectContaining({ object_name: 'user', id: sandbox.ids.agentUserId }),
		});
	});

	test('errors: no type 400, an unknown team 404', async () => {
		const noType = await get(`/platform/v1/team_users?q=${sandbox.ids.teamId}`);
		expect([noType.status, noType.json]).toEqual([400, { error: 'Unknown query type' }]);
		for (const team of ['t_nowhere', sandbox.ids.otherTeamId]) {
			const answer = await get(`/platform/v1/team_users?type=team_id&q=${team}`);
			expect([answer.status, answer.json]).toEqual([404, { error: 'team not found or deleted' }]);
		}
	});
});

describe('§12 agents', () => {
	const users = (query: string) =>
		get<List<{ id: string; display_name: string; is_bot: boolean; status: string }>>(
			`/platform/v1/users?${query}`,
		);

	test('active users newest first, bots marked, the deactivated one left out', async () => {
		const answer = await users('status=active&limit=100');
		expect(answer.json.data.map((user) => [user.display_name, user.is_bot])).toEqual([
			['Order Bot', true],
			['Henry Lim', false],
			['Grace Tan', false],
			['Frank Ho', false],
			['Emily Lau', false],
			['David Ng', false],
			['Carmen Lee', false],
			['Ben Wong', false],
			['Alice Chan', false],
			['imbrace bot', true],
		]);
		const everyone = await users('limit=100');
		expect(everyone.json.data.map((user) => user.id)).toContain(sandbox.inboxIds.inactiveUserId);
	});

	test('search matches display name, e-mail, first and last name; team_ids filters', async () => {
		expect((await users('status=active&search=LAU')).json.data.map((u) => u.display_name)).toEqual([
			'Emily Lau',
		]);
		expect(
			(await users('status=active&search=grace.tan@')).json.data.map((u) => u.display_name),
		).toEqual(['Grace Tan']);
		const team = await users(
			`status=active&team_ids=${sandbox.ids.teamIds[1]},${sandbox.ids.teamIds[4]}`,
		);
		expect(team.json.data.map((user) => user.display_name)).toEqual([
			'Grace Tan',
			'Frank Ho',
			'Emily Lau',
			'Alice Chan',
		]);
	});

	test('paging: 10 active users in pages of 5, the second ending at the last says has_more', async () => {
		const second = await users('status=active&limit=5&skip=5');
		expect([second.json.total, second.json.has_more, second.json.count]).toEqual([5, true, 10]);
		const third = await users('status=active&limit=5&skip=10');
		expect([third.json.total, third.json.has_more]).toEqual([0, false]);
	});
});

describe('§13 channels', () => {
	test('every channel of the organization, inactive and deleted ones marked; type filters', async () => {
		const answer = await get<{ data: Array<Record<string, unknown>> }>(
			'/channel-service/v1/channels',
		);
		expect(answer.status).toBe(200);
		expect(answer.json.data).toHaveLength(13);
		expect(answer.json.data[0]).toEqual({
			_id: sandbox.ids.channelId,
			name: 'Website',
			type: 'web',
			active: true,
			is_deleted: false,
			organization_id: 'org_imbrace',
			business_unit_id: 'bu_imbrace_testing',
			created_at: '2023-12-18T12:00:00.000Z',
		});
		const whatsapp = await get<{ data: Array<Record<string, unknown>> }>(
			'/channel-service/v1/channels?type=whatsapp',
		);
		expect(whatsapp.json.data.map((channel) => [channel._id, channel.active])).toEqual([
			[sandbox.inboxIds.whatsappChannelId, true],
			[sandbox.inboxIds.salesWhatsappChannelId, true],
			[sandbox.inboxIds.inactiveChannelId, false],
		]);
		const facebook = await get<{ data: Array<Record<string, unknown>> }>(
			'/channel-service/v1/channels?type=facebook',
		);
		expect(facebook.json.data.map((channel) => [channel.name, channel.is_deleted])).toEqual([
			['Facebook page', false],
			['Facebook (closed page)', true],
		]);
	});
});

describe('§14 contacts', () => {
	test('newest first, in the exact list envelope', async () => {
		const answer = await get<List>('/channel-service/v1/contacts?limit=2&sort=-created_at');
		expect(answer.status).toBe(200);
		expect(answer.json).toEqual({
			object_name: 'list',
			data: [
				{
					object_name: 'contact',
					id: expect.stringMatching(/^con_/),
					organization_id: 'org_imbrace',
					display_name: 'Amy Lim',
					email: '',
					phone_number: '+852 5112 3411',
					channel_id: sandbox.inboxIds.salesWhatsappChannelId,
					channel_type: 'whatsapp',
					business_unit_id: sandbox.ids.businessUnitIds[1],
					created_at: '2025-06-30T09:31:07.211Z',
				},
				expect.objectContaining({ display_name: 'Guest#641262', email: 'guest.641262@mail.test' }),
			],
			nested: {},
			has_more: true,
			count: 301,
			total: 2,
		});
	});

	test('paging is exact: the page ending at the last contact says has_more false', async () => {
		const last = await get<List>('/channel-service/v1/contacts?limit=100&skip=201');
		expect([last.json.total, last.json.has_more]).toEqual([100, false]);
		const all: unknown[] = [];
		for (let skip = 0; ; skip += 100) {
			const page = await get<List>(`/channel-service/v1/contacts?limit=100&skip=${skip}`);
			all.push(...page.json.data.map((contact) => contact.id));
			if (!page.json.has_more) break;
		}
		expect(new Set(all)).toEqual(new Set(sandbox.ids.contactIds));
	});

	test('limit outside 1..100, a bad skip or sort: 400 40000', async () => {
		for (const query of ['limit=0', 'limit=101', 'limit=x', 'skip=-1', 'sort=name']) {
			const answer = await get(`/channel-service/v1/contacts?${query}`);
			expect([query, answer.status, answer.json]).toEqual([query, 400, INVALID]);
		}
	});

	test('search: display name, e-mail or phone, case-insensitive part', async () => {
		const byName = await get<List<{ display_name: string }>>(
			'/channel-service/v1/contacts/_search?type=text&q=AMY%20LIM&limit=100',
		);
		expect(byName.json.data.map((contact) => contact.display_name)).toEqual(
			Array(byName.json.count).fill('Amy Lim'),
		);
		expect(byName.json.count).toBeGreaterThan(0);
		const byPhone = await get<List<{ phone_number: string }>>(
			'/channel-service/v1/contacts/_search?type=text&q=5112%203411',
		);
		expect(byPhone.json.data.map((contact) => contact.phone_number)).toEqual(['+852 5112 3411']);
		const byMail = await get<List<{ email: string }>>(
			'/channel-service/v1/contacts/_search?type=text&q=guest.641262@',
		);
		expect(byMail.json.data.map((contact) => contact.email)).toEqual(['guest.641262@mail.test']);
		const noType = await get('/channel-service/v1/contacts/_search?q=amy');
		expect([noType.status, noType.json]).toEqual([400, INVALID]);
	});

	test("a contact's conversations: its team conversations, §15 items; unknown 404", async () => {
		const answer = await get<{ data: Array<{ conversation_id: string; object_name: string }> }>(
			`/channel-service/v1/contacts/${sandbox.ids.contactId}/conversations`,
		);
		expect(answer.json.data.map((item) => [item.object_name, item.conversation_id])).toEqual([
			['team_conversation', sandbox.ids.contactConversationId],
		]);
		for (const id of ['con_nobody', sandbox.ids.otherConversationIds[0]]) {
			const unknown = await get(`/channel-service/v1/contacts/${id}/conversations`);
			expect([unknown.status, unknown.json]).toEqual([404, { code: 40004, message: 'Not found' }]);
		}
	});
});

describe('§19 templates', () => {
	test('message templates of a unit: 12 in the testing unit, with 0, 1 and 2 variables', async () => {
		const answer = await get<List<{ id: string; title: string; text: string }>>(
			`/channel-service/v1/message_templates?type=business_unit_id&q=${sandbox.ids.businessUnitId}`,
		);
		expect([answer.json.count, answer.json.total, answer.json.has_more]).toEqual([12, 10, true]);
		expect(answer.json.data.slice(0, 3)).toEqual([
			{
				object_name: 'message_template',
				id: sandbox.inboxIds.messageTemplateIds.closing,
				organization_id: 'org_imbrace',
				business_unit_id: 'bu_imbrace_testing',
				title: 'Closing',
				text: 'Thanks for chatting with us. Have a nice day!',
				template_language: 'en',
				created_at: '2024-09-03T12:00:00.000Z',
			},
			expect.objectContaining({
				id: sandbox.inboxIds.messageTemplateIds.greeting,
				text: 'Hi {{1}}, thanks for contacting us',
			}),
			expect.objectContaining({
				id: sandbox.inboxIds.messageTemplateIds.orderFollowUp,
				text: 'Hi {{1}}, your order {{2}} is on its way.',
			}),
		]);
		const rest = await get<List>(
			`/channel-service/v1/message_templates?type=business_unit_id&q=${sandbox.ids.businessUnitId}&skip=10`,
		);
		expect([rest.json.total, rest.json.has_more]).toEqual([2, false]);
	});

	test('WhatsApp templates of a unit, by channel, each status', async () => {
		const answer = await get<List<{ template_name: string; status: string; channel_id: string }>>(
			`/channel-service/v2/whatsapp_templates?type=business_unit_id&q=${sandbox.ids.businessUnitId}`,
		);
		expect(answer.json.data.map((template) => [template.template_name, template.status])).toEqual([
			['welcome', 'APPROVED'],
			['appointment_reminder', 'APPROVED'],
			['order_update', 'APPROVED'],
			['promo_summer', 'PENDING'],
			['refund_notice', 'REJECTED'],
		]);
		expect(answer.json.data[2]).toEqual({
			object_name: 'whatsapp_template',
			id: sandbox.inboxIds.whatsappTemplateIds.orderUpdate,
			organization_id: 'org_imbrace',
			business_unit_id: 'bu_imbrace_testing',
			channel_id: sandbox.inboxIds.whatsappChannelId,
			template_name: 'order_update',
			language: 'en_US',
			text: 'Hi {{1}}, your order {{2}} has shipped.',
			status: 'APPROVED',
			created_at: '2024-12-14T12:00:00.000Z',
		});
		const sales = await get<List<{ id: string }>>(
			`/channel-service/v2/whatsapp_templates?type=business_unit_id&q=${sandbox.ids.businessUnitIds[1]}&channel_id=${sandbox.inboxIds.salesWhatsappChannelId}`,
		);
		expect(sales.json.data.map((template) => template.id)).toEqual([
			sandbox.inboxIds.whatsappTemplateIds.salesFollowUp,
		]);
		const otherChannel = await get<List>(
			`/channel-service/v2/whatsapp_templates?type=business_unit_id&q=${sandbox.ids.businessUnitId}&channel_id=${sandbox.inboxIds.salesWhatsappChannelId}`,
		);
		expect(otherChannel.json.count).toBe(0);
	});

	test('errors: no type 400 40000, a unit not the caller’s 403 40003', async () => {
		for (const path of [
			'/channel-service/v1/message_templates',
			'/channel-service/v2/whatsapp_templates',
		]) {
			const noType = await get(`${path}?q=${sandbox.ids.businessUnitId}`);
			expect([noType.status, noType.json]).toEqual([400, INVALID]);
			const other = await get(`${path}?type=business_unit_id&q=${sandbox.ids.businessUnitIds[2]}`);
			expect([other.status, other.json]).toEqual([403, NO_UNIT]);
			const badLimit = await get(
				`${path}?type=business_unit_id&q=${sandbox.ids.businessUnitId}&limit=101`,
			);
			expect([badLimit.status, badLimit.json]).toEqual([400, INVALID]);
		}
	});
});
