import { simplifyMessage } from '../../../../nodes/shared/simplify';
import { runNode } from '../../../harness/engine';
import { byId, useSandbox } from '../../../harness/sandbox';

describe('iMBRACE node: message Get Many', () => {
	const fixture = useSandbox();

	/** A new conversation with `count` messages; answers them newest first, as the API lists them. */
	function conversationWith(count: number) {
		const { sandbox } = fixture;
		const conversationId = sandbox.addConversation();
		const stored = count ? sandbox.addMessages({ conversationId, count }) : [];
		sandbox.clearRequests();
		return { conversationId, newestFirst: [...stored].reverse() };
	}

	function listQueries() {
		return fixture.sandbox.requests().map(({ method, path, query }) => ({ method, path, query }));
	}

	const page = (conversationId: string, skip: number, limit: number) => ({
		method: 'GET',
		path: '/channel-service/v1/conversation_messages',
		query: { conversation_id: conversationId, limit: String(limit), skip: String(skip) },
	});

	it('returns all 250 messages newest first in exactly 3 requests of 100', async () => {
		const { conversationId, newestFirst } = conversationWith(250);

		const run = await runNode({
			parameters: {
				resource: 'message',
				operation: 'getMany',
				conversationId: byId(conversationId),
				returnAll: true,
				simplify: false,
			},
			credentials: fixture.credentials(),
		});

		expect(run.error).toBeUndefined();
		expect(run.output.map((item) => item.json)).toEqual(newestFirst);
		expect(listQueries()).toEqual([
			page(conversationId, 0, 100),
			page(conversationId, 100, 100),
			page(conversationId, 200, 100),
		]);
	});

	it('stops when iMBRACE says nothing more follows: 200 messages take 2 requests', async () => {
		const { conversationId } = conversationWith(200);

		const run = await runNode({
			parameters: { resource: 'message', operation: 'getMany', conversationId, returnAll: true },
			credentials: fixture.credentials(),
		});

		expect(run.output).toHaveLength(200);
		expect(listQueries()).toEqual([page(conversationId, 0, 100), page(conversationId, 100, 100)]);
	});

	it('asks for no more than Limit: 5 is one request with limit=5', async () => {
		const { conversationId, newestFirst } = conversationWith(250);

		const run = await runNode({
			parameters: {
				resource: 'message',
				operation: 'getMany',
				conversationId,
				limit: 5,
				simplify: false,
			},
			credentials: fixture.credentials(),
		});

		expect(run.output.map((item) => item.json)).toEqual(newestFirst.slice(0, 5));
		expect(listQueries()).toEqual([page(conversationId, 0, 5)]);
	});

	it('splits a Limit above the page size: 130 is two requests and exactly 130 messages', async () => {
		const { conversationId, newestFirst } = conversationWith(250);

		const run = await runNode({
			parameters: {
				resource: 'message',
				operation: 'getMany',
				conversationId,
				limit: 130,
				simplify: false,
			},
			credentials: fixture.credentials(),
		});

		expect(run.output.map((item) => item.json)).toEqual(newestFirst.slice(0, 130));
		expect(listQueries()).toEqual([page(conversationId, 0, 100), page(conversationId, 100, 30)]);
	});

	it('takes a Limit mapped from text as its number', async () => {
		const { conversationId } = conversationWith(10);

		const run = await runNode({
			parameters: {
				resource: 'message',
				operation: 'getMany',
				conversationId,
				limit: '={{ $json.limit }}',
			},
			items: [{ json: { limit: '4' } }],
			credentials: fixture.credentials(),
		});

		expect(run.output).toHaveLength(4);
		expect(listQueries()).toEqual([page(conversationId, 0, 4)]);
	});

	it('returns fewer than Limit when the conversation holds fewer, in one request', async () => {
		const { conversationId } = conversationWith(3);

		const run = await runNode({
			parameters: { resource: 'message', operation: 'getMany', conversationId, limit: 50 },
			credentials: fixture.credentials(),
		});

		expect(run.output).toHaveLength(3);
		expect(listQueries()).toEqual([page(conversationId, 0, 50)]);
	});

	it('answers nothing for an empty conversation', async () => {
		const { conversationId } = conversationWith(0);

		const run = await runNode({
			parameters: { resource: 'message', operation: 'getMany', conversationId, returnAll: true },
			credentials: fixture.credentials(),
		});

		expect(run.error).toBeUndefined();
		expect(run.output).toEqual([]);
		expect(listQueries()).toHaveLength(1);
	});

	it('simplifies by default into the one flat message shape', async () => {
		const { conversationId, newestFirst } = conversationWith(2);

		const run = await runNode({
			parameters: { resource: 'message', operation: 'getMany', conversationId },
			credentials: fixture.credentials(),
		});

		expect(run.output).toEqual(
			newestFirst.map((message) => ({
				json: {
					id: message.id,
					conversation_id: conversationId,
					business_unit_id: message.business_unit_id,
					organization_id: 'org_imbrace',
					from: message.from,
					sender_type: 'contact',
					type: 'text',
					text: message.content.text,
					url: null,
					caption: null,
					title: null,
					payload: null,
					created_at: message.created_at,
				},
				pairedItem: { item: 0 },
			})),
		);
		expect(run.output.map((item) => item.json)).toEqual(newestFirst.map((m) => simplifyMessage(m)));
	});

	it("reads a contact token's own conversation when the Conversation ID is empty", async () => {
		const { sandbox } = fixture;

		const run = await runNode({
			parameters: { resource: 'message', operation: 'getMany', limit: 3 },
			credentials: fixture.credentials({ accessToken: sandbox.tokens.contact }),
		});

		expect(run.error).toBeUndefined();
		expect(run.output.map((item) => item.json.conversation_id)).toEqual(
			Array(3).fill(sandbox.ids.contactConversationId),
		);
		expect(listQueries()).toEqual([
			{
				method: 'GET',
				path: '/channel-service/v1/conversation_messages',
				query: { limit: '3', skip: '0' },
			},
		]);
	});

	it('reads each input item’s conversation and pairs every message with its item', async () => {
		const first = conversationWith(2);
		const second = conversationWith(1);

		const run = await runNode({
			parameters: { resource: 'message', operation: 'getMany', conversationId: '={{ $json.id }}' },
			items: [{ json: { id: first.conversationId } }, { json: { id: second.conversationId } }],
			credentials: fixture.credentials(),
		});

		expect(run.output.map((item) => [item.json.conversation_id, item.pairedItem])).toEqual([
			[first.conversationId, { item: 0 }],
			[first.conversationId, { item: 0 }],
			[second.conversationId, { item: 1 }],
		]);
	});

	it('says an agent must name the conversation when it is left empty', async () => {
		const run = await runNode({
			parameters: { resource: 'message', operation: 'getMany' },
			credentials: fixture.credentials(),
		});

		expect(run.error?.message).toBe('Invalid request parameters (HTTP 400)');
		expect(run.error?.description).toBe(
			'An agent token or API key must name the conversation: set the Conversation ID.',
		);
	});

	it('names the Conversation ID when iMBRACE does not know it', async () => {
		const run = await runNode({
			parameters: { resource: 'message', operation: 'getMany', conversationId: 'conv_missing' },
			credentials: fixture.credentials(),
		});

		expect(run.error?.message).toBe('Conversation not found (HTTP 404)');
		expect(run.error?.description).toBe(
			'Check the Conversation ID: iMBRACE has nothing with that ID that this token can see.',
		);
	});

	it.each([
		[0, 'The Limit "0" is not a whole number of at least 1 [item 0]'],
		[-3, 'The Limit "-3" is not a whole number of at least 1 [item 0]'],
		[2.5, 'The Limit "2.5" is not a whole number of at least 1 [item 0]'],
	])('refuses Limit %s before any request', async (limit, message) => {
		const { conversationId } = conversationWith(3);

		const run = await runNode({
			parameters: { resource: 'message', operation: 'getMany', conversationId, limit },
			credentials: fixture.credentials(),
		});

		expect(run.error?.message).toBe(message);
		expect(run.error?.description).toBe('Set Limit to 1 or more, or turn on Return All.');
		expect(fixture.sandbox.requests()).toEqual([]);
	});
});
