/** The inbox's seed: deterministic, beside the Conversations API's seed, and its read-back hooks. */
import { call } from '../helpers';
import { SEED_NOW_MS, createSeedStore } from '../../api/data';
import { createInboxData } from '../../inbox/inbox-data';
import { SandboxInputError, startSandbox } from '../../index';
import type { Sandbox } from '../../index';

let sandbox: Sandbox;

beforeAll(async () => {
	sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
afterEach(() => sandbox.reset());

describe('the inbox seed', () => {
	test('the same data on every build, and the same ids at another now', () => {
		const first = createInboxData(createSeedStore());
		const second = createInboxData(createSeedStore());
		expect(second).toEqual(first);
		const later = createInboxData(createSeedStore(SEED_NOW_MS + 86_400_000));
		expect(later.ids).toEqual(first.ids);
		expect(later.teamConversations.map((item) => item.id)).toEqual(
			first.teamConversations.map((item) => item.id),
		);
	});

	test('the notable fixtures', () => {
		expect(sandbox.inboxIds).toEqual({
			manyTeamsBusinessUnitId: 'bu_f1da8fe2-0caf-417f-881b-e28a6353296d',
			manyTeamsIds: expect.anything(),
			orderBotUserId: 'u_f3b96876-d070-4400-97bb-a5f02bf3adb2',
			inactiveUserId: 'u_556e8b22-d4d2-4770-be79-1b7b3e47ad03',
			inactiveChannelId: 'ch_5c7d255f-4e80-4593-aefe-a5eb4704a45b',
			deletedChannelId: 'ch_2c07d6b7-c46d-48ea-8528-cd16aee1cd66',
			whatsappChannelId: 'ch_b3157a42-46b6-404d-b581-f9d253073faf',
			salesWhatsappChannelId: 'ch_70dc99e3-e0b4-4845-af60-09539cde55a7',
			twoTeamConversationId: 'conv_d3888221-b3e5-4f0e-8778-b16dcd26cdaf',
			whatsappInsideWindowConversationId: 'conv_0bc3fd2f-9be4-4760-abd7-a57dd08d407e',
			whatsappOutsideWindowConversationId: 'conv_c95cc530-83ac-43bd-be16-79b54650e6be',
			messageTemplateIds: {
				closing: 'mt_550cd525-0e01-4115-a94c-a42c94446236',
				greeting: 'mt_d46af4fd-5169-478f-bf7a-42845051db94',
				orderFollowUp: 'mt_7817a37d-410e-4881-8a5c-1c9e1d84f9bb',
			},
			whatsappTemplateIds: {
				welcome: 'wat_aa1def8b-76a7-464b-992d-729edb0bf090',
				appointmentReminder: 'wat_b9aa6534-a371-4eff-9283-ea33b5941d2a',
				orderUpdate: 'wat_2da10f80-cd84-4be6-b25e-f9157c8eb111',
				promoSummer: 'wat_7023e591-5008-4dec-9b21-8f559ed6cbd7',
				refundNotice: 'wat_bdcebe8d-e6a2-42de-873b-0834332cf9ad',
				salesFollowUp: 'wat_a2260a55-7854-4a66-83e9-04b511b3c547',
			},
		});
		expect(sandbox.inboxIds.manyTeamsIds).toHaveLength(105);
		expect(sandbox.inboxIds.twoTeamConversationId).not.toBe(sandbox.ids.contactConversationId);
	});

	test('reset rebuilds it: the same team conversation ids, and new ones repeat', () => {
		const conversationId = sandbox.addConversation({ teamId: sandbox.ids.teamId });
		const made = sandbox.teamConversations(conversationId);
		const seeded = sandbox.teamConversations(sandbox.ids.contactConversationId);
		sandbox.reset();
		expect(sandbox.teamConversations(sandbox.ids.contactConversationId)).toEqual(seeded);
		const again = sandbox.addConversation({ teamId: sandbox.ids.teamId });
		expect([again, sandbox.teamConversations(again)]).toEqual([conversationId, made]);
	});
});

describe('read-back hooks', () => {
	test('in process: unknown conversations throw', () => {
		expect(() => sandbox.teamConversations('conv_nowhere')).toThrow(
			new SandboxInputError('Unknown conversation conv_nowhere'),
		);
		expect(() => sandbox.storedMessages('conv_nowhere')).toThrow(
			new SandboxInputError('Unknown conversation conv_nowhere'),
		);
	});

	test('over HTTP: GET /__sandbox/team-conversations/<conv> and /__sandbox/messages/<conv>', async () => {
		const conversationId = sandbox.ids.contactConversationId;
		const records = await call(
			sandbox.url,
			'GET',
			`/__sandbox/team-conversations/${conversationId}`,
		);
		expect([records.status, records.json]).toEqual([
			200,
			sandbox.teamConversations(conversationId),
		]);
		const messages = await call<unknown[]>(
			sandbox.url,
			'GET',
			`/__sandbox/messages/${conversationId}`,
		);
		expect([messages.status, messages.json]).toEqual([200, sandbox.storedMessages(conversationId)]);
		expect(messages.json).toHaveLength(15);
		const unknown = await call(sandbox.url, 'GET', '/__sandbox/messages/conv_nowhere');
		expect([unknown.status, unknown.json]).toEqual([
			400,
			{ message: 'Unknown conversation conv_nowhere' },
		]);
		expect(sandbox.requests()).toEqual([]);
	});
});
