import type { CursorMode } from '../../harness/poller';
import { useSandbox } from '../../harness/sandbox';
import type { MeiliGeneration } from '../../sandbox';
import type { SoakScope } from './soak';
import { SOAK_MESSAGES, runSoak } from './soak';

type Soak = [string, SoakScope, CursorMode, number | undefined, MeiliGeneration, string?];

describe.each<Soak>([
	['one conversation, legacy cursors, a poll budget of 0 ms', 'conversation', 'legacy', 0, '1.15'],
	['one conversation, durable cursors', 'conversation', 'durable', undefined, '1.15'],
	['the whole organization, legacy cursors', 'organization', 'legacy', undefined, '1.15'],
	[
		'the whole organization, durable cursors, a poll budget of 0 ms',
		'organization',
		'durable',
		0,
		'1.15',
	],
	[
		'the whole organization on Meilisearch 1.14, legacy cursors, with a query',
		'organization',
		'legacy',
		undefined,
		'1.14',
		'message',
	],
	[
		'the whole organization on Meilisearch 1.14, durable cursors, a poll budget of 0 ms',
		'organization',
		'durable',
		0,
		'1.14',
	],
])('iMBRACE Trigger soak: %s', (_name, scope, mode, budgetMs, meili, query) => {
	const fixture = useSandbox({ meili });

	it(`emits exactly ${SOAK_MESSAGES} messages arriving in bursts, none of its own, with 10% of requests failing`, async () => {
		const figures = await runSoak(fixture.sandbox, fixture.credentials(), {
			scope,
			mode,
			budgetMs,
			query,
		});

		expect(figures).toMatchObject({
			added: SOAK_MESSAGES,
			emitted: SOAK_MESSAGES,
			ownEmitted: 0,
			lost: 0,
			duplicated: 0,
			inOrder: true,
		});
		expect(figures.ownAdded).toBeGreaterThan(SOAK_MESSAGES * 0.05);
		expect(figures.sharedBursts).toBeGreaterThan(50);
		expect(figures.injectedFaults).toBeGreaterThan(figures.requests * 0.05);
		expect(figures.failedPolls).toBeGreaterThan(0);
		expect(figures.polls).toBeLessThan(1000);
		expect(figures.stateBytes).toBeLessThan(8000);
	});
});
