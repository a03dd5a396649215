/** The rate limit's token buckets and the jitter's delays, on a fake clock: no waiting. */
import { JitterDelays, TokenBuckets } from '../traffic';

function clock(start = 1000) {
	let now = start;
	return {
		now: () => now,
		advance: (ms: number) => {
			now += ms;
		},
	};
}

describe('TokenBuckets', () => {
	test('a bucket starts full: burst requests pass, the next waits', () => {
		const time = clock();
		const buckets = new TokenBuckets({ perSecond: 1, burst: 3 }, time.now);
		expect([buckets.take('a'), buckets.take('a'), buckets.take('a'), buckets.take('a')]).toEqual([
			undefined,
			undefined,
			undefined,
			1,
		]);
	});

	test('tokens come back at perSecond, continuously', () => {
		const time = clock();
		const buckets = new TokenBuckets({ perSecond: 2, burst: 1 }, time.now);
		expect(buckets.take('a')).toBeUndefined();
		time.advance(499);
		expect(buckets.take('a')).toBe(1);
		time.advance(1);
		expect(buckets.take('a')).toBeUndefined();
		expect(buckets.take('a')).toBe(1);
	});

	test('a refused request takes nothing: the wait does not grow', () => {
		const time = clock();
		const buckets = new TokenBuckets({ perSecond: 0.1, burst: 1 }, time.now);
		buckets.take('a');
		expect([buckets.take('a'), buckets.take('a'), buckets.take('a')]).toEqual([10, 10, 10]);
		time.advance(10_000);
		expect(buckets.take('a')).toBeUndefined();
	});

	test('a bucket never holds more than burst', () => {
		const time = clock();
		const buckets = new TokenBuckets({ perSecond: 100, burst: 2 }, time.now);
		time.advance(3_600_000);
		expect([buckets.take('a'), buckets.take('a'), buckets.take('a')]).toEqual([
			undefined,
			undefined,
			1,
		]);
	});

	test.each([
		[10, 0, 1],
		[0.5, 0, 2],
		[0.3, 0, 4],
		[0.25, 2000, 2],
		[0.01, 0, 100],
		[0.01, 99_001, 1],
	])(
		'Retry-After at %f per second, %i ms after the bucket emptied: %i s (whole, rounded up, at least 1)',
		(perSecond, waited, expected) => {
			const time = clock();
			const buckets = new TokenBuckets({ perSecond, burst: 1 }, time.now);
			buckets.take('a');
			time.advance(waited);
			expect(buckets.take('a')).toBe(expected);
		},
	);

	test('thirds of a token add up to a whole one', () => {
		const time = clock();
		const buckets = new TokenBuckets({ perSecond: 3, burst: 1 }, time.now);
		buckets.take('a');
		for (let third = 0; third < 3; third++) {
			time.advance(1000 / 9);
			buckets.take('b');
		}
		expect(buckets.take('a')).toBeUndefined();
	});

	test('each key has its own bucket', () => {
		const time = clock();
		const buckets = new TokenBuckets({ perSecond: 1, burst: 1 }, time.now);
		expect([buckets.take('a'), buckets.take('b'), buckets.take(''), buckets.take('a')]).toEqual([
			undefined,
			undefined,
			undefined,
			1,
		]);
	});
});

describe('JitterDelays', () => {
	const draw = (delays: JitterDelays, count: number) =>
		Array.from({ length: count }, () => delays.next());

	test('uniform in [minMs, maxMs], the same sequence for the same seed', () => {
		const first = draw(new JitterDelays({ minMs: 10, maxMs: 30, seed: 7 }), 1000);
		expect(draw(new JitterDelays({ minMs: 10, maxMs: 30, seed: 7 }), 1000)).toEqual(first);
		expect(Math.min(...first)).toBeGreaterThanOrEqual(10);
		expect(Math.max(...first)).toBeLessThan(30);
		expect(first.filter((delay) => delay < 20).length).toBeGreaterThan(400);
		expect(first.filter((delay) => delay >= 20).length).toBeGreaterThan(400);
	});

	test('the default seed is 1; another seed, other delays', () => {
		const unseeded = draw(new JitterDelays({ minMs: 0, maxMs: 100 }), 3);
		expect(unseeded).toEqual(draw(new JitterDelays({ minMs: 0, maxMs: 100, seed: 1 }), 3));
		expect(unseeded).toEqual([62.707394058816135, 0.2735721180215478, 52.74470399599522]);
		expect(draw(new JitterDelays({ minMs: 0, maxMs: 100, seed: 2 }), 3)).not.toEqual(unseeded);
	});

	test('minMs = maxMs: a fixed delay', () => {
		expect(draw(new JitterDelays({ minMs: 25, maxMs: 25 }), 3)).toEqual([25, 25, 25]);
	});
});
