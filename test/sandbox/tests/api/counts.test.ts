/** The sandbox's gateway basics (GET /, auth, unknown paths) and the count endpoints (§1–§3). */
import { SEED_NOW_MS } from '../../api/data';
import { call, rawGet, sum } from '../helpers';
import type { CallOptions, Counts } from '../helpers';
import { startSandbox } from '../../index';
import type { Sandbox } from '../../index';

let sandbox: Sandbox;
const api = <T = unknown>(method: string, path: string, options?: CallOptions) =>
	call<T>(sandbox.url, method, path, options);

const views = (unit: string) =>
	`/v2/backend/team_conversations/_views_count?type=business_unit_id&q=${unit}`;
const CHANNELS = '/v2/backend/channels/_conv_count';
const teamChannels = (team: string) => `/v1/backend/channels/_conv_count?team_id=${team}`;
const JSON_TYPE = 'application/json; charset=utf-8';
const HOUR = 60 * 60 * 1000;

beforeAll(async () => {
	sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
afterEach(() => sandbox.reset());

describe('GET /', () => {
	test('answers the gateway info without auth', async () => {
		const answer = await api('GET', '/');
		expect(answer.status).toBe(200);
		expect(answer.headers.get('content-type')).toBe(JSON_TYPE);
		expect(answer.text).toBe(
			'{"name":"App Gateway Public Server","version":"sandbox-1.0.0","env":"sandbox"}',
		);
	});

	test('another method on / is 404', async () => {
		const answer = await api('POST', '/');
		expect(answer.status).toBe(404);
		expect(answer.json).toEqual({ message: 'Not Found' });
	});
});

describe('authentication', () => {
	const MISSING = { message: 'Unauthorized - API key or Access Token required' };
	const INVALID = { message: 'Unauthorized - Invalid token' };

	test('no token: 401 "required"', async () => {
		const answer = await api('GET', CHANNELS);
		expect(answer.status).toBe(401);
		expect(answer.headers.get('content-type')).toBe(JSON_TYPE);
		expect(answer.json).toEqual(MISSING);
	});

	test('an empty token counts as none', async () => {
		const answer = await api('GET', CHANNELS, { token: '' });
		expect(answer.status).toBe(401);
		expect(answer.json).toEqual(MISSING);
	});

	test.each([
		['an unknown acc_ token', { token: 'acc_00000000-0000-4000-8000-000000000000' }],
		['a token without the acc_ prefix', { token: 'nonsense' }],
	])('%s: 401 "invalid"', async (_name, options) => {
		const answer = await api('GET', CHANNELS, options);
		expect(answer.status).toBe(401);
		expect(answer.json).toEqual(INVALID);
	});

	test('an unknown api_ key: the key gate\'s 401 "Invalid API key"', async () => {
		const answer = await api('GET', CHANNELS, {
			apiKey: 'api_00000000-0000-4000-8000-000000000000',
		});
		expect(answer.status).toBe(401);
		expect(answer.json).toEqual({
			error: 'Unauthorized',
			message: 'Invalid API key',
			request_id: '8bf4eee4-4752-47d6-ae65-8ae881d954e1',
		});
	});

	test('an API key sent as x-access-token is the wrong kind: 401 "invalid"', async () => {
		const answer = await api('GET', CHANNELS, { token: sandbox.tokens.apiKey });
		expect(answer.status).toBe(401);
		expect(answer.json).toEqual(INVALID);
	});

	test("an access token sent as x-api-key is the wrong kind: the key gate's 401", async () => {
		const answer = await api('GET', CHANNELS, { apiKey: sandbox.tokens.agent });
		expect(answer.status).toBe(401);
		expect(answer.json).toEqual({
			error: 'Unauthorized',
			message: 'Invalid API key',
			request_id: '8bf4eee4-4752-47d6-ae65-8ae881d954e1',
		});
	});

	test('x-api-key carries the organization key', async () => {
		const answer = await api('GET', CHANNELS, { apiKey: sandbox.tokens.apiKey });
		expect(answer.status).toBe(200);
	});

	test('header names are case-insensitive', async () => {
		const byToken = await rawGet(`${sandbox.url}${CHANNELS}`, {
			'X-Access-Token': sandbox.tokens.agent,
		});
		const byKey = await rawGet(`${sandbox.url}${CHANNELS}`, { 'X-API-KEY': sandbox.tokens.apiKey });
		expect([byToken.status, byKey.status]).toEqual([200, 200]);
		const requests = sandbox.requests();
		expect(requests[0].headers['x-access-token']).toBe(sandbox.tokens.agent);
		expect(requests[1].headers['x-api-key']).toBe(sandbox.tokens.apiKey);
	});

	test('x-access-token wins when both headers are sent', async () => {
		const validToken = await api('GET', CHANNELS, {
			token: sandbox.tokens.agent,
			apiKey: 'api_bad',
		});
		const invalidToken = await api('GET', CHANNELS, {
			token: 'acc_bad',
			apiKey: sandbox.tokens.apiKey,
		});
		expect(validToken.status).toBe(200);
		expect(invalidToken.status).toBe(401);
		expect(invalidToken.json).toEqual(INVALID);
	});

	test('authentication comes before parameter checks', async () => {
		const answer = await api('GET', `${CHANNELS}?view=bogus`);
		expect(answer.status).toBe(401);
		expect(answer.json).toEqual(MISSING);
	});
});

describe('unknown paths and methods', () => {
	test.each([
		['GET', '/v1/backend/nothing'],
		['GET', '/v2/backend/channels/_conv_count/'],
		['GET', '/v1/backend/conversation'],
		['DELETE', '/v1/backend/conversation_messages'],
		['PUT', '/v1/backend/conversation_messages'],
		['GET', '/v1/backend/meilisearch/org_imbrace/search'],
		['POST', '/v2/backend/channels/_conv_count'],
		['GET', '/v1/backend/conversation_messages/_fileupload'],
	])('%s %s: 404 Not Found, with or without a token', async (method, path) => {
		const withToken = await api(method, path, { token: sandbox.tokens.agent });
		const withoutToken = await api(method, path);
		for (const answer of [withToken, withoutToken]) {
			expect(answer.status).toBe(404);
			expect(answer.headers.get('content-type')).toBe(JSON_TYPE);
			expect(answer.json).toEqual({ message: 'Not Found' });
		}
	});
});

describe('§1 view counts of a business unit', () => {
	test('the seeded testing unit, for the agent, with keys in contract order', async () => {
		const [team, vip, nightShift] = sandbox.ids.teamIds;
		const answer = await api<Counts>('GET', views(sandbox.ids.businessUnitId), {
			token: sandbox.tokens.agent,
		});
		expect(answer.status).toBe(200);
		expect(answer.headers.get('content-type')).toBe(JSON_TYPE);
		expect(answer.json).toEqual({
			all: 220,
			yours: 40,
			closed: 50,
			spam: 22,
			online: 0,
			rep_needed: 81,
			pending: 39,
			soon_to_be: 12,
			overdue: 62,
			[team]: 155,
			[vip]: 42,
			[nightShift]: 0,
			null: 23,
		});
		expect(Object.keys(answer.json)).toEqual([
			'all',
			'yours',
			'closed',
			'spam',
			'online',
			'rep_needed',
			'pending',
			'soon_to_be',
			'overdue',
			team,
			vip,
			nightShift,
			'null',
		]);
	});

	test('`yours` is per caller: second agent 26, API key (the bot) 0', async () => {
		const second = await api<Counts>('GET', views(sandbox.ids.businessUnitId), {
			token: sandbox.tokens.secondAgent,
		});
		const key = await api<Counts>('GET', views(sandbox.ids.businessUnitId), {
			apiKey: sandbox.tokens.apiKey,
		});
		expect(second.json.yours).toBe(26);
		expect(key.json.yours).toBe(0);
		expect({ ...second.json, yours: 40 }).toEqual({ ...key.json, yours: 40 });
	});

	test('the other seeded units', async () => {
		const [, sales, support] = sandbox.ids.businessUnitIds;
		const [, , , salesHk, salesSg, supportL1] = sandbox.ids.teamIds;
		const salesCounts = await api<Counts>('GET', views(sales), { token: sandbox.tokens.agent });
		const supportCounts = await api<Counts>('GET', views(support), { token: sandbox.tokens.agent });
		expect(salesCounts.json).toEqual({
			all: 78,
			yours: 14,
			closed: 14,
			spam: 11,
			online: 0,
			rep_needed: 30,
			pending: 19,
			soon_to_be: 3,
			overdue: 24,
			[salesHk]: 54,
			[salesSg]: 19,
			null: 5,
		});
		expect(supportCounts.json).toEqual({
			all: 25,
			yours: 9,
			closed: 8,
			spam: 2,
			online: 0,
			rep_needed: 9,
			pending: 2,
			soon_to_be: 1,
			overdue: 8,
			[supportL1]: 24,
			null: 1,
		});
	});

	test('the second organization sees its own unit', async () => {
		const answer = await api<Counts>('GET', views(sandbox.ids.otherBusinessUnitId), {
			token: sandbox.tokens.otherOrgAgent,
		});
		expect(answer.json).toEqual({
			all: 12,
			yours: 6,
			closed: 3,
			spam: 0,
			online: 0,
			rep_needed: 8,
			pending: 0,
			soon_to_be: 0,
			overdue: 6,
			[sandbox.ids.otherTeamId]: 10,
			null: 2,
		});
	});

	test('in every unit, `all` is the sum of the team keys and "null"', async () => {
		for (const unit of sandbox.ids.businessUnitIds) {
			const { json } = await api<Counts>('GET', views(unit), { token: sandbox.tokens.agent });
			const teamKeys = Object.keys(json).filter((key) => key.startsWith('t_') || key === 'null');
			expect(sum(teamKeys.map((key) => json[key]))).toBe(json.all);
			expect(json.closed + json.pending).toBeLessThanOrEqual(json.all);
			expect(json.soon_to_be + json.overdue).toBeLessThanOrEqual(json.rep_needed);
		}
	});

	test.each([
		['no parameters', '/v2/backend/team_conversations/_views_count'],
		['no q', '/v2/backend/team_conversations/_views_count?type=business_unit_id'],
		['an empty q', '/v2/backend/team_conversations/_views_count?type=business_unit_id&q='],
		[
			'another type',
			'/v2/backend/team_conversations/_views_count?type=team_id&q=bu_imbrace_testing',
		],
	])('%s: 400 Invalid request parameters', async (_name, path) => {
		const answer = await api('GET', path, { token: sandbox.tokens.agent });
		expect(answer.status).toBe(400);
		expect(answer.json).toEqual({ code: 40000, message: 'Invalid request parameters' });
	});

	test('an unknown unit, or one of another organization: 404 Not Found', async () => {
		const unknown = await api('GET', views('bu_nope'), { token: sandbox.tokens.agent });
		const foreign = await api('GET', views(sandbox.ids.otherBusinessUnitId), {
			token: sandbox.tokens.agent,
		});
		for (const answer of [unknown, foreign]) {
			expect(answer.status).toBe(404);
			expect(answer.json).toEqual({ message: 'Not Found' });
		}
	});

	test('a contact token may not count: 403 Forbidden', async () => {
		const answer = await api('GET', views(sandbox.ids.businessUnitId), {
			token: sandbox.tokens.contact,
		});
		expect(answer.status).toBe(403);
		expect(answer.json).toEqual({ message: 'Forbidden' });
	});
});

describe('§1 counts follow the data', () => {
	const testingViews = async () =>
		(await api<Counts>('GET', views(sandbox.ids.businessUnitId), { token: sandbox.tokens.agent }))
			.json;
	const delta = (after: Counts, before: Counts) =>
		Object.fromEntries(
			Object.keys(after)
				.filter((key) => after[key] !== before[key])
				.map((key) => [key, after[key] - before[key]]),
		);

	test('a new active conversation in a team, assigned to the caller', async () => {
		const before = await testingViews();
		sandbox.addConversation({
			teamId: sandbox.ids.teamId,
			assigneeId: sandbox.ids.agentUserId,
		});
		expect(delta(await testingViews(), before)).toEqual({
			all: 1,
			yours: 1,
			[sandbox.ids.teamId]: 1,
		});
	});

	test('each status lands in its key; spam stays out of `all` and the team keys', async () => {
		const before = await testingViews();
		for (const status of ['pending', 'closed', 'spam']) sandbox.addConversation({ status });
		expect(delta(await testingViews(), before)).toEqual({
			all: 2,
			pending: 1,
			closed: 1,
			spam: 1,
			null: 2,
		});
	});

	test('a conversation in the empty team', async () => {
		const nightShift = sandbox.ids.teamIds[2];
		const before = await testingViews();
		sandbox.addConversation({ teamId: nightShift });
		expect(delta(await testingViews(), before)).toEqual({ all: 1, [nightShift]: 1 });
	});

	test('reply ages: fresh, soon_to_be (12 h), overdue (24 h), answered, closed', async () => {
		const contactMessageAt = (hoursBeforeSeedNow: number, status = 'active') => {
			const id = sandbox.addConversation({ status });
			sandbox.addMessages({
				conversationId: id,
				at: new Date(SEED_NOW_MS - hoursBeforeSeedNow * HOUR).toISOString(),
			});
			return id;
		};
		const before = await testingViews();
		contactMessageAt(11.9);
		contactMessageAt(12);
		contactMessageAt(23.9);
		contactMessageAt(24);
		contactMessageAt(500);
		contactMessageAt(30, 'pending');
		contactMessageAt(30, 'closed');
		const answered = contactMessageAt(30);
		sandbox.addMessages({ conversationId: answered, from: sandbox.ids.agentUserId });
		// Added "now": after the seed's fixed now, so it is fresh.
		sandbox.addMessages({ conversationId: sandbox.addConversation() });
		expect(delta(await testingViews(), before)).toEqual({
			all: 9,
			closed: 1,
			pending: 1,
			rep_needed: 7,
			soon_to_be: 2,
			overdue: 3,
			null: 9,
		});
	});

	test('an agent answering a waiting conversation takes it out of rep_needed', async () => {
		const id = sandbox.addConversation({ messages: 1 });
		const waiting = await testingViews();
		sandbox.addMessages({ conversationId: id, from: sandbox.ids.secondAgentUserId });
		expect(delta(await testingViews(), waiting)).toEqual({ rep_needed: -1 });
	});
});

describe('§2 conversation count per channel type', () => {
	const seedAll = {
		web: 207,
		facebook: 22,
		whatsapp: 52,
		instagram: 21,
		wechat: 0,
		line: 21,
		email: 0,
		wecom: 0,
		all: 323,
	};

	test('view=all: every type in contract order, then all', async () => {
		const answer = await api<Counts>('GET', `${CHANNELS}?view=all`, {
			token: sandbox.tokens.agent,
		});
		expect(answer.status).toBe(200);
		expect(answer.headers.get('content-type')).toBe(JSON_TYPE);
		expect(answer.json).toEqual(seedAll);
		expect(Object.keys(answer.json)).toEqual(Object.keys(seedAll));
	});

	test('the default view is all', async () => {
		const answer = await api<Counts>('GET', CHANNELS, { token: sandbox.tokens.agent });
		expect(answer.json).toEqual(seedAll);
	});

	test('view=joined and view=yours for the agent', async () => {
		const joined = await api<Counts>('GET', `${CHANNELS}?view=joined`, {
			token: sandbox.tokens.agent,
		});
		const yours = await api<Counts>('GET', `${CHANNELS}?view=yours`, {
			token: sandbox.tokens.agent,
		});
		expect(joined.json).toEqual({
			web: 45,
			facebook: 2,
			whatsapp: 13,
			instagram: 4,
			wechat: 0,
			line: 3,
			email: 0,
			wecom: 0,
			all: 67,
		});
		expect(yours.json).toEqual({
			web: 42,
			facebook: 2,
			whatsapp: 12,
			instagram: 4,
			wechat: 0,
			line: 3,
			email: 0,
			wecom: 0,
			all: 63,
		});
	});

	test('the API key is the bot: it joined everything and is assigned nothing', async () => {
		const joined = await api<Counts>('GET', `${CHANNELS}?view=joined`, {
			apiKey: sandbox.tokens.apiKey,
		});
		const yours = await api<Counts>('GET', `${CHANNELS}?view=yours`, {
			apiKey: sandbox.tokens.apiKey,
		});
		expect(joined.json).toEqual(seedAll);
		expect(yours.json).toEqual({
			web: 0,
			facebook: 0,
			whatsapp: 0,
			instagram: 0,
			wechat: 0,
			line: 0,
			email: 0,
			wecom: 0,
			all: 0,
		});
	});

	test('the second organization counts only its own', async () => {
		const answer = await api<Counts>('GET', CHANNELS, { token: sandbox.tokens.otherOrgAgent });
		expect(answer.json).toEqual({
			web: 8,
			facebook: 0,
			whatsapp: 4,
			instagram: 0,
			wechat: 0,
			line: 0,
			email: 0,
			wecom: 0,
			all: 12,
		});
	});

	test('`all` of §2 is the sum of `all` of §1 over the units', async () => {
		let unitTotal = 0;
		for (const unit of sandbox.ids.businessUnitIds) {
			unitTotal += (await api<Counts>('GET', views(unit), { token: sandbox.tokens.agent })).json
				.all;
		}
		expect(unitTotal).toBe(seedAll.all);
	});

	test.each(['bogus', '', 'ALL'])('view=%j: 400 Invalid request parameters', async (view) => {
		const answer = await api('GET', `${CHANNELS}?view=${view}`, { token: sandbox.tokens.agent });
		expect(answer.status).toBe(400);
		expect(answer.json).toEqual({ code: 40000, message: 'Invalid request parameters' });
	});

	test('a contact token: 403 Forbidden', async () => {
		const answer = await api('GET', CHANNELS, { token: sandbox.tokens.contact });
		expect(answer.status).toBe(403);
		expect(answer.json).toEqual({ message: 'Forbidden' });
	});

	test('new conversations count in their channel type; spam does not', async () => {
		const before = (await api<Counts>('GET', CHANNELS, { token: sandbox.tokens.agent })).json;
		sandbox.addConversation();
		sandbox.addConversation({ status: 'spam' });
		sandbox.addConversation({ assigneeId: sandbox.ids.agentUserId });
		const after = await api<Counts>('GET', CHANNELS, { token: sandbox.tokens.agent });
		const yours = await api<Counts>('GET', `${CHANNELS}?view=yours`, {
			token: sandbox.tokens.agent,
		});
		expect(after.json).toEqual({ ...before, web: before.web + 2, all: before.all + 2 });
		expect(yours.json.web).toBe(43);
		expect(yours.json.all).toBe(64);
	});
});

describe('§3 conversation count per channel type of one team', () => {
	test('the default team', async () => {
		const answer = await api<Counts>('GET', teamChannels(sandbox.ids.teamId), {
			token: sandbox.tokens.agent,
		});
		expect(answer.status).toBe(200);
		expect(answer.headers.get('content-type')).toBe(JSON_TYPE);
		expect(answer.json).toEqual({
			web: 106,
			facebook: 14,
			whatsapp: 24,
			instagram: 0,
			wechat: 0,
			line: 11,
			email: 0,
			wecom: 0,
			all: 155,
		});
	});

	test('every team agrees with §1, and teams plus "null" make up §2', async () => {
		let teamsTotal = 0;
		for (const team of sandbox.ids.teamIds) {
			const { json } = await api<Counts>('GET', teamChannels(team), {
				token: sandbox.tokens.agent,
			});
			const { all, ...types } = json;
			expect(sum(Object.values(types))).toBe(all);
			teamsTotal += all;
		}
		let withoutTeam = 0;
		for (const unit of sandbox.ids.businessUnitIds) {
			withoutTeam += (await api<Counts>('GET', views(unit), { token: sandbox.tokens.agent })).json
				.null;
		}
		const channels = await api<Counts>('GET', CHANNELS, { token: sandbox.tokens.agent });
		expect(teamsTotal + withoutTeam).toBe(channels.json.all);
	});

	test('the empty team counts zero everywhere', async () => {
		const answer = await api<Counts>('GET', teamChannels(sandbox.ids.teamIds[2]), {
			token: sandbox.tokens.agent,
		});
		expect(answer.json).toEqual({
			web: 0,
			facebook: 0,
			whatsapp: 0,
			instagram: 0,
			wechat: 0,
			line: 0,
			email: 0,
			wecom: 0,
			all: 0,
		});
	});

	test('an unknown team, or a team of another organization: 404 Not Found', async () => {
		const unknown = await api('GET', teamChannels('t_nope'), { token: sandbox.tokens.agent });
		const foreign = await api('GET', teamChannels(sandbox.ids.otherTeamId), {
			token: sandbox.tokens.agent,
		});
		for (const answer of [unknown, foreign]) {
			expect(answer.status).toBe(404);
			expect(answer.json).toEqual({ message: 'Not Found' });
		}
	});

	test('no team_id: 400 Invalid request parameters', async () => {
		const answer = await api('GET', '/v1/backend/channels/_conv_count', {
			token: sandbox.tokens.agent,
		});
		expect(answer.status).toBe(400);
		expect(answer.json).toEqual({ code: 40000, message: 'Invalid request parameters' });
	});

	test('a contact token: 403 Forbidden', async () => {
		const answer = await api('GET', teamChannels(sandbox.ids.teamId), {
			token: sandbox.tokens.contact,
		});
		expect(answer.status).toBe(403);
		expect(answer.json).toEqual({ message: 'Forbidden' });
	});
});
