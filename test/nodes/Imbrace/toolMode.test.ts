import { simplifyMessage } from '../../../nodes/shared/simplify';
import { NODE_TYPE } from '../../harness/package';
import { runNode } from '../../harness/engine';
import { byId, callApi, useSandbox } from '../../harness/sandbox';

/** The node as an AI agent's tool: the `…Tool` type n8n builds for it (test/harness/tool.ts). */
const TOOL_TYPE = `${NODE_TYPE}Tool`;

const LEFT_OUT = (kept: number) => ({
	note: `Only the first ${kept} messages are shown; more were left out (this tool answers at most ${kept} items).`,
});

describe('iMBRACE node as a tool: lean answers', () => {
	const fixture = useSandbox();

	function conversationWith(count: number, text?: string) {
		const { sandbox } = fixture;
		const conversationId = sandbox.addConversation();
		const stored = sandbox.addMessages({ conversationId, count, text });
		sandbox.clearRequests();
		return { conversationId, newestFirst: [...stored].reverse() };
	}

	const queries = () => fixture.sandbox.requests().map(({ query }) => query);

	it('Get Many answers 10 simplified messages by default, and a note that more were left out', async () => {
		const { conversationId, newestFirst } = conversationWith(30);

		const run = await runNode({
			nodeType: TOOL_TYPE,
			parameters: {
				resource: 'message',
				operation: 'getMany',
				conversationId: byId(conversationId),
			},
			credentials: fixture.credentials(),
		});

		expect(run.error).toBeUndefined();
		expect(run.output.map((item) => item.json)).toEqual([
			...newestFirst.slice(0, 10).map((message) => simplifyMessage(message)),
			LEFT_OUT(10),
		]);
		// One more than it answers, to know whether there is more.
		expect(queries()).toEqual([{ conversation_id: conversationId, limit: '11', skip: '0' }]);
	});

	it('simplifies even when a saved Simplify is off; a saved Limit under the Answer Limit is kept, with no note', async () => {
		const { conversationId, newestFirst } = conversationWith(30);

		const run = await runNode({
			nodeType: TOOL_TYPE,
			parameters: {
				resource: 'message',
				operation: 'getMany',
				conversationId,
				limit: 3,
				simplify: false,
			},
			credentials: fixture.credentials(),
		});

		expect(run.output.map((item) => item.json)).toEqual(
			newestFirst.slice(0, 3).map((message) => simplifyMessage(message)),
		);
		expect(queries()).toEqual([{ conversation_id: conversationId, limit: '3', skip: '0' }]);
	});

	it('bounds Return All at the Answer Limit, at most 100, and ends the answer with a note', async () => {
		const { conversationId, newestFirst } = conversationWith(150);

		const run = await runNode({
			nodeType: TOOL_TYPE,
			parameters: {
				resource: 'message',
				operation: 'getMany',
				conversationId,
				returnAll: true,
				answerLimit: 500,
			},
			credentials: fixture.credentials(),
		});

		const answer = run.output.map((item) => item.json);
		expect(answer).toHaveLength(101);
		expect(answer.slice(0, 100)).toEqual(
			newestFirst.slice(0, 100).map((message) => simplifyMessage(message)),
		);
		expect(answer[100]).toEqual(LEFT_OUT(100));
		expect(queries()).toEqual([
			{ conversation_id: conversationId, limit: '100', skip: '0' },
			{ conversation_id: conversationId, limit: '1', skip: '100' },
		]);
	});

	it('adds no note when Return All fits in 100', async () => {
		const { conversationId } = conversationWith(100);

		const run = await runNode({
			nodeType: TOOL_TYPE,
			parameters: {
				resource: 'message',
				operation: 'getMany',
				conversationId,
				returnAll: true,
				answerLimit: 100,
			},
			credentials: fixture.credentials(),
		});

		expect(run.output).toHaveLength(100);
		expect(run.output.every((item) => !('note' in item.json))).toBe(true);
	});

	it('cuts a text longer than 1,000 characters with a marker of what was cut', async () => {
		const long = 'a'.repeat(1000) + 'b'.repeat(1234);
		const { conversationId } = conversationWith(1, long);

		const run = await runNode({
			nodeType: TOOL_TYPE,
			parameters: { resource: 'message', operation: 'getMany', conversationId },
			credentials: fixture.credentials(),
		});

		expect(run.output[0].json.text).toBe(`${'a'.repeat(1000)}… [cut: 1,234 more characters]`);
	});

	it('Search is lean too: 10 simplified hits by default', async () => {
		const { newestFirst } = conversationWith(30);

		const run = await runNode({
			nodeType: TOOL_TYPE,
			parameters: { resource: 'message', operation: 'search', query: '' },
			credentials: fixture.credentials(),
		});

		expect(run.error).toBeUndefined();
		expect(run.output).toHaveLength(11);
		expect(run.output[0].json).toEqual(simplifyMessage(newestFirst[0]));
		expect(run.output[10].json).toEqual(LEFT_OUT(10));
		expect(Object.keys(run.output[0].json)).toEqual(Object.keys(simplifyMessage({})));
	});

	it('outside tool mode nothing changes: 50 raw messages by default', async () => {
		const { conversationId, newestFirst } = conversationWith(60);

		const run = await runNode({
			parameters: { resource: 'message', operation: 'getMany', conversationId, simplify: false },
			credentials: fixture.credentials(),
		});

		expect(run.output.map((item) => item.json)).toEqual(newestFirst.slice(0, 50));
	});

	it("puts the fix into the error's message, the only part a model reads", async () => {
		const run = await runNode({
			nodeType: TOOL_TYPE,
			parameters: {
				resource: 'message',
				operation: 'getMany',
				conversationId: 'conv_00000000-0000-4000-8000-000000000000',
			},
			credentials: fixture.credentials(),
		});

		expect(run.error?.message).toMatch(/\(HTTP 404\)\. Check the Conversation ID: /);
		expect(run.error?.message).toContain(run.error?.description);
	});

	it('keeps the fix in the description outside tool mode', async () => {
		const run = await runNode({
			parameters: {
				resource: 'message',
				operation: 'getMany',
				conversationId: 'conv_00000000-0000-4000-8000-000000000000',
			},
			credentials: fixture.credentials(),
		});

		expect(run.error?.message).toMatch(/\(HTTP 404\)$/);
		expect(run.error?.description).toMatch(/^Check the Conversation ID: /);
	});

	it('names the fix of a check made before sending: Limit 0', async () => {
		const { conversationId } = conversationWith(1);
		const run = await runNode({
			nodeType: TOOL_TYPE,
			parameters: { resource: 'message', operation: 'getMany', conversationId, limit: 0 },
			credentials: fixture.credentials(),
		});

		expect(run.error?.message).toBe(
			'The Limit "0" is not a whole number of at least 1 [item 0]. Set Limit to 1 or more, or turn on Return All.',
		);
	});

	it('conversation Get Many: the inbox as 10 simplified conversations and a note, Simplify off or not', async () => {
		const { sandbox } = fixture;
		const bu = sandbox.ids.businessUnitId;
		const expected = (await callApi(
			sandbox,
			`/channel-service/v2/team_conversations?type=business_unit_id&q=${bu}&view=all&skip=0&limit=10`,
		)) as { data: Array<{ conversation_id: string; id: string }> };
		sandbox.clearRequests();

		const run = await runNode({
			nodeType: TOOL_TYPE,
			parameters: {
				resource: 'conversation',
				operation: 'getMany',
				businessUnitId: byId(bu),
				returnAll: true,
				simplify: false,
			},
			credentials: fixture.credentials(),
		});

		expect(run.error).toBeUndefined();
		expect(run.output.map((item) => [item.json.id, item.json.team_conversation_id])).toEqual([
			...expected.data.map((row) => [row.conversation_id, row.id]),
			[undefined, undefined],
		]);
		expect(run.output[10].json).toEqual({
			note: 'Only the first 10 conversations are shown; more were left out (this tool answers at most 10 items).',
		});
		expect(queries().map(({ skip, limit }) => [skip, limit])).toEqual([['0', '11']]);
	});
});
