/** The `now` option: the seed moved in time, reply ages from its now, new messages after it. */
import { SEED_NOW_MS } from '../api/data';
import { call } from './helpers';
import type { CallOptions, Counts, ListEnvelope, SearchEnvelope } from './helpers';
import { SandboxInputError, startSandbox } from '../index';
import type { Sandbox } from '../index';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const SEARCH = '/v1/backend/meilisearch/org_imbrace/search';
const views = (unit: string) =>
	`/v2/backend/team_conversations/_views_count?type=business_unit_id&q=${unit}`;

/** A sandbox whose seed ends at `now`, closed after `use`. */
async function withNow(now: number, use: (sandbox: Sandbox) => Promise<void>): Promise<void> {
	const sandbox = await startSandbox({ now });
	try {
		await use(sandbox);
	} finally {
		await sandbox.close();
	}
}

const api = <T = unknown>(sandbox: Sandbox, method: string, path: string, options?: CallOptions) =>
	call<T>(sandbox.url, method, path, { token: sandbox.tokens.agent, ...options });

describe('now', () => {
	test('by default the seed ends at SEED_NOW_MS', async () => {
		const sandbox = await startSandbox();
		try {
			expect(sandbox.seedNowMs).toBe(SEED_NOW_MS);
			const info = await call<{ seedNow: string }>(sandbox.url, 'GET', '/__sandbox/info');
			expect(info.json.seedNow).toBe('2025-06-30T12:00:00.000Z');
		} finally {
			await sandbox.close();
		}
	});

	test('every seeded time moves by the same amount; ids and counts stay', async () => {
		const shift = 400 * DAY + 5 * HOUR + 321;
		const fixed = await startSandbox();
		try {
			await withNow(SEED_NOW_MS + shift, async (moved) => {
				expect(moved.seedNowMs).toBe(SEED_NOW_MS + shift);
				expect(moved.tokens).toEqual(fixed.tokens);
				expect(moved.ids).toEqual(fixed.ids);
				const newest = async (sandbox: Sandbox) =>
					(await api<SearchEnvelope>(sandbox, 'POST', SEARCH, { body: { limit: 3 } })).json.message
						.hits;
				const [before, after] = [await newest(fixed), await newest(moved)];
				expect(after.map((hit) => hit._id)).toEqual(before.map((hit) => hit._id));
				expect(after.map((hit) => Date.parse(hit.created_at))).toEqual(
					before.map((hit) => Date.parse(hit.created_at) + shift),
				);
				const info = await call<{ seedNow: string }>(moved.url, 'GET', '/__sandbox/info');
				expect(info.json.seedNow).toBe(new Date(SEED_NOW_MS + shift).toISOString());
			});
		} finally {
			await fixed.close();
		}
	});

	test('reply ages count from the seed now: §1 answers the same whenever now is', async () => {
		const fixed = await startSandbox();
		try {
			const counts = async (sandbox: Sandbox) =>
				(await api<Counts>(sandbox, 'GET', views(sandbox.ids.businessUnitId))).json;
			const seedCounts = await counts(fixed);
			expect([seedCounts.soon_to_be, seedCounts.overdue]).toEqual([12, 62]);
			await withNow(Date.now() - 3 * DAY, async (moved) => {
				expect(await counts(moved)).toEqual(seedCounts);
			});
		} finally {
			await fixed.close();
		}
	});

	test('the clock for new messages starts after now, even a now in the future', async () => {
		const future = Date.now() + DAY;
		await withNow(future, async (sandbox) => {
			const sent = await api<{ created_at: string }>(
				sandbox,
				'POST',
				'/v1/backend/conversation_messages',
				{
					body: { type: 'text', text: 'Hi', conversation_id: sandbox.ids.contactConversationId },
				},
			);
			const [added] = sandbox.addMessages({ conversationId: sandbox.ids.contactConversationId });
			expect([sent.json.created_at, added.created_at]).toEqual([
				new Date(future + 1).toISOString(),
				new Date(future + 2).toISOString(),
			]);
		});
	});

	test('reset keeps the now the sandbox was started with', async () => {
		const now = SEED_NOW_MS + 10 * DAY;
		await withNow(now, async (sandbox) => {
			const listed = async () =>
				(
					await api<ListEnvelope>(
						sandbox,
						'GET',
						`/v1/backend/conversation_messages?conversation_id=${sandbox.ids.contactConversationId}&limit=1`,
					)
				).json.data[0].created_at;
			const before = await listed();
			sandbox.reset();
			expect(await listed()).toBe(before);
			expect(Date.parse(before)).toBe(now - 3 * DAY);
		});
	});

	test.each([Number.NaN, 1.5, Infinity])('now: %p rejects', async (now) => {
		await expect(startSandbox({ now })).rejects.toThrow(
			new SandboxInputError('now must be a time in whole milliseconds since the epoch'),
		);
	});
});

describe('a seed ending now has what the example workflows look for', () => {
	let sandbox: Sandbox;
	beforeAll(async () => {
		sandbox = await startSandbox({ now: Date.now() });
	});
	afterAll(() => sandbox.close());

	test('search-report: contact messages about a refund from the last 24 hours', async () => {
		const since = new Date(Date.now() - DAY).toISOString();
		const answer = await api<SearchEnvelope>(sandbox, 'POST', SEARCH, {
			body: { q: 'refund', filter: `created_at >= "${since}"`, sort: ['created_at:asc'] },
		});
		const fromContacts = answer.json.message.hits.filter((hit) => hit.from.startsWith('con_'));
		expect(answer.json.message.estimatedTotalHits).toBe(18);
		expect(fromContacts).toHaveLength(10);
		for (const hit of fromContacts)
			expect(hit.content.text).toBe('I have not received my refund yet');
	});

	test('escalation: more than 20 overdue conversations in the testing unit', async () => {
		const answer = await api<Counts>(sandbox, 'GET', views('bu_imbrace_testing'));
		expect(answer.json.overdue).toBe(62);
	});

	test('auto-reply: the newest contact text message is minutes old', async () => {
		const answer = await api<SearchEnvelope>(sandbox, 'POST', SEARCH, {
			body: { filter: 'type = text AND from >= con_ AND from < con~', limit: 1 },
		});
		const [newest] = answer.json.message.hits;
		expect(newest.content.text).toBe('I would like to check my order status');
		expect(sandbox.seedNowMs - Date.parse(newest.created_at)).toBeLessThan(HOUR);
	});
});
