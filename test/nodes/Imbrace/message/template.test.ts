import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { runNode } from '../../../harness/engine';
import { byId, useSandbox } from '../../../harness/sandbox';

const SEND = '/channel-service/v1/conversation_messages';
const LOOKUP = '/channel-service/v1/team_conversations';
const MESSAGE_TEMPLATES = '/channel-service/v1/message_templates';
const WHATSAPP_TEMPLATES = '/channel-service/v2/whatsapp_templates';

describe('iMBRACE node: template sends', () => {
	const fixture = useSandbox({ now: Date.now() });

	function send(
		parameters: INodeParameters,
		items?: INodeExecutionData[],
		settings: Parameters<typeof runNode>[0]['settings'] = {},
	) {
		return runNode({
			parameters: { resource: 'message', operation: 'send', ...parameters },
			items,
			credentials: fixture.credentials(),
			settings,
		});
	}

	const requests = () =>
		fixture.sandbox
			.requests()
			.map(({ method, path, query, body }) => ({ method, path, query, body }));

	it('fills a message template’s variables and sends its text: one lookup, one template read, one send', async () => {
		const { sandbox } = fixture;
		const conversationId = sandbox.ids.contactConversationId;
		const templateId = sandbox.inboxIds.messageTemplateIds.orderFollowUp;

		const run = await send({
			conversationId: byId(conversationId),
			messageType: 'template',
			templateId: byId(templateId),
			variables: ['Jenny', 'ORD-1042'],
		});

		expect(run.error).toBeUndefined();
		expect(requests()).toEqual([
			{
				method: 'GET',
				path: LOOKUP,
				query: { type: 'conversation_id', q: conversationId },
				body: undefined,
			},
			{
				method: 'GET',
				path: MESSAGE_TEMPLATES,
				query: { type: 'business_unit_id', q: sandbox.ids.businessUnitId, skip: '0', limit: '100' },
				body: undefined,
			},
			{
				method: 'POST',
				path: SEND,
				query: {},
				body: {
					conversation_id: conversationId,
					type: 'message_template',
					template_id: templateId,
					text: 'Hi Jenny, your order ORD-1042 is on its way.',
				},
			},
		]);
		expect(run.output[0].json).toMatchObject({
			conversation_id: conversationId,
			content: { text: 'Hi Jenny, your order ORD-1042 is on its way.' },
		});
	});

	it('sends a WhatsApp template with its variables, reading the channel’s templates once for the run', async () => {
		const { sandbox } = fixture;
		const conversationId = sandbox.inboxIds.whatsappOutsideWindowConversationId;
		const templateId = sandbox.inboxIds.whatsappTemplateIds.orderUpdate;
		const items = ['A-1', 'A-2', 'A-3'].map((order) => ({ json: { order } }));

		const run = await send(
			{
				conversationId,
				messageType: 'whatsappTemplate',
				templateId,
				variables: ['Jenny', '={{ $json.order }}'],
			},
			items,
		);

		expect(run.error).toBeUndefined();
		const sent = requests().filter((request) => request.method === 'POST');
		expect(sent.map((request) => request.body)).toEqual(
			['A-1', 'A-2', 'A-3'].map((order) => ({
				conversation_id: conversationId,
				type: 'whatsapp.template',
				template_id: templateId,
				variables: ['Jenny', order],
			})),
		);
		expect(requests().filter((request) => request.path === LOOKUP)).toHaveLength(1);
		const reads = requests().filter((request) => request.path === WHATSAPP_TEMPLATES);
		expect(reads).toHaveLength(1);
		expect(reads[0].query).toMatchObject({ channel_id: sandbox.inboxIds.whatsappChannelId });
		expect(
			sandbox
				.storedMessages(conversationId)
				.slice(-3)
				.map((message) => message.content),
		).toEqual(
			['A-1', 'A-2', 'A-3'].map((order) => ({
				text: `Hi Jenny, your order ${order} has shipped.`,
				variables: ['Jenny', order],
			})),
		);
	});

	it('fails an item with the wrong number of variables before anything is sent, saying how many', async () => {
		const { sandbox } = fixture;
		const templateId = sandbox.inboxIds.whatsappTemplateIds.orderUpdate;

		const run = await send(
			{
				conversationId: sandbox.inboxIds.whatsappOutsideWindowConversationId,
				messageType: 'whatsappTemplate',
				templateId,
				variables: ['Jenny'],
			},
			undefined,
			{ onError: 'continueRegularOutput' },
		);

		expect(run.output[0].json.error).toBe(
			'The Variables have 1 value, but the template "order_update" expects 2 [item 0]',
		);
		expect(requests().filter((request) => request.method === 'POST')).toEqual([]);
	});

	it('tells to send a WhatsApp template when the 24-hour window refuses a text', async () => {
		const { sandbox } = fixture;
		sandbox.setMode({ whatsappWindow: true });

		const run = await send({
			conversationId: sandbox.inboxIds.whatsappOutsideWindowConversationId,
			messageType: 'text',
			text: 'Are you still there?',
		});

		expect(run.error?.message).toMatch(
			/^WhatsApp's 24-hour window has closed: It has been more than 24 hours/,
		);
		expect(run.error?.description).toMatch(/Send an approved WhatsApp template instead/);
	});

	it('refuses a template that WhatsApp has not approved, before sending', async () => {
		const { sandbox } = fixture;
		const run = await send({
			conversationId: sandbox.inboxIds.whatsappOutsideWindowConversationId,
			messageType: 'whatsappTemplate',
			templateId: sandbox.inboxIds.whatsappTemplateIds.promoSummer,
			variables: ['Jenny'],
		});

		expect(run.error?.message).toMatch(
			/is not approved by WhatsApp \(its status is PENDING\) \[item 0\]$/,
		);
		expect(requests().filter((request) => request.method === 'POST')).toEqual([]);
	});

	it('keeps template sends in item order per conversation, and sends none twice with Retry On Fail', async () => {
		const { sandbox } = fixture;
		sandbox.setJitter({ minMs: 0, maxMs: 20, seed: 9 });
		const conversations = [sandbox.ids.contactConversationId, sandbox.ids.conversationIds[1]];
		const items = Array.from({ length: 10 }, (_, n) => ({
			json: { conversation: conversations[n % 2], name: `Guest ${n}` },
		}));
		let sends = 0;
		sandbox.onRequest((request) => {
			if (request.method === 'POST' && request.path === SEND && ++sends === 6) {
				sandbox.injectFault({ kind: 'status', status: 503, match: { path: SEND }, times: 4 });
			}
		});

		const run = await send(
			{
				conversationId: '={{ $json.conversation }}',
				messageType: 'template',
				templateId: sandbox.inboxIds.messageTemplateIds.greeting,
				variables: ['={{ $json.name }}'],
			},
			items,
			{ retryOnFail: true, maxTries: 2, waitBetweenTries: 0 },
		);

		expect(run.error).toBeUndefined();
		for (const [index, conversation] of conversations.entries()) {
			const texts = sandbox
				.storedMessages(conversation)
				.map((message) => (message.content as { text?: string }).text)
				.filter((text) => text?.startsWith('Hi Guest'));
			expect(texts).toEqual(
				items
					.filter((_, n) => n % 2 === index)
					.map((item) => `Hi ${item.json.name}, thanks for contacting us`),
			);
		}
		expect(sandbox.inFlight().max).toBeLessThanOrEqual(4);
	});
});
