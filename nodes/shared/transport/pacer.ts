import { sleep } from 'n8n-workflow';

/** After this long without a request the gateway's allowance is back to full: start afresh. */
const IDLE_RESET_MS = 60_000;

/**
 * Paces the requests made with one token to one gateway, once iMBRACE has answered 429.
 *
 * The gateway limits a token like a bucket: a burst, then so many requests a second, and it says
 * "Retry-After" in whole seconds, which is coarse: waiting it out after every refusal halves the
 * rate. So the pacer estimates the allowed rate and keeps below it. A bucket that starts full with
 * B requests empties in T = B / (p - r) seconds at a pace p above the allowed rate r; the first
 * refusal shows B (the burst let through), each later one gives r = p - B / T. Between refusals
 * the pace creeps up, faster the longer it goes unrefused, in case the allowance grew.
 */
export class Pacer {
	/** Requests per second; Infinity until the first 429. */
	private rate = Infinity;
	private burst = 0;
	private nextStart = 0;
	private pausedUntil = 0;
	private phaseStart = 0;
	private phaseSuccesses = 0;
	private successes = 0;
	private lastActivity = 0;

	/** Waits until the next request may start, and takes that start. */
	async ready(): Promise<void> {
		const now = Date.now();
		if (now - this.lastActivity > IDLE_RESET_MS && now > this.pausedUntil) this.reset();
		this.lastActivity = now;
		const start = Math.max(now, this.nextStart, this.pausedUntil);
		this.nextStart = start + (Number.isFinite(this.rate) ? 1000 / this.rate : 0);
		if (start > now) await sleep(start - now);
	}

	succeeded(): void {
		const now = Date.now();
		this.successes++;
		this.phaseSuccesses++;
		if (Number.isFinite(this.rate)) {
			const unrefusedSeconds = Math.max(0, now - this.phaseStart) / 1000;
			const elapsedSeconds = Math.max(0, now - this.lastActivity) / 1000;
			this.rate *= 1 + (0.005 + 0.005 * unrefusedSeconds) * elapsedSeconds;
		}
		this.lastActivity = now;
	}

	/** iMBRACE answered 429: nobody sends before `retryAfterMs` is over, then at the estimated rate. */
	rateLimited(retryAfterMs: number): void {
		const now = Date.now();
		const retryAfterSeconds = Math.max(retryAfterMs, 1) / 1000;
		if (!Number.isFinite(this.rate)) {
			this.burst = Math.max(1, this.successes);
			this.rate = (2 * this.burst) / retryAfterSeconds;
		} else {
			const seconds = Math.max((now - this.phaseStart) / 1000, 0.001);
			const estimate = this.rate - this.burst / seconds;
			// What got through in this phase, beyond the burst, is allowed for sure.
			const proven = (this.phaseSuccesses - this.burst) / seconds;
			this.rate = Math.max(0.97 * estimate, proven, this.rate / 4, 0.2);
		}
		this.pausedUntil = Math.max(this.pausedUntil, now + retryAfterMs);
		this.nextStart = this.pausedUntil;
		this.phaseStart = this.pausedUntil;
		this.phaseSuccesses = 0;
		this.lastActivity = now;
	}

	private reset(): void {
		this.rate = Infinity;
		this.successes = 0;
		this.phaseSuccesses = 0;
	}
}
