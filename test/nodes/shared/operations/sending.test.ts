import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { TestCredentialsHelper } from '../../../harness/credentials-helper';
import type { NodeRunOptions } from '../../../harness/engine';
import { runNode } from '../../../harness/engine';
import {
	SEND_ITEM_TEXT,
	storedTexts as stored,
	textItems,
	useSandbox,
} from '../../../harness/sandbox';
import type { Fault, Sandbox } from '../../../sandbox';

/**
 * Sending at volume (node-contract.md): writes to one conversation in item order, at most four
 * requests in flight, the gateway's pace, and every write delivered once, through n8n's engine.
 */

const MESSAGES = '/channel-service/v1/conversation_messages';
const CONVERSATIONS = '/channel-service/v1/conversations';

type Fixture = ReturnType<typeof useSandbox>;

const send = (fixture: Fixture, items: INodeExecutionData[], extra: Partial<NodeRunOptions> = {}) =>
	runNode({
		parameters: SEND_ITEM_TEXT,
		items,
		credentials: fixture.credentials(),
		...extra,
	});

/** The texts a conversation holds, oldest first, as the gateway stored them. */
const storedTexts = (sandbox: Sandbox, conversationId: string) =>
	stored(sandbox, conversationId, MESSAGES);

const POSTS = (sandbox: Sandbox) =>
	sandbox.requests().filter((request) => request.method === 'POST' && request.path === MESSAGES);

describe('sending at volume', () => {
	const fixture = useSandbox();

	it.each([1, 2, 3, 4, 5])(
		'keeps the item order of 50 sends to one conversation under 0–40 ms of jitter (seed %i)',
		async (seed) => {
			const { sandbox } = fixture;
			const conversation = sandbox.addConversation();
			sandbox.setJitter({ minMs: 0, maxMs: 40, seed });

			const run = await send(fixture, textItems(50, [conversation]));

			expect(run.error).toBeUndefined();
			expect(run.output.map((item) => item.json.content)).toEqual(
				textItems(50, [conversation]).map((item) => ({ text: item.json.text, is_mail: false })),
			);
			expect(run.output.map((item) => item.pairedItem)).toEqual(
				Array.from({ length: 50 }, (_, item) => ({ item })),
			);
			// One at a time: each after the answer to the one before.
			expect(sandbox.inFlight().max).toBe(1);
			expect(await storedTexts(sandbox, conversation)).toEqual(
				textItems(50, [conversation]).map((item) => item.json.text),
			);
		},
	);

	it('sends 200 items over 20 conversations with never more than 4 in flight, each conversation in order', async () => {
		const { sandbox } = fixture;
		const conversations = Array.from({ length: 20 }, () => sandbox.addConversation());
		sandbox.setJitter({ minMs: 0, maxMs: 20, seed: 7 });
		const items = textItems(200, conversations);

		const run = await send(fixture, items);

		expect(run.error).toBeUndefined();
		expect(run.output).toHaveLength(200);
		expect(sandbox.inFlight().max).toBe(4);
		expect(POSTS(sandbox)).toHaveLength(200);
		for (const conversation of conversations) {
			expect(await storedTexts(sandbox, conversation)).toEqual(
				items
					.filter((item) => item.json.conversation === conversation)
					.map((item) => item.json.text),
			);
		}
	});

	it('reads the credential once for a run, not again for each request', async () => {
		const { sandbox } = fixture;
		const conversation = sandbox.addConversation();
		const reads = jest.spyOn(TestCredentialsHelper.prototype, 'getDecrypted');
		try {
			const run = await send(fixture, textItems(20, [conversation]));

			expect(run.error).toBeUndefined();
			expect(POSTS(sandbox)).toHaveLength(20);
			// RoutingNode reads it once for the run's expressions, the node once for its requests.
			expect(reads.mock.calls.length).toBeLessThanOrEqual(2);
		} finally {
			reads.mockRestore();
		}
	});

	it.each<[string, INodeParameters]>([
		[
			'Get View Counts',
			{
				resource: 'conversation',
				operation: 'getViewCounts',
				businessUnitId: 'bu_imbrace_testing',
			},
		],
		['Get Channel Counts', { resource: 'conversation', operation: 'getChannelCounts' }],
		[
			'Get Team Channel Counts',
			{
				resource: 'conversation',
				operation: 'getTeamChannelCounts',
				teamId: 't_imbrace_default_team',
			},
		],
		[
			'Get Many',
			{
				resource: 'message',
				operation: 'getMany',
				conversationId: 'conv_9308aa1f-bd40-4c24-aea6-114d9298a756',
				limit: 1,
			},
		],
		['Search', { resource: 'message', operation: 'search', limit: 1 }],
		[
			'Fetch by Filter',
			{ resource: 'message', operation: 'fetch', filter: 'type = text', limit: 1 },
		],
	])('keeps %s to 4 requests in flight for 12 items', async (_name, parameters) => {
		const { sandbox } = fixture;
		sandbox.setJitter({ minMs: 5, maxMs: 25, seed: 3 });

		const run = await runNode({
			parameters,
			items: Array.from({ length: 12 }, () => ({ json: {} })),
			credentials: fixture.credentials(),
		});

		expect(run.error).toBeUndefined();
		expect(run.output).toHaveLength(12);
		expect(sandbox.requests()).toHaveLength(12);
		expect(sandbox.inFlight().max).toBe(4);
	});

	it.each<[string, Fault]>([
		[
			'429s',
			{ kind: 'rateLimit', retryAfter: 1, match: { method: 'POST', path: MESSAGES }, times: 2 },
		],
		['503s', { kind: 'html', status: 503, match: { method: 'POST', path: MESSAGES }, times: 3 }],
		[
			'refusals before the message is stored',
			{ kind: 'status', status: 503, match: { method: 'POST', path: MESSAGES }, times: 2 },
		],
	])('delivers every message once, in order, through %s', async (_name, fault) => {
		const { sandbox } = fixture;
		const conversation = sandbox.addConversation();
		sandbox.onRequest((request) => {
			// Faults land on the 3rd and the 7th send.
			if (
				request.method === 'POST' &&
				(POSTS(sandbox).length === 2 || POSTS(sandbox).length === 7)
			) {
				sandbox.injectFault({ ...fault, times: 1 });
			}
		});
		const items = textItems(10, [conversation]);

		const run = await send(fixture, items);

		expect(run.error).toBeUndefined();
		expect(run.output).toHaveLength(10);
		expect(await storedTexts(sandbox, conversation)).toEqual(items.map((item) => item.json.text));
	});

	it.each<[string, 500 | 502 | 504 | 'drop' | 'stall']>([
		['a 500', 500],
		['a 502', 502],
		['a 504', 504],
		['a dropped connection', 'drop'],
		['a stalled answer (the Timeout)', 'stall'],
	])(
		'takes a send whose answer was lost to %s as sent when the conversation shows it, and never sends it twice',
		async (_name, then) => {
			const { sandbox } = fixture;
			const conversation = sandbox.addConversation();
			let posts = 0;
			sandbox.onRequest((request) => {
				if (request.method === 'POST' && request.path === MESSAGES && ++posts === 3) {
					sandbox.injectFault({
						kind: 'writeThenFail',
						then,
						match: { method: 'POST', path: MESSAGES },
					});
				}
			});
			const items = textItems(6, [conversation]);

			const run = await send(fixture, items, {
				parameters: { ...SEND_ITEM_TEXT, requestOptions: { timeout: 1000 } },
			});

			expect(run.error).toBeUndefined();
			expect(await storedTexts(sandbox, conversation)).toEqual(items.map((item) => item.json.text));
			// The 4th item's output is the message as the conversation lists it.
			expect(run.output[3].json).toMatchObject({
				conversation_id: conversation,
				type: 'text',
				content: { text: 'Message 3', is_mail: false },
			});
			expect(run.output.map((item) => item.pairedItem)).toEqual(
				Array.from({ length: 6 }, (_, item) => ({ item })),
			);
		},
	);

	it('sends again a message whose answer was lost before iMBRACE stored it, once', async () => {
		const { sandbox } = fixture;
		const conversation = sandbox.addConversation();
		// A 502 page from the load balancer: the service never saw the request.
		sandbox.injectFault({ kind: 'html', status: 502, match: { method: 'POST', path: MESSAGES } });
		const items = textItems(3, [conversation]);

		const run = await send(fixture, items);

		expect(run.error).toBeUndefined();
		expect(POSTS(sandbox).map((request) => request.status)).toEqual([502, 200, 200, 200]);
		expect(await storedTexts(sandbox, conversation)).toEqual(items.map((item) => item.json.text));
	});

	it('says a message may have been sent when its answer was lost and the conversation cannot be read', async () => {
		const { sandbox } = fixture;
		const conversation = sandbox.addConversation();
		sandbox.injectFault({
			kind: 'writeThenFail',
			then: 502,
			match: { method: 'POST', path: MESSAGES },
		});
		sandbox.injectFault({
			kind: 'status',
			status: 500,
			match: { method: 'GET', path: MESSAGES },
			times: Infinity,
		});

		const run = await send(fixture, textItems(1, [conversation]), {
			settings: { onError: 'continueRegularOutput' },
		});

		expect(run.output[0].error?.message).toBe(
			"The message may have been sent, but iMBRACE's answer was lost (Bad Gateway (HTTP 502))",
		);
		expect(run.output[0].error?.description).toMatch(
			/^iMBRACE may have carried out the request before its answer was lost, and the node could not tell whether it did\. Check in iMBRACE before running this item again\. Don't turn on Retry On Fail for this/,
		);
		expect(POSTS(sandbox)).toHaveLength(1);
	});

	it('with Retry On Fail and a bad item 7 of 20, stores every other message at most once', async () => {
		const { sandbox } = fixture;
		const conversations = [sandbox.addConversation(), sandbox.addConversation()];
		const items = textItems(20, conversations);
		items[7] = { json: { conversation: conversations[1], text: '' } };
		// A lost answer on the way, too.
		sandbox.injectFault({
			kind: 'writeThenFail',
			then: 'drop',
			match: { method: 'POST', path: MESSAGES },
		});

		const run = await send(fixture, items, {
			settings: { retryOnFail: true, maxTries: 3, waitBetweenTries: 0 },
		});

		expect(run.error?.message).toBe('The Text is empty [item 7]');
		const stored = [
			...(await storedTexts(sandbox, conversations[0])),
			...(await storedTexts(sandbox, conversations[1])),
		];
		expect(stored.length).toBe(new Set(stored).size);
		// Items before the bad one are delivered; none after it is sent (the node fails there).
		expect(stored.sort()).toEqual(
			items
				.slice(0, 7)
				.map((item) => String(item.json.text))
				.sort(),
		);
	});

	it('with Retry On Fail, sends nothing twice and keeps the output items of the earlier try', async () => {
		const { sandbox } = fixture;
		const conversation = sandbox.addConversation();
		const items = textItems(5, [conversation]);
		// The 4th send is refused once: the node fails, and n8n runs it again for every item.
		let posts = 0;
		sandbox.onRequest((request) => {
			if (request.method === 'POST' && request.path === MESSAGES && ++posts === 3) {
				sandbox.injectFault({
					kind: 'status',
					status: 400,
					match: { method: 'POST', path: MESSAGES },
				});
			}
		});

		const run = await send(fixture, items, {
			settings: { retryOnFail: true, maxTries: 2, waitBetweenTries: 0 },
		});

		expect(run.error).toBeUndefined();
		expect(POSTS(sandbox).map((request) => request.status)).toEqual([200, 200, 200, 400, 200, 200]);
		expect(await storedTexts(sandbox, conversation)).toEqual(items.map((item) => item.json.text));
		expect(run.output.map((item) => item.json.content)).toEqual(
			items.map((item) => ({ text: item.json.text, is_mail: false })),
		);
	});

	it('keeps Continue On Fail going in both output modes, each failure on its item', async () => {
		const { sandbox } = fixture;
		const conversations = [sandbox.addConversation(), sandbox.addConversation()];
		const items = textItems(8, conversations);
		items[2] = { json: { conversation: 'conv_missing', text: 'Lost' } };
		items[5] = { json: { conversation: conversations[1], text: '' } };

		const regular = await send(fixture, items, { settings: { onError: 'continueRegularOutput' } });
		expect(regular.output.map((item) => item.json.error ?? item.json.content)).toEqual(
			items.map((item, index) =>
				index === 2
					? 'Conversation not found (HTTP 404)'
					: index === 5
						? 'The Text is empty [item 5]'
						: { text: item.json.text, is_mail: false },
			),
		);

		const split = await send(fixture, items, { settings: { onError: 'continueErrorOutput' } });
		expect(split.output).toHaveLength(6);
		expect(split.errorOutput.map((item) => item.json)).toEqual([
			{ error: 'Conversation not found (HTTP 404)' },
			{ error: 'The Text is empty [item 5]' },
		]);
	});

	it('keeps creates for one contact in item order, and says a create whose answer was lost may have happened', async () => {
		const { sandbox } = fixture;
		const contacts = sandbox.ids.contactIds.slice(1, 3);
		sandbox.setJitter({ minMs: 0, maxMs: 30, seed: 11 });
		let creates = 0;
		sandbox.onRequest((request) => {
			if (request.path === CONVERSATIONS && ++creates === 4) {
				sandbox.injectFault({ kind: 'writeThenFail', then: 500, match: { path: CONVERSATIONS } });
			}
		});
		const items = Array.from({ length: 8 }, (_, n) => ({ json: { contact: contacts[n % 2] } }));

		const run = await runNode({
			parameters: {
				resource: 'conversation',
				operation: 'create',
				additionalFields: { contactId: '={{ $json.contact }}' },
			},
			items,
			credentials: fixture.credentials(),
			settings: {
				onError: 'continueRegularOutput',
				retryOnFail: true,
				maxTries: 2,
				waitBetweenTries: 0,
			},
		});

		const creations = sandbox.requests().filter((request) => request.path === CONVERSATIONS);
		// The lost one is not made again, by the node or by Retry On Fail.
		expect(creations).toHaveLength(8);
		const failed = run.output.findIndex((item) => item.json.error);
		expect(run.output[failed].json.error).toBe(
			"The conversation may have been created, but iMBRACE's answer was lost (Internal Server Error (HTTP 500))",
		);
		for (const contact of contacts) {
			const order = creations
				.filter((request) => (request.body as { contact_id: string }).contact_id === contact)
				.map((request) => creations.indexOf(request));
			expect(order).toEqual([...order].sort((a, b) => a - b));
		}
		expect(sandbox.inFlight().max).toBeLessThanOrEqual(2);
	});

	it('goes through the gateway’s rate limit without a failed item, in order', async () => {
		const { sandbox } = fixture;
		const conversation = sandbox.addConversation();
		sandbox.setRateLimit({ perSecond: 20, burst: 5 });
		const items = textItems(40, [conversation]);

		const run = await send(fixture, items);

		expect(run.error).toBeUndefined();
		expect(run.output).toHaveLength(40);
		expect(POSTS(sandbox).filter((request) => request.status === 429).length).toBeGreaterThan(0);
		expect(await storedTexts(sandbox, conversation)).toEqual(items.map((item) => item.json.text));
	});
});
