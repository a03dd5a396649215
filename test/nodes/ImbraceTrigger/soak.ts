import type { CredentialData } from '../../harness/engine';
import type { CursorMode, PollOutcome } from '../../harness/poller';
import { createPoller } from '../../harness/poller';
import type { Fault, Sandbox } from '../../sandbox';
import { Random } from '../../sandbox/api/data';

/**
 * The trigger soak: 10,000 messages arriving in random bursts, many sharing one millisecond, some
 * while a poll is paging, while 10% of requests fail; among them, about one in ten is sent with
 * the trigger's own credential, which must never start the workflow. Every message gets an explicit time from a
 * clock of the soak's own (not the wall clock), so that its figures are the same on every run
 * (test/reliability publishes them).
 */

export const SOAK_MESSAGES = 10_000;
const SEED = 20261124;
/** The soak's own clock starts well after the seed's newest message. */
const CLOCK_START_MS = Date.parse('2030-01-01T00:00:00.000Z');

export type SoakScope = 'conversation' | 'organization';

export interface SoakOptions {
	scope: SoakScope;
	mode?: CursorMode;
	/** What n8n's getPollBudgetMs() answers; 0 makes every poll stop after one page. */
	budgetMs?: number;
	/** Sees every poll's outcome (the reliability suite scans them for the token). */
	onPoll?(label: string, outcome: PollOutcome): void;
	/** The organization trigger's Query; every soak message ("Message <n>") matches "message". */
	query?: string;
}

export interface SoakFigures {
	added: number;
	emitted: number;
	/** Messages sent as the credential's own user, and how many of them were emitted. */
	ownAdded: number;
	ownEmitted: number;
	lost: number;
	duplicated: number;
	inOrder: boolean;
	/** Bursts whose messages all share one millisecond, and the largest of them. */
	sharedBursts: number;
	largestSharedBurst: number;
	polls: number;
	failedPolls: number;
	requests: number;
	injectedFaults: number;
	/** The size of the trigger's stored state (its cursor) at the end, in bytes of JSON. */
	stateBytes: number;
}

export const SOAK_FAULTS: Fault[] = [
	{ kind: 'status', status: 500 },
	{ kind: 'html', status: 502 },
	{ kind: 'html', status: 503 },
	{ kind: 'rateLimit', retryAfter: 1 },
	{ kind: 'drop' },
	{ kind: 'malformedJson' },
];

export async function runSoak(
	sandbox: Sandbox,
	credentials: CredentialData,
	{ scope, mode, budgetMs, onPoll, query }: SoakOptions,
): Promise<SoakFigures> {
	const seeded = new Random(SEED);
	const random = () => seeded.next();
	const conversations = [1, 2, 3].map(() => sandbox.addConversation());
	const poller = await createPoller({
		parameters:
			scope === 'conversation'
				? { scope, conversationId: conversations[0] }
				: { scope, ...(query ? { query } : {}) },
		credentials,
		mode,
		budgetMs,
	});
	const first = await poller.poll();
	if (first.emitted !== null || first.error) throw new Error('Activation emitted or failed');
	const ownUser = String((poller.storedState().identity as { id?: string } | undefined)?.id);

	const added: string[] = [];
	const ownAdded = new Set<string>();
	let clock = CLOCK_START_MS;
	let sharedBursts = 0;
	let largestSharedBurst = 0;
	const addBurst = (count: number) => {
		const conversationId =
			scope === 'conversation' ? conversations[0] : conversations[Math.floor(random() * 3)];
		// Four bursts in ten share one millisecond.
		const shared = random() < 0.4;
		if (shared && count > 1) {
			sharedBursts++;
			largestSharedBurst = Math.max(largestSharedBurst, count);
		}
		const messages = Array.from({ length: count }, (_, index) => ({
			at: new Date(shared ? clock : clock + index).toISOString(),
			...(random() < 0.1 ? { from: ownUser } : {}),
		}));
		clock += shared ? 1 : count;
		for (const message of sandbox.addMessages({ conversationId, messages })) {
			if (message.from === ownUser) ownAdded.add(message.id);
			else added.push(message.id);
		}
	};

	let failing = true;
	let requests = 0;
	let injectedFaults = 0;
	const stop = sandbox.onRequest(() => {
		requests++;
		if (failing && random() < 0.1) {
			sandbox.injectFault(SOAK_FAULTS[Math.floor(random() * SOAK_FAULTS.length)]);
			injectedFaults++;
		}
		// Some messages arrive while a poll is paging.
		if (added.length < SOAK_MESSAGES && random() < 0.05)
			addBurst(Math.min(SOAK_MESSAGES - added.length, 1 + Math.floor(random() * 5)));
	});

	const emitted: string[] = [];
	let polls = 0;
	let failedPolls = 0;
	const poll = async () => {
		const outcome = await poller.poll();
		polls++;
		if (outcome.error) failedPolls++;
		onPoll?.(`soak (${scope}): poll ${polls}`, outcome);
		emitted.push(...(outcome.emitted ?? []).map((item) => String(item.json.id)));
		return outcome;
	};
	try {
		while (added.length < SOAK_MESSAGES) {
			addBurst(Math.min(SOAK_MESSAGES - added.length, 1 + Math.floor(random() * 80)));
			await poll();
		}
		failing = false;
		while ((await poll()).emitted !== null);
	} finally {
		stop();
	}

	const ownEmitted = emitted.filter((id) => ownAdded.has(id)).length;
	const emittedSet = new Set(emitted.filter((id) => !ownAdded.has(id)));
	return {
		added: added.length,
		emitted: emitted.length,
		ownAdded: ownAdded.size,
		ownEmitted,
		lost: added.filter((id) => !emittedSet.has(id)).length,
		duplicated: emitted.length - emittedSet.size,
		inOrder: JSON.stringify(emitted) === JSON.stringify(added),
		sharedBursts,
		largestSharedBurst,
		polls,
		failedPolls,
		requests,
		injectedFaults,
		stateBytes: JSON.stringify(poller.storedState()).length,
	};
}
