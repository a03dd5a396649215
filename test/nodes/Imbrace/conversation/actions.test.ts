import type { INodeParameters } from 'n8n-workflow';

import { runNode } from '../../../harness/engine';
import { byId, useSandbox } from '../../../harness/sandbox';

const LOOKUP = '/channel-service/v1/team_conversations';
const UPDATE = '/channel-service/v1/team_conversations/_update_status';
const ASSIGN = '/channel-service/v1/team_conversations/assign_team_member';
const UNASSIGN = '/channel-service/v1/team_conversations/remove_team_member';

describe('iMBRACE node: conversation actions (the inbox)', () => {
	const fixture = useSandbox();

	function run(parameters: INodeParameters, extra: Parameters<typeof runNode>[0] = { parameters }) {
		return runNode({
			credentials: fixture.credentials(),
			...extra,
			parameters: { resource: 'conversation', ...parameters },
		});
	}

	function requests() {
		return fixture.sandbox
			.requests()
			.map(({ method, path, query, body }) => ({ method, path, query, body }));
	}

	describe('Get', () => {
		it('looks the conv_ ID up (§15), reads the team conversation (§16) and answers it simplified', async () => {
			const { sandbox } = fixture;
			const conversationId = sandbox.ids.contactConversationId;
			const [copy] = sandbox.teamConversations(conversationId);

			const result = await run({ operation: 'get', conversationId: byId(conversationId) });

			expect(result.error).toBeUndefined();
			expect(requests()).toEqual([
				{
					method: 'GET',
					path: LOOKUP,
					query: { type: 'conversation_id', q: conversationId },
					body: undefined,
				},
				{ method: 'GET', path: `${LOOKUP}/${copy.id}`, query: {}, body: undefined },
			]);
			expect(result.output).toHaveLength(1);
			const item = result.output[0].json;
			expect(Object.keys(item)).toEqual([
				'id',
				'team_conversation_id',
				'team_id',
				'business_unit_id',
				'channel_id',
				'channel_type',
				'contact_id',
				'name',
				'status',
				'is_joined',
				'last_message',
				'last_contact_message_at',
				'whatsapp_window_open',
				'agents',
			]);
			expect(item).toMatchObject({
				id: conversationId,
				team_conversation_id: copy.id,
				team_id: sandbox.ids.teamId,
				business_unit_id: sandbox.ids.businessUnitId,
				channel_type: 'web',
				contact_id: sandbox.ids.contactId,
				whatsapp_window_open: null,
			});
			expect(item.agents).toEqual(
				expect.arrayContaining([{ id: sandbox.ids.agentUserId, name: 'Alice Chan' }]),
			);
			expect(result.output[0].pairedItem).toEqual({ item: 0 });
		});

		it('answers the raw team conversation with Simplify off', async () => {
			const { sandbox } = fixture;
			const conversationId = sandbox.ids.contactConversationId;
			const [copy] = sandbox.teamConversations(conversationId);

			const result = await run({ operation: 'get', conversationId, simplify: false });

			expect(result.output[0].json).toMatchObject({
				object_name: 'team_conversation',
				id: copy.id,
				conversation_id: conversationId,
				users: expect.any(Array),
			});
		});

		it('fails an item whose conversation the credential cannot see, after one lookup', async () => {
			const { sandbox } = fixture;
			const foreign = sandbox.ids.otherConversationIds[0];

			const result = await run(
				{ operation: 'get', conversationId: foreign },
				{ parameters: {}, settings: { onError: 'continueRegularOutput' } },
			);

			expect(result.output.map((item) => item.json)).toEqual([
				{ error: `The conversation ${foreign} is not one this credential can see [item 0]` },
			]);
			expect(requests()).toHaveLength(1);
		});
	});
	describe('with the seed ending now (the window counts from the real clock)', () => {
		const current = useSandbox({ now: Date.now() });

		it('says whether the WhatsApp window is open', async () => {
			const { sandbox } = current;
			const {
				whatsappInsideWindowConversationId: inside,
				whatsappOutsideWindowConversationId: outside,
			} = sandbox.inboxIds;

			const result = await runNode({
				parameters: {
					resource: 'conversation',
					operation: 'get',
					conversationId: '={{ $json.conversation }}',
				},
				credentials: current.credentials(),
				items: [{ json: { conversation: inside } }, { json: { conversation: outside } }],
			});

			expect(result.error).toBeUndefined();
			expect(
				result.output.map((item) => [item.json.channel_type, item.json.whatsapp_window_open]),
			).toEqual([
				['whatsapp', true],
				['whatsapp', false],
			]);
		});
	});
});
