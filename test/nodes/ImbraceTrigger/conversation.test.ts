import type { INodeExecutionData } from 'n8n-workflow';

import type { CursorMode } from '../../harness/poller';
import { createPoller } from '../../harness/poller';
import { byId, useSandbox } from '../../harness/sandbox';

const LIST = '/channel-service/v1/conversation_messages';

const ids = (items: INodeExecutionData[] | null) => (items ?? []).map((item) => item.json.id);

describe.each<CursorMode>(['legacy', 'durable'])(
	'iMBRACE Trigger, one conversation (%s cursors)',
	(mode) => {
		const fixture = useSandbox();

		async function watch(
			options: { budgetMs?: number; options?: Record<string, unknown>; messages?: number } = {},
		) {
			const { sandbox } = fixture;
			const conversationId = sandbox.addConversation({ messages: options.messages ?? 3 });
			const poller = await createPoller({
				parameters: {
					scope: 'conversation',
					conversationId: byId(conversationId),
					options: { simplify: true, ...options.options },
				},
				credentials: fixture.credentials(),
				mode,
				budgetMs: options.budgetMs,
			});
			sandbox.clearRequests();
			const add = (count: number, extra: Record<string, unknown> = {}) =>
				sandbox.addMessages({ conversationId, count, ...extra }).map((message) => message.id);
			return { conversationId, poller, add };
		}

		function listRequests() {
			return fixture.sandbox.requests().filter((request) => request.path === LIST);
		}

		/** After the `after`-th list request from now, runs `action` (between two page requests). */
		function afterRequest(after: number, action: () => void) {
			let seen = 0;
			const stop = fixture.sandbox.onRequest((request) => {
				if (request.path === LIST && ++seen === after) action();
			});
			return stop;
		}

		it('remembers where the conversation stands on the first poll, in one request, and emits nothing', async () => {
			const { poller, conversationId } = await watch();

			expect(await poller.poll()).toEqual({ emitted: null });
			expect(listRequests().map((request) => request.query)).toEqual([
				{ conversation_id: conversationId, limit: '1', skip: '0' },
			]);
			expect(poller.storedState().cursor).toMatchObject({ position: 3, length: 3 });
		});

		it('emits every message created since, once, oldest first', async () => {
			const { poller, add } = await watch();
			await poller.poll();

			const first = add(4);
			const second = await poller.poll();
			const more = add(2);
			const third = await poller.poll();

			expect(ids(second.emitted)).toEqual(first);
			expect(ids(third.emitted)).toEqual(more);
			expect(second.emitted?.[0].json).toMatchObject({
				type: 'text',
				sender_type: 'contact',
				text: 'Message 1',
			});
		});

		it('makes exactly one request and returns nothing when nothing is new', async () => {
			const { poller } = await watch();
			await poller.poll();
			fixture.sandbox.clearRequests();

			expect(await poller.poll()).toEqual({ emitted: null });
			expect(listRequests()).toHaveLength(1);
		});

		it('emits 50 messages of one millisecond, arriving across two polls, each once', async () => {
			const { poller, add } = await watch();
			await poller.poll();
			const at = new Date(Date.now() + 1000).toISOString();

			const first = add(20, { at });
			const one = await poller.poll();
			const second = add(30, { at });
			const two = await poller.poll();

			expect(ids(one.emitted)).toEqual(first);
			expect(ids(two.emitted)).toEqual(second);
			expect(new Set([...first, ...second]).size).toBe(50);
			expect((await poller.poll()).emitted).toBeNull();
		});

		it('loses nothing that arrives while a poll pages through a backlog', async () => {
			const { poller, add } = await watch();
			await poller.poll();
			const backlog = add(250);
			const arrivals: string[] = [];
			const stop = afterRequest(1, () => arrivals.push(...add(5)));
			const stopLater = afterRequest(2, () => arrivals.push(...add(5)));

			const one = await poller.poll();
			stop();
			stopLater();
			const two = await poller.poll();

			expect([...ids(one.emitted), ...ids(two.emitted)]).toEqual([...backlog, ...arrivals]);
			expect(arrivals).toHaveLength(10);
			expect((await poller.poll()).emitted).toBeNull();
		});

		it.each([
			['a 500', { kind: 'status' as const, status: 500 }, 'Internal Server Error (HTTP 500)'],
			['a dropped connection', { kind: 'drop' as const }, /closed before iMBRACE answered$/],
		])(
			'fails a poll on %s half-way and emits all of it on the next poll',
			async (_name, fault, message) => {
				const { poller, add } = await watch();
				await poller.poll();
				const backlog = add(250);
				const before = poller.storedState();
				fixture.sandbox.clearRequests();
				const stop = afterRequest(2, () =>
					fixture.sandbox.injectFault({ ...fault, match: { path: LIST } }),
				);

				const failed = await poller.poll();
				stop();

				expect(failed.emitted).toBeNull();
				expect(failed.error?.message).toMatch(message);
				expect(listRequests().map((request) => request.status)).toEqual([
					200,
					200,
					fault.kind === 'drop' ? 0 : 500,
				]);
				expect(poller.storedState()).toEqual(before);
				const next = await poller.poll();
				expect(ids(next.emitted)).toEqual(backlog);
			},
		);

		it('reports a 429 as rate limited, with the delay iMBRACE asked for', async () => {
			const { poller, add } = await watch();
			await poller.poll();
			const added = add(2);
			fixture.sandbox.injectFault({ kind: 'rateLimit', retryAfter: 7, match: { path: LIST } });

			const limited = await poller.poll();
			const next = await poller.poll();

			expect(limited.emitted).toBeNull();
			expect(limited.error?.message).toBe('Too many requests. Please try again later. (HTTP 429)');
			expect(limited.error?.failure).toEqual({ cause: 'rate-limited', retryAfterMs: 7000 });
			expect(limited.error?.httpCode).toBe('429');
			expect(ids(next.emitted)).toEqual(added);
		});

		it('drains a backlog larger than one poll’s budget over several polls, oldest first', async () => {
			const { poller, add } = await watch({ budgetMs: 0 });
			await poller.poll();
			const backlog = add(350);
			fixture.sandbox.clearRequests();

			const polls = [];
			for (let poll = 0; poll < 5; poll++) {
				const before = listRequests().length;
				polls.push({
					emitted: ids((await poller.poll()).emitted),
					requests: listRequests().length - before,
				});
			}

			expect(polls.map((poll) => [poll.emitted.length, poll.requests])).toEqual([
				[99, 2],
				[99, 1],
				[99, 1],
				[53, 1],
				[0, 1],
			]);
			expect(polls.flatMap((poll) => poll.emitted)).toEqual(backlog);
		});

		it('emits only the chosen message and sender types, and does not come back to the others', async () => {
			const { sandbox } = fixture;
			const { poller, add } = await watch({
				options: { messageTypes: ['image', 'text'], senderTypes: ['agent'] },
			});
			await poller.poll();
			add(2);
			const [agentText] = add(1, { from: sandbox.ids.secondAgentUserId });
			add(1, { from: sandbox.ids.secondAgentUserId, type: 'pdf' });
			const [agentImage] = add(1, { from: sandbox.ids.secondAgentUserId, type: 'image' });
			add(1, { from: 'u_imbrace_bot' });

			const filtered = await poller.poll();

			expect(ids(filtered.emitted)).toEqual([agentText, agentImage]);
			expect(filtered.emitted?.map((item) => item.json.sender_type)).toEqual(['agent', 'agent']);
			expect(await poller.poll()).toEqual({ emitted: null });
		});

		it('shows the newest matching message on a manual run and leaves the cursor alone', async () => {
			const { sandbox } = fixture;
			const { poller, add } = await watch({ options: { senderTypes: ['agent'] } });
			await poller.poll();
			const [newestAgent] = add(1, { from: sandbox.ids.secondAgentUserId });
			add(2);
			const before = poller.storedState();

			const shown = await poller.manualRun();

			expect(shown.map((item) => item.json.id)).toEqual([newestAgent]);
			expect(poller.storedState()).toEqual(before);
			expect(ids((await poller.poll()).emitted)).toEqual([newestAgent]);
		});

		it('starts afresh when it is set to watch another conversation', async () => {
			const { sandbox } = fixture;
			const watched = await watch();
			await watched.poller.poll();
			watched.add(3);
			const other = sandbox.addConversation({ messages: 5 });
			const moved = await createPoller({
				parameters: { scope: 'conversation', conversationId: other, options: {} },
				credentials: fixture.credentials(),
				mode,
				storedState: watched.poller.storedState(),
			});

			expect(await moved.poll()).toEqual({ emitted: null });
			const [next] = sandbox.addMessages({ conversationId: other });
			expect(ids((await moved.poll()).emitted)).toEqual([next.id]);
		});

		it('reads from the newest message down when positions no longer add up', async () => {
			const { poller, add } = await watch();
			await poller.poll();
			// A message stamped before the ones already handled lands below them in the list.
			add(1, { at: '2025-01-01T00:00:00.000Z' });
			const newer = add(3);

			expect(ids((await poller.poll()).emitted)).toEqual(newer);
			expect(await poller.poll()).toEqual({ emitted: null });
		});

		it('keeps its cursor small whatever the volume', async () => {
			const { poller, add } = await watch();
			await poller.poll();
			const spread = add(5000);
			const first = await poller.poll();
			// Later than every message so far: adding 5,000 "now" ran the clock ahead.
			const tied = add(3000, { at: new Date(Date.now() + 3_600_000).toISOString() });
			const second = await poller.poll();

			expect(ids(first.emitted)).toEqual(spread);
			expect(ids(second.emitted)).toEqual(tied);
			expect(JSON.stringify(poller.storedState().cursor).length).toBeLessThan(200);
			expect(poller.storedState().cursor).toMatchObject({ position: 8003, length: 8003 });
		});

		it('refuses an empty Conversation ID before any request', async () => {
			const poller = await createPoller({
				parameters: { scope: 'conversation', conversationId: '={{ "" }}' },
				credentials: fixture.credentials(),
				mode,
			});

			const outcome = await poller.poll();

			expect(outcome.error?.message).toBe('The Conversation ID is empty');
			expect(fixture.sandbox.requests()).toEqual([]);
		});
	},
);
