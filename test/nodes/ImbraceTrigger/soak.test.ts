import type { Fault } from '../../sandbox';
import type { CursorMode } from '../../harness/poller';
import { createPoller } from '../../harness/poller';
import { useSandbox } from '../../harness/sandbox';

const TOTAL = 10_000;

/** mulberry32: a small seeded generator, so that a failing soak can be replayed. */
function seeded(seed: number) {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const FAULTS: Fault[] = [
	{ kind: 'status', status: 500 },
	{ kind: 'html', status: 502 },
	{ kind: 'html', status: 503 },
	{ kind: 'rateLimit', retryAfter: 1 },
	{ kind: 'drop' },
	{ kind: 'malformedJson' },
];

describe.each<[string, 'conversation' | 'organization', CursorMode, number | undefined]>([
	['one conversation, legacy cursors, a poll budget of 0 ms', 'conversation', 'legacy', 0],
	['one conversation, durable cursors', 'conversation', 'durable', undefined],
	['the whole organization, legacy cursors', 'organization', 'legacy', undefined],
	['the whole organization, durable cursors, a poll budget of 0 ms', 'organization', 'durable', 0],
])('iMBRACE Trigger soak: %s', (_name, scope, mode, budgetMs) => {
	const fixture = useSandbox();

	it(`emits exactly ${TOTAL} messages arriving in bursts, with 10% of requests failing`, async () => {
		const { sandbox } = fixture;
		const random = seeded(20261124);
		const conversations = [1, 2, 3].map(() => sandbox.addConversation());
		const poller = await createPoller({
			parameters:
				scope === 'conversation'
					? { scope, conversationId: conversations[0], options: { simplify: true } }
					: { scope, options: { simplify: true } },
			credentials: fixture.credentials(),
			mode,
			budgetMs,
		});
		expect(await poller.poll()).toEqual({ emitted: null });

		const added: string[] = [];
		let lastAt = 0;
		const addBurst = (count: number) => {
			const conversationId =
				scope === 'conversation' ? conversations[0] : conversations[Math.floor(random() * 3)];
			// Four bursts in ten share one millisecond.
			const at =
				random() < 0.4 ? new Date(Math.max(Date.now(), lastAt + 1)).toISOString() : undefined;
			for (const message of sandbox.addMessages({ conversationId, count, at })) {
				added.push(message.id);
				lastAt = Date.parse(message.created_at);
			}
		};

		let failing = true;
		let requests = 0;
		let injected = 0;
		const stop = sandbox.onRequest(() => {
			requests++;
			if (failing && random() < 0.1) {
				sandbox.injectFault(FAULTS[Math.floor(random() * FAULTS.length)]);
				injected++;
			}
			// Some messages arrive while a poll is paging.
			if (added.length < TOTAL && random() < 0.05)
				addBurst(Math.min(TOTAL - added.length, 1 + Math.floor(random() * 5)));
		});

		const emitted: string[] = [];
		let polls = 0;
		let failedPolls = 0;
		const poll = async () => {
			const outcome = await poller.poll();
			polls++;
			if (outcome.error) failedPolls++;
			emitted.push(...(outcome.emitted ?? []).map((item) => String(item.json.id)));
			return outcome;
		};
		while (added.length < TOTAL) {
			addBurst(Math.min(TOTAL - added.length, 1 + Math.floor(random() * 80)));
			await poll();
		}
		failing = false;
		while ((await poll()).emitted !== null);
		stop();

		expect(emitted).toHaveLength(TOTAL);
		expect(new Set(emitted).size).toBe(TOTAL);
		expect(emitted).toEqual(added);
		expect(injected).toBeGreaterThan(requests * 0.05);
		expect(failedPolls).toBeGreaterThan(0);
		expect(polls).toBeLessThan(1000);
		expect(JSON.stringify(poller.storedState()).length).toBeLessThan(8000);
	});
});
