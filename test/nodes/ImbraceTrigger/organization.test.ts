import type { INodeExecutionData } from 'n8n-workflow';

import type { CursorMode } from '../../harness/poller';
import { createPoller } from '../../harness/poller';
import { callApi, useSandbox } from '../../harness/sandbox';
import type { MeiliGeneration } from '../../sandbox';

const SEARCH = '/v1/backend/meilisearch/org_imbrace/search';
const FETCH = '/v1/backend/meilisearch/org_imbrace/fetch';
const ME = '/platform/v1/users/_me';
/** What the trigger reads the organization's messages by when no Filter is set. */
const EVERY_MESSAGE = 'created_at EXISTS';

const ids = (items: INodeExecutionData[] | null) => (items ?? []).map((item) => item.json.id);

describe.each<[MeiliGeneration, CursorMode]>([
	['1.15', 'legacy'],
	['1.15', 'durable'],
	['1.14', 'legacy'],
	['1.14', 'durable'],
])('iMBRACE Trigger, whole organization (Meilisearch %s, %s cursors)', (meili, mode) => {
	const fixture = useSandbox({ meili });

	async function watch(parameters: Record<string, unknown> = {}, budgetMs?: number) {
		const { sandbox } = fixture;
		const conversations = [sandbox.addConversation(), sandbox.addConversation()];
		const poller = await createPoller({
			parameters: { scope: 'organization', ...parameters },
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

	function requestsTo(path: string) {
		return fixture.sandbox.requests().filter((request) => request.path === path);
	}

	function afterRequest(after: number, action: () => void) {
		let seen = 0;
		return fixture.sandbox.onRequest((request) => {
			if (request.path === FETCH && ++seen === after) action();
		});
	}

	async function organizationSize() {
		const answer = (await callApi(fixture.sandbox, FETCH, {
			method: 'POST',
			body: { filter: EVERY_MESSAGE, limit: 1 },
		})) as unknown as {
			message: { total: number; results: Array<{ _id: string; created_at: string }> };
		};
		return { total: answer.message.total, newest: answer.message.results[0] };
	}

	it('remembers where the organization stands on the first poll, in one request, and emits nothing', async () => {
		const { poller } = await watch();

		expect(await poller.poll()).toEqual({ emitted: null });
		// Besides, once per token, who the credential is (own-messages.test.ts).
		const read = fixture.sandbox.requests().filter((request) => request.path !== ME);
		expect(read.map((request) => [request.path, request.body])).toEqual([
			[FETCH, { filter: EVERY_MESSAGE, limit: 1, offset: 0 }],
		]);
		const { total, newest } = await organizationSize();
		expect(poller.storedState().cursor).toEqual({
			key: expect.stringMatching(/^[0-9a-f]{16}$/),
			position: total,
			length: total,
			lastId: newest._id,
			at: newest.created_at,
		});
	});

	it('emits every new message of every conversation once, oldest first, in one request', async () => {
		const { poller, add } = await watch();
		await poller.poll();
		fixture.sandbox.clearRequests();

		const first = add(2, {}, 0);
		const second = add(3, {}, 1);
		const third = add(1, {}, 0);
		const polled = await poller.poll();

		expect(ids(polled.emitted)).toEqual([...first, ...second, ...third]);
		expect(fixture.sandbox.requests().map((request) => [request.path, request.body])).toEqual([
			[FETCH, { filter: EVERY_MESSAGE, limit: 1000, offset: 0 }],
		]);
	});

	it('makes exactly one request and returns nothing when nothing is new', async () => {
		const { poller, add } = await watch();
		await poller.poll();
		add(1);
		await poller.poll();
		fixture.sandbox.clearRequests();

		expect(await poller.poll()).toEqual({ emitted: null });
		expect(fixture.sandbox.requests()).toHaveLength(1);
	});

	it('emits 1,500 messages of one millisecond, arriving across two polls, each once', async () => {
		const { poller, add } = await watch();
		await poller.poll();
		const at = new Date(Date.now() + 1000).toISOString();

		const first = add(700, { at }, 0);
		const one = await poller.poll();
		const second = add(800, { at }, 1);
		const two = await poller.poll();

		expect(ids(one.emitted)).toEqual(first);
		expect(ids(two.emitted)).toEqual(second);
		expect(await poller.poll()).toEqual({ emitted: null });
	});

	it('emits more than 1,000 new messages between polls, past the search cap, oldest first', async () => {
		const { poller, add } = await watch();
		await poller.poll();
		const backlog = [...add(1500, {}, 0), ...add(1000, {}, 1)];
		fixture.sandbox.clearRequests();

		const polled = await poller.poll();

		expect(ids(polled.emitted)).toEqual(backlog);
		// The newest page shows how many arrived; then the documents route, oldest unread first.
		expect(requestsTo(FETCH).map((request) => request.body)).toEqual([
			{ filter: EVERY_MESSAGE, limit: 1000, offset: 0 },
			{ filter: EVERY_MESSAGE, limit: 1000, offset: 1501 },
			{ filter: EVERY_MESSAGE, limit: 1000, offset: 502 },
			{ filter: EVERY_MESSAGE, limit: 1000, offset: 0 },
		]);
		expect(requestsTo(SEARCH)).toEqual([]);
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

		expect(arrivals).toHaveLength(5);
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
			fixture.sandbox.injectFault({ ...fault, match: { path: FETCH } }),
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
		fixture.sandbox.injectFault({ kind: 'rateLimit', retryAfter: 30, match: { path: FETCH } });

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

		// One page of the documents route per poll: the 999 oldest unread and the last handled one.
		expect(polls.map((emitted) => emitted.length)).toEqual([999, 999, 502, 0]);
		expect(polls.flat()).toEqual(backlog);
	});

	it('watches only messages matching the query and the filter, past the cap too', async () => {
		const { sandbox } = fixture;
		const filter = `business_unit_id = ${sandbox.ids.businessUnitId}`;
		const { poller, add } = await watch({ query: 'refund', filter });
		await poller.poll();
		fixture.sandbox.clearRequests();
		add(1, { text: 'Hello there' });
		const [wanted] = add(1, { text: 'I want a refund please' });
		const many = add(600, { text: 'Refund for order 7' }, 1);
		add(600, { text: 'Where is my parcel?' }, 1);

		const polled = await poller.poll();

		expect(ids(polled.emitted)).toEqual([wanted, ...many]);
		const fetched = requestsTo(FETCH).map((request) => request.body as { filter: string });
		expect(fetched.every((body) => body.filter === filter)).toBe(true);
		// The query goes to the new messages only, 250 at a time, by their exact times.
		const searched = requestsTo(SEARCH).map(
			(request) => request.body as { q: string; filter: string },
		);
		expect(searched).toHaveLength(Math.ceil(1202 / 250));
		for (const body of searched) {
			expect(body.q).toBe('refund');
			expect(body.filter).toMatch(
				/^\(business_unit_id = bu_imbrace_testing\) AND created_at IN \[/,
			);
		}
	});

	it('emits only the chosen sender and message types', async () => {
		const { poller, add } = await watch({
			options: { senderTypes: ['contact'], messageTypes: ['text'] },
		});
		await poller.poll();
		const [fromContact] = add(1);
		add(1, { from: 'u_imbrace_bot' });
		add(1, { type: 'image' });

		expect(ids((await poller.poll()).emitted)).toEqual([fromContact]);
		expect(await poller.poll()).toEqual({ emitted: null });
	});

	it('gives the node’s simplified messages by default, and the raw ones without Simplify', async () => {
		const simple = await watch();
		await simple.poller.poll();
		const [id] = simple.add(1, { text: 'Hello' });
		const [item] = (await simple.poller.poll()).emitted ?? [];
		expect(item.json).toMatchObject({ id, text: 'Hello', sender_type: 'contact' });
		expect(item.json.content).toBeUndefined();

		const raw = await watch({ simplify: false });
		await raw.poller.poll();
		const [rawId] = raw.add(1, { text: 'Hello' });
		const [rawItem] = (await raw.poller.poll()).emitted ?? [];
		expect(rawItem.json).toMatchObject({ _id: rawId, content: { text: 'Hello', is_mail: false } });
	});

	it('shows the newest matching message on a manual run and leaves the cursor alone', async () => {
		const { poller, add } = await watch({ options: { messageTypes: ['quick_reply'] } });
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
		const spread = JSON.stringify(poller.storedState().cursor).length;
		const at = new Date(Date.now() + 3_600_000).toISOString();
		const tied = add(1500, { at });
		const emitted = await poller.poll();

		expect(spread).toBeLessThan(200);
		expect(ids(emitted.emitted)).toEqual(tied);
		expect(JSON.stringify(poller.storedState().cursor).length).toBeLessThan(200);
		expect(await poller.poll()).toEqual({ emitted: null });
	});

	it('picks up from a cursor of version 0.1 (a time and the IDs at it) without losing a message', async () => {
		const { sandbox } = fixture;
		const { poller: first, add } = await watch();
		await first.poll();
		const { cursor } = first.storedState() as {
			cursor: { key: string; at: string; lastId: string };
		};
		const added = add(3);
		const poller = await createPoller({
			parameters: { scope: 'organization' },
			credentials: fixture.credentials(),
			mode,
			storedState: { cursor: { key: cursor.key, at: cursor.at, ids: [cursor.lastId] } },
		});
		sandbox.clearRequests();

		expect(ids((await poller.poll()).emitted)).toEqual(added);
		expect(await poller.poll()).toEqual({ emitted: null });
	});

	it("uses the credential's organization, and says so when neither has one", async () => {
		const poller = await createPoller({
			parameters: { scope: 'organization' },
			credentials: fixture.credentials({ organizationId: '' }),
			mode,
		});

		const outcome = await poller.poll();

		expect(outcome.error?.message).toBe('The Organization ID is empty here and in the credential');
		expect(fixture.sandbox.requests()).toEqual([]);
	});
});
