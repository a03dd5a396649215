import type { CursorMode } from '../../harness/poller';
import { useSandbox } from '../../harness/sandbox';
import type { SoakScope } from './soak';
import { SOAK_MESSAGES, runSoak } from './soak';

describe.each<[string, SoakScope, CursorMode, number | undefined]>([
	['one conversation, legacy cursors, a poll budget of 0 ms', 'conversation', 'legacy', 0],
	['one conversation, durable cursors', 'conversation', 'durable', undefined],
	['the whole organization, legacy cursors', 'organization', 'legacy', undefined],
	['the whole organization, durable cursors, a poll budget of 0 ms', 'organization', 'durable', 0],
])('iMBRACE Trigger soak: %s', (_name, scope, mode, budgetMs) => {
	const fixture = useSandbox();

	it(`emits exactly ${SOAK_MESSAGES} messages arriving in bursts, with 10% of requests failing`, async () => {
		const figures = await runSoak(fixture.sandbox, fixture.credentials(), {
			scope,
			mode,
			budgetMs,
		});

		expect(figures).toMatchObject({
			added: SOAK_MESSAGES,
			emitted: SOAK_MESSAGES,
			lost: 0,
			duplicated: 0,
			inOrder: true,
		});
		expect(figures.sharedBursts).toBeGreaterThan(50);
		expect(figures.injectedFaults).toBeGreaterThan(figures.requests * 0.05);
		expect(figures.failedPolls).toBeGreaterThan(0);
		expect(figures.polls).toBeLessThan(1000);
		expect(figures.stateBytes).toBeLessThan(8000);
	});
});
