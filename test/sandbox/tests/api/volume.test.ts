/** What a test of sending at volume needs: jitter, write-then-fail faults, in-flight, rate limit. */
import { call, waitFor } from '../helpers';
import type { CallOptions, ListEnvelope } from '../helpers';
import { SandboxInputError, startSandbox } from '../../index';
import type { Sandbox } from '../../index';

let sandbox: Sandbox;
const api = <T = unknown>(method: string, path: string, options?: CallOptions) =>
	call<T>(sandbox.url, method, path, options);

beforeAll(async () => {
	sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
afterEach(() => sandbox.reset());

const MESSAGES = '/v1/backend/conversation_messages';
const CONVERSATION = '/v1/backend/conversation';
const CHANNELS = '/v2/backend/channels/_conv_count';
const TOO_MANY = { message: 'Too many requests. Please try again later.' };
const conversationId = () => sandbox.ids.contactConversationId;
const sendText = (text: string, options: CallOptions = {}) =>
	api<{ id: string }>('POST', MESSAGES, {
		token: sandbox.tokens.agent,
		body: { type: 'text', text, conversation_id: conversationId() },
		...options,
	});
/** The conversation's texts, oldest first (the order the sandbox handled the sends in). */
const storedTexts = async () => {
	const listed = await api<ListEnvelope>(
		'GET',
		`${MESSAGES}?conversation_id=${conversationId()}&limit=100`,
		{ token: sandbox.tokens.agent },
	);
	return listed.json.data.map((message) => message.content.text).reverse();
};
const htmlPage = (title: string) =>
	`<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;

describe('jitter', () => {
	// Seed 120 draws 0.945, then 0.010: the first arrival waits ~378 ms, the second ~4 ms.
	const REORDERING = { minMs: 0, maxMs: 400, seed: 120 };

	test('a later request can be handled first; the log keeps arrival order', async () => {
		sandbox.setJitter(REORDERING);
		const answers = await Promise.all([sendText('A'), sendText('B')]);
		expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
		const arrived = sandbox.requests().map((request) => (request.body as { text: string }).text);
		expect([...arrived].sort()).toEqual(['A', 'B']);
		sandbox.setJitter(null);
		expect((await storedTexts()).slice(-2)).toEqual([...arrived].reverse());
	});

	test('faults are taken in arrival order, not in handling order', async () => {
		sandbox.setJitter(REORDERING);
		sandbox.injectFault({ kind: 'status', status: 500, match: { method: 'POST' } });
		await Promise.all([sendText('A'), sendText('B')]);
		const [first, second] = sandbox.requests();
		expect([first.status, second.status]).toEqual([500, 200]);
		sandbox.setJitter(null);
		const texts = await storedTexts();
		expect(texts.slice(-1)).toEqual([(second.body as { text: string }).text]);
		expect(texts).toHaveLength(16);
	});

	test('every API request waits a delay from [minMs, maxMs]', async () => {
		sandbox.setJitter({ minMs: 150, maxMs: 150 });
		const started = performance.now();
		const answer = await api('GET', '/');
		expect(answer.status).toBe(200);
		expect(performance.now() - started).toBeGreaterThanOrEqual(145);
	});

	test('control requests never wait', async () => {
		sandbox.setJitter({ minMs: 60_000, maxMs: 60_000 });
		const info = await api('GET', '/__sandbox/info');
		expect(info.status).toBe(200);
		sandbox.setJitter(null);
		expect((await api('GET', '/')).status).toBe(200);
	});

	test('over HTTP: POST /__sandbox/jitter (null or DELETE: off)', async () => {
		const set = await api('POST', '/__sandbox/jitter', { body: { minMs: 150, maxMs: 150 } });
		expect([set.status, set.text]).toEqual([204, '']);
		const started = performance.now();
		await api('GET', '/');
		expect(performance.now() - started).toBeGreaterThanOrEqual(145);
		const off = await api('POST', '/__sandbox/jitter', { body: null });
		expect(off.status).toBe(204);
		await api('POST', '/__sandbox/jitter', { body: { minMs: 60_000, maxMs: 60_000 } });
		const deleted = await api('DELETE', '/__sandbox/jitter');
		expect(deleted.status).toBe(204);
		expect((await api('GET', '/')).status).toBe(200);
	});

	test.each([
		[{ minMs: 10 }, 'jitter needs minMs and maxMs, milliseconds with minMs <= maxMs'],
		[{ minMs: 20, maxMs: 10 }, 'jitter needs minMs and maxMs, milliseconds with minMs <= maxMs'],
		[{ minMs: -1, maxMs: 10 }, 'jitter needs minMs and maxMs, milliseconds with minMs <= maxMs'],
		[{ minMs: 0, maxMs: '10' }, 'jitter needs minMs and maxMs, milliseconds with minMs <= maxMs'],
		[{ minMs: 0, maxMs: 10, seed: 1.5 }, 'jitter.seed must be an integer'],
		[{ minMs: 0, maxMs: 10, max: 5 }, 'Unknown jitter setting max: use minMs, maxMs, seed'],
		['fast', 'The jitter must be an object'],
	])('setJitter(%j) throws; over HTTP 400', async (jitter, message) => {
		expect(() => sandbox.setJitter(jitter as never)).toThrow(new SandboxInputError(message));
		const answer = await api('POST', '/__sandbox/jitter', { body: jitter });
		expect([answer.status, answer.json]).toEqual([400, { message }]);
	});

	test('a start option; reset goes back to it; close() does not wait for delayed requests', async () => {
		const jittery = await startSandbox({ jitter: { minMs: 60_000, maxMs: 60_000 } });
		const pending = fetch(`${jittery.url}/`).then(
			(response) => response.status,
			() => 'failed',
		);
		await waitFor(() => jittery.inFlight().now === 1);
		jittery.setJitter(null);
		jittery.reset();
		const next = fetch(`${jittery.url}/`).then(
			(response) => response.status,
			() => 'failed',
		);
		await waitFor(() => jittery.inFlight().now === 2);
		await jittery.close();
		expect([await pending, await next]).toEqual(['failed', 'failed']);
	});
});

describe('writeThenFail faults', () => {
	test("then 500: the message is stored, the answer is iMBRACE's 500", async () => {
		sandbox.injectFault({ kind: 'writeThenFail', then: 500 });
		const answer = await sendText('Stored anyway');
		expect([answer.status, answer.headers.get('content-type'), answer.text]).toEqual([
			500,
			'application/json; charset=utf-8',
			'{"message":"Internal Server Error"}',
		]);
		expect((await storedTexts()).slice(-1)).toEqual(['Stored anyway']);
		expect(sandbox.requests()[0].status).toBe(500);
	});

	test.each([
		[502, '502 Bad Gateway'],
		[504, '504 Gateway Timeout'],
	] as const)(
		'then %i: the conversation is created, the answer a gateway page',
		async (then, title) => {
			sandbox.injectFault({ kind: 'writeThenFail', then, match: { path: CONVERSATION } });
			const answer = await api('POST', CONVERSATION, {
				token: sandbox.tokens.agent,
				body: { contact_id: sandbox.ids.contactId },
			});
			expect([answer.status, answer.headers.get('content-type'), answer.text]).toEqual([
				then,
				'text/html; charset=utf-8',
				htmlPage(title),
			]);
			// The contact's current conversation is the new one, with no messages yet.
			const current = await api<ListEnvelope>('GET', MESSAGES, { token: sandbox.tokens.contact });
			expect(current.json.count).toBe(0);
			expect(sandbox.requests()[0].status).toBe(then);
		},
	);

	test('then drop: stored, the connection closes without an answer, recorded with status 0', async () => {
		sandbox.injectFault({ kind: 'writeThenFail', then: 'drop' });
		await expect(sendText('Dropped after writing')).rejects.toThrow('fetch failed');
		expect(sandbox.requests().map((request) => request.status)).toEqual([0]);
		expect((await storedTexts()).slice(-1)).toEqual(['Dropped after writing']);
	});

	test('then stall: stored, no answer until the client gives up; recorded with status 0', async () => {
		sandbox.injectFault({ kind: 'writeThenFail', then: 'stall' });
		const controller = new AbortController();
		const pending = fetch(`${sandbox.url}${MESSAGES}`, {
			method: 'POST',
			headers: { 'x-access-token': sandbox.tokens.agent },
			body: JSON.stringify({ type: 'text', text: 'Stalled', conversation_id: conversationId() }),
			signal: controller.signal,
		}).then(
			() => 'answered',
			(error: Error) => error.name,
		);
		await waitFor(() => sandbox.requests().length === 1);
		expect(sandbox.requests()[0].status).toBe(0);
		expect((await storedTexts()).slice(-1)).toEqual(['Stalled']);
		expect(sandbox.inFlight().now).toBe(1);
		controller.abort();
		expect(await pending).toBe('AbortError');
		await waitFor(() => sandbox.inFlight().now === 0);
	});

	test('close() does not hang on a stalled request', async () => {
		const stalling = await startSandbox();
		stalling.injectFault({ kind: 'writeThenFail', then: 'stall' });
		const pending = fetch(`${stalling.url}/`).then(
			() => 'answered',
			() => 'failed',
		);
		await waitFor(() => stalling.requests().length === 1);
		await stalling.close();
		expect(await pending).toBe('failed');
	});

	test('over HTTP, and validated', async () => {
		const injected = await api('POST', '/__sandbox/faults', {
			body: { kind: 'writeThenFail', then: 504, match: { method: 'POST' } },
		});
		expect(injected.status).toBe(204);
		expect((await sendText('Via HTTP')).status).toBe(504);
		expect((await storedTexts()).slice(-1)).toEqual(['Via HTTP']);
		const bad = await api('POST', '/__sandbox/faults', {
			body: { kind: 'writeThenFail', then: 503 },
		});
		expect([bad.status, bad.json]).toEqual([
			400,
			{ message: 'fault.then must be one of 500, 502, 504, drop, stall' },
		]);
		expect(() => sandbox.injectFault({ kind: 'writeThenFail' } as never)).toThrow(
			new SandboxInputError('fault.then must be one of 500, 502, 504, drop, stall'),
		);
	});
});

describe('in-flight', () => {
	const stall = (count: number) => {
		sandbox.injectFault({ kind: 'writeThenFail', then: 'stall', times: count });
		const controllers = Array.from({ length: count }, () => new AbortController());
		const pending = controllers.map((controller) =>
			fetch(`${sandbox.url}/`, { signal: controller.signal }).catch(() => undefined),
		);
		return {
			abort: async () => {
				for (const controller of controllers) controller.abort();
				await Promise.all(pending);
			},
		};
	};

	test('counts API requests from arrival until the socket closes; max since the last reset', async () => {
		expect(sandbox.inFlight()).toEqual({ now: 0, max: 0 });
		const stalled = stall(3);
		await waitFor(() => sandbox.requests().length === 3);
		expect(sandbox.inFlight()).toEqual({ now: 3, max: 3 });
		await stalled.abort();
		await waitFor(() => sandbox.inFlight().now === 0);
		expect(sandbox.inFlight()).toEqual({ now: 0, max: 3 });
		sandbox.resetInFlight();
		expect(sandbox.inFlight()).toEqual({ now: 0, max: 0 });
	});

	test('requests answered after a wait count while they wait', async () => {
		sandbox.injectFault({ kind: 'delay', ms: 500, times: 4 });
		const answers = Promise.all([1, 2, 3, 4].map(() => api('GET', '/')));
		await waitFor(() => sandbox.inFlight().now === 4);
		expect((await answers).map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
		await waitFor(() => sandbox.inFlight().now === 0);
		expect(sandbox.inFlight()).toEqual({ now: 0, max: 4 });
	});

	test('resetInFlight and reset() bring max back to the requests still in flight', async () => {
		const first = stall(2);
		await waitFor(() => sandbox.requests().length === 2);
		const second = stall(1);
		await waitFor(() => sandbox.inFlight().now === 3);
		await first.abort();
		await waitFor(() => sandbox.inFlight().now === 1);
		sandbox.resetInFlight();
		expect(sandbox.inFlight()).toEqual({ now: 1, max: 1 });
		await second.abort();
		await waitFor(() => sandbox.inFlight().now === 0);
		sandbox.reset();
		expect(sandbox.inFlight()).toEqual({ now: 0, max: 0 });
	});

	test('over HTTP: GET and DELETE /__sandbox/in-flight; control requests do not count', async () => {
		await api('GET', '/');
		const counted = await api('GET', '/__sandbox/in-flight');
		expect([counted.status, counted.json]).toEqual([200, { now: 0, max: 1 }]);
		const cleared = await api('DELETE', '/__sandbox/in-flight');
		expect(cleared.status).toBe(204);
		expect((await api('GET', '/__sandbox/in-flight')).json).toEqual({ now: 0, max: 0 });
	});
});

describe('rate limit', () => {
	test('a bucket per token starts with burst tokens; then 429 with Retry-After', async () => {
		sandbox.setRateLimit({ perSecond: 0.1, burst: 2 });
		const statuses = [];
		for (let index = 0; index < 2; index++) {
			statuses.push((await api('GET', CHANNELS, { token: sandbox.tokens.agent })).status);
		}
		const limited = await api('GET', CHANNELS, { token: sandbox.tokens.agent });
		expect(statuses).toEqual([200, 200]);
		expect([
			limited.status,
			limited.headers.get('retry-after'),
			limited.headers.get('content-type'),
			limited.text,
		]).toEqual([429, '10', 'application/json; charset=utf-8', JSON.stringify(TOO_MANY)]);
		expect(sandbox.requests().map((request) => request.status)).toEqual([200, 200, 429]);
	});

	test('other tokens have their own buckets; requests without one share a bucket', async () => {
		sandbox.setRateLimit({ perSecond: 0.01, burst: 1 });
		const statuses = [
			(await api('GET', CHANNELS, { token: sandbox.tokens.agent })).status,
			(await api('GET', CHANNELS, { token: sandbox.tokens.agent })).status,
			(await api('GET', CHANNELS, { token: sandbox.tokens.secondAgent })).status,
			(await api('GET', CHANNELS, { apiKey: sandbox.tokens.apiKey })).status,
			(await api('GET', CHANNELS, { token: 'acc_unknown' })).status,
			(await api('GET', CHANNELS)).status,
			(await api('GET', '/')).status,
			(await api('GET', CHANNELS, { apiKey: '' })).status,
		];
		expect(statuses).toEqual([200, 429, 200, 200, 401, 401, 429, 429]);
	});

	test('a limited request is not handled: nothing is stored', async () => {
		sandbox.setRateLimit({ perSecond: 0.01, burst: 1 });
		await sendText('One');
		const limited = await sendText('Two');
		expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '100']);
		sandbox.setRateLimit(null);
		const texts = await storedTexts();
		expect([texts.length, texts.at(-1)]).toEqual([16, 'One']);
	});

	test('faults apply first: a faulted request takes no token', async () => {
		sandbox.setRateLimit({ perSecond: 0.01, burst: 1 });
		sandbox.injectFault({ kind: 'status', status: 503, times: 2 });
		const statuses = [];
		for (let index = 0; index < 4; index++) {
			statuses.push((await api('GET', CHANNELS, { token: sandbox.tokens.agent })).status);
		}
		expect(statuses).toEqual([503, 503, 200, 429]);
	});

	test('tokens come back in real time', async () => {
		// 5 per second: one token every 200 ms.
		sandbox.setRateLimit({ perSecond: 5, burst: 1 });
		const first = await api('GET', '/');
		const second = await api('GET', '/');
		await new Promise((resolve) => setTimeout(resolve, 250));
		const third = await api('GET', '/');
		expect([first.status, second.status, second.headers.get('retry-after'), third.status]).toEqual([
			200,
			429,
			'1',
			200,
		]);
	});

	test('control requests are never limited', async () => {
		sandbox.setRateLimit({ perSecond: 0.01, burst: 1 });
		for (let index = 0; index < 3; index++) {
			expect((await api('GET', '/__sandbox/info')).status).toBe(200);
		}
	});

	test('over HTTP: POST /__sandbox/rate-limit (null or DELETE: off)', async () => {
		const set = await api('POST', '/__sandbox/rate-limit', { body: { perSecond: 0.01, burst: 1 } });
		expect([set.status, set.text]).toEqual([204, '']);
		expect([(await api('GET', '/')).status, (await api('GET', '/')).status]).toEqual([200, 429]);
		expect((await api('POST', '/__sandbox/rate-limit', { body: null })).status).toBe(204);
		expect((await api('GET', '/')).status).toBe(200);
		await api('POST', '/__sandbox/rate-limit', { body: { perSecond: 0.01, burst: 1 } });
		expect((await api('DELETE', '/__sandbox/rate-limit')).status).toBe(204);
		expect([(await api('GET', '/')).status, (await api('GET', '/')).status]).toEqual([200, 200]);
	});

	test.each([
		[{ burst: 1 }, 'rateLimit.perSecond must be a number above 0'],
		[{ perSecond: 0, burst: 1 }, 'rateLimit.perSecond must be a number above 0'],
		[{ perSecond: 1 }, 'rateLimit.burst must be an integer of at least 1'],
		[{ perSecond: 1, burst: 0.5 }, 'rateLimit.burst must be an integer of at least 1'],
		[
			{ perSecond: 1, burst: 1, per: 'token' },
			'Unknown rate limit setting per: use perSecond, burst',
		],
		[[1, 1], 'The rate limit must be an object'],
	])('setRateLimit(%j) throws; over HTTP 400', async (limit, message) => {
		expect(() => sandbox.setRateLimit(limit as never)).toThrow(new SandboxInputError(message));
		const answer = await api('POST', '/__sandbox/rate-limit', { body: limit });
		expect([answer.status, answer.json]).toEqual([400, { message }]);
	});

	test('a start option; reset refills the buckets and goes back to it', async () => {
		const limited = await startSandbox({ rateLimit: { perSecond: 0.01, burst: 1 } });
		try {
			const get = async () => (await call(limited.url, 'GET', '/')).status;
			expect([await get(), await get()]).toEqual([200, 429]);
			limited.reset();
			expect([await get(), await get()]).toEqual([200, 429]);
			limited.setRateLimit(null);
			expect(await get()).toBe(200);
			limited.reset();
			expect([await get(), await get()]).toEqual([200, 429]);
		} finally {
			await limited.close();
		}
	});
});
