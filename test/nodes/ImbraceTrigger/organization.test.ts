import type { INodeExecutionData } from 'n8n-workflow';

import type { CursorMode } from '../../harness/poller';
import { createPoller } from '../../harness/poller';
import { callApi, useSandbox } from '../../harness/sandbox';

const SEARCH = '/v1/backend/meilisearch/org_imbrace/search';

const ids = (items: INodeExecutionData[] | null) => (items ?? []).map((item) => item.json.id);

describe.each<CursorMode>(['legacy', 'durable'])(
	'iMBRACE Trigger, whole organization (%s cursors)',
	(mode) => {
		const fixture = useSandbox();

		async function watch(parameters: Record<string, unknown> = {}, budgetMs?: number) {
			const { sandbox } = fixture;
			const conversations = [sandbox.addConversation(), sandbox.addConversation()];
			const poller = await createPoller({
				parameters: { scope: 'organization', options: { simplify: true }, ...parameters },
				credentials: fixture.credentials(),
				mode,
				budgetMs,
			});
			sandbox.clearRequests();
			const add = (count: number, extra: Record<string, unknown> = {}, which = 0) =>
				sandbox
					.addMessages({ conversationId: conversations[which], count, ...extra })
					.map((message) => message.id);
			return { poller, add };
		}

		function searches() {
			return fixture.sandbox.requests().filter((request) => request.path === SEARCH);
		}

		function afterRequest(after: number, action: () => void) {
			let seen = 0;
			return fixture.sandbox.onRequest((request) => {
				if (request.path === SEARCH && ++seen === after) action();
			});
		}

		it('remembers where the organization stands on the first poll, in one request, and emits nothing', async () => {
			const { poller } = await watch();

			expect(await poller.poll()).toEqual({ emitted: null });
			expect(searches().map((request) => request.body)).toEqual([
				{ q: '', sort: ['created_at:desc'], limit: 1000, offset: 0 },
			]);
			const newest = (await callApi(fixture.sandbox, SEARCH, {
				method: 'POST',
				body: { q: '', sort: ['created_at:desc'], limit: 1 },
			})) as unknown as { message: { hits: Array<{ _id: string; created_at: string }> } };
			const [{ _id, created_at }] = newest.message.hits;
			expect(poller.storedState().cursor).toEqual({
				key: expect.stringMatching(/^[0-9a-f]{16}$/),
				at: created_at,
				ids: [_id],
			});
		});

		it('emits every new message of every conversation once, oldest first', async () => {
			const { poller, add } = await watch();
			await poller.poll();
			const { cursor } = poller.storedState() as { cursor: { at: string } };
			fixture.sandbox.clearRequests();

			const first = add(2, {}, 0);
			const second = add(3, {}, 1);
			const third = add(1, {}, 0);
			const polled = await poller.poll();

			expect(ids(polled.emitted)).toEqual([...first, ...second, ...third]);
			expect(searches().map((request) => request.body)).toEqual([
				{
					q: '',
					filter: `created_at >= "${cursor.at}"`,
					sort: ['created_at:asc'],
					limit: 1000,
					offset: 0,
				},
			]);
		});

		it('makes exactly one request and returns nothing when nothing is new', async () => {
			const { poller, add } = await watch();
			await poller.poll();
			add(1);
			await poller.poll();
			fixture.sandbox.clearRequests();

			expect(await poller.poll()).toEqual({ emitted: null });
			expect(searches()).toHaveLength(1);
		});

		it('emits 50 messages of one millisecond, arriving across two polls, each once', async () => {
			const { poller, add } = await watch();
			await poller.poll();
			const at = new Date(Date.now() + 1000).toISOString();

			const first = add(20, { at }, 0);
			const one = await poller.poll();
			const second = add(30, { at }, 1);
			const two = await poller.poll();

			expect(ids(one.emitted)).toEqual(first);
			expect(ids(two.emitted)).toEqual(second);
			expect(await poller.poll()).toEqual({ emitted: null });
		});

		it('loses nothing that arrives while a poll pages through a backlog', async () => {
			const { poller, add } = await watch();
			await poller.poll();
			const backlog = [...add(1500, {}, 0), ...add(1000, {}, 1)];
			const arrivals: string[] = [];
			const stop = afterRequest(1, () => arrivals.push(...add(5, {}, 1)));

			const one = await poller.poll();
			stop();
			const two = await poller.poll();

			expect([...ids(one.emitted), ...ids(two.emitted)]).toEqual([...backlog, ...arrivals]);
			expect(await poller.poll()).toEqual({ emitted: null });
		});

		it.each([
			['a 500', { kind: 'status' as const, status: 500 }],
			['a dropped connection', { kind: 'drop' as const }],
			['malformed JSON', { kind: 'malformedJson' as const }],
		])('fails a poll on %s half-way and emits all of it on the next poll', async (_name, fault) => {
			const { poller, add } = await watch();
			await poller.poll();
			const backlog = add(2500);
			const before = poller.storedState();
			const stop = afterRequest(1, () =>
				fixture.sandbox.injectFault({ ...fault, match: { path: SEARCH } }),
			);

			const failed = await poller.poll();
			stop();

			expect(failed.emitted).toBeNull();
			expect(failed.error).toBeDefined();
			expect(poller.storedState()).toEqual(before);
			expect(ids((await poller.poll()).emitted)).toEqual(backlog);
		});

		it('reports a 429 as rate limited, with the delay iMBRACE asked for', async () => {
			const { poller, add } = await watch();
			await poller.poll();
			const added = add(1);
			fixture.sandbox.injectFault({ kind: 'rateLimit', retryAfter: 30, match: { path: SEARCH } });

			const limited = await poller.poll();

			expect(limited.error?.failure).toEqual({ cause: 'rate-limited', retryAfterMs: 30000 });
			expect(limited.error?.description).toMatch(/^iMBRACE asks to wait 30 seconds/);
			expect(ids((await poller.poll()).emitted)).toEqual(added);
		});

		it('drains a backlog larger than one poll’s budget over several polls, oldest first', async () => {
			const { poller, add } = await watch({}, 0);
			await poller.poll();
			const backlog = add(2500);

			const polls = [];
			for (let poll = 0; poll < 4; poll++) polls.push(ids((await poller.poll()).emitted));

			// Each page starts with the last handled message again (the filter is inclusive).
			expect(polls.map((emitted) => emitted.length)).toEqual([999, 999, 502, 0]);
			expect(polls.flat()).toEqual(backlog);
		});

		it('watches only messages matching the query and the filter', async () => {
			const { sandbox } = fixture;
			const { poller, add } = await watch({
				query: 'refund',
				filter: `business_unit_id = ${sandbox.ids.businessUnitId}`,
			});
			await poller.poll();
			const { cursor } = poller.storedState() as { cursor: { at: string } };
			fixture.sandbox.clearRequests();
			add(1, { text: 'Hello there' });
			const [wanted] = add(1, { text: 'I want a refund please' });

			const polled = await poller.poll();

			expect(ids(polled.emitted)).toEqual([wanted]);
			expect(searches().map((request) => request.body)).toEqual([
				{
					q: 'refund',
					filter: `(business_unit_id = ${sandbox.ids.businessUnitId}) AND created_at >= "${cursor.at}"`,
					sort: ['created_at:asc'],
					limit: 1000,
					offset: 0,
				},
			]);
		});

		it('emits only the chosen sender types', async () => {
			const { poller, add } = await watch({
				options: { senderTypes: ['contact'], messageTypes: ['text'], simplify: true },
			});
			await poller.poll();
			const [fromContact] = add(1);
			add(1, { from: 'u_imbrace_bot' });
			add(1, { type: 'image' });

			expect(ids((await poller.poll()).emitted)).toEqual([fromContact]);
			expect(await poller.poll()).toEqual({ emitted: null });
		});

		it('shows the newest matching message on a manual run and leaves the cursor alone', async () => {
			const { poller, add } = await watch({
				options: { messageTypes: ['quick_reply'], simplify: true },
			});
			await poller.poll();
			const [reply] = add(1, { type: 'quick_reply' });
			add(2);
			const before = poller.storedState();

			const shown = await poller.manualRun();

			expect(shown.map((item) => item.json.id)).toEqual([reply]);
			expect(shown[0].json.type).toBe('quick_reply');
			expect(poller.storedState()).toEqual(before);
		});

		it('keeps its cursor small whatever the volume', async () => {
			const { poller, add } = await watch();
			await poller.poll();
			add(5000);
			await poller.poll();
			const spread = JSON.stringify(poller.storedState()).length;
			// Later than every message so far: adding 5,000 "now" ran the clock ahead.
			const at = new Date(Date.now() + 3_600_000).toISOString();
			const tied = add(1500, { at });
			const emitted = await poller.poll();

			expect(spread).toBeLessThan(200);
			expect(ids(emitted.emitted)).toEqual(tied);
			// Past a thousand messages in one millisecond, the cursor moves beyond it.
			expect(poller.storedState().cursor).toMatchObject({
				at: new Date(Date.parse(at) + 1).toISOString(),
				ids: [],
			});
			expect(await poller.poll()).toEqual({ emitted: null });
		});

		it("uses the credential's organization, and says so when neither has one", async () => {
			const poller = await createPoller({
				parameters: { scope: 'organization' },
				credentials: fixture.credentials({ organizationId: '' }),
				mode,
			});

			const outcome = await poller.poll();

			expect(outcome.error?.message).toBe(
				'The Organization ID is empty here and in the credential',
			);
			expect(fixture.sandbox.requests()).toEqual([]);
		});
	},
);
