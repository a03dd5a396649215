/**
 * What a test of sending at volume needs from the server: the rate limit's token buckets and
 * the jitter's delays. Both are plain state with an injectable clock or seed, so they can be
 * tested without waiting.
 */
import { Random } from './api/data';

export interface RateLimit {
	/** Tokens put back per second, continuously. */
	perSecond: number;
	/** The bucket's size, and how full it starts. */
	burst: number;
}

export interface Jitter {
	minMs: number;
	maxMs: number;
	/** Seeds the delays (mulberry32); default 1. */
	seed?: number;
}

/** Float arithmetic must not turn a whole token into 0.9999999. */
const EPSILON = 1e-9;

/** One token bucket per key (the caller's token), each starting full. */
export class TokenBuckets {
	private readonly buckets = new Map<string, { tokens: number; at: number }>();

	constructor(
		readonly limit: RateLimit,
		/** Milliseconds from any fixed origin; injectable for tests. */
		private readonly now: () => number = () => performance.now(),
	) {}

	/**
	 * Takes a token from the key's bucket. Answers undefined when there was one; otherwise the
	 * whole seconds until one is back (rounded up, at least 1), as a gateway's Retry-After says.
	 */
	take(key: string): number | undefined {
		const { perSecond, burst } = this.limit;
		const now = this.now();
		const bucket = this.buckets.get(key) ?? { tokens: burst, at: now };
		bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
		bucket.at = now;
		this.buckets.set(key, bucket);
		if (bucket.tokens >= 1 - EPSILON) {
			bucket.tokens = Math.max(0, bucket.tokens - 1);
			return undefined;
		}
		return Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond - EPSILON));
	}
}

/** The delays of a jitter, drawn uniformly from [minMs, maxMs] in the order asked for. */
export class JitterDelays {
	private readonly random: Random;

	constructor(readonly jitter: Jitter) {
		this.random = new Random(jitter.seed ?? 1);
	}

	next(): number {
		const { minMs, maxMs } = this.jitter;
		return minMs + this.random.next() * (maxMs - minMs);
	}
}
