/** Inbox §20 and §21: template sends through §6, and WhatsApp's 24-hour window switch. */
import { call } from '../helpers';
import type { CallOptions } from '../helpers';
import { readSandboxMode } from '../../options';
import { startSandbox } from '../../index';
import type { Sandbox } from '../../index';

let sandbox: Sandbox;
const api = <T = unknown>(method: string, path: string, options?: CallOptions) =>
	call<T>(sandbox.url, method, path, options);

beforeAll(async () => {
	sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
afterEach(() => sandbox.reset());

const SEND = '/channel-service/v1/conversation_messages';
const DOCUMENTED_SEND = '/v1/backend/conversation_messages';
const WINDOW_CLOSED = {
	code: 40000,
	message:
		'It has been more than 24 hours since the last message from the customer. Please use WhatsApp templates to continue the engagement.',
};
const invalid = (message: string) => ({ code: 40000, message });

interface Sent {
	id: string;
	from: string;
	type: string;
	content: Record<string, unknown>;
	channel_type: string;
}

const send = (body: Record<string, unknown>, path = SEND) =>
	api<Sent>('POST', path, { token: sandbox.tokens.agent, body });

describe('§20 message_template', () => {
	test('stored as a text message with the text the sender filled in', async () => {
		const conversationId = sandbox.ids.contactConversationId;
		const before = sandbox.storedMessages(conversationId).length;
		const answer = await send({
			conversation_id: conversationId,
			type: 'message_template',
			template_id: sandbox.inboxIds.messageTemplateIds.greeting,
			text: 'Hi Jenny, thanks for contacting us',
		});
		expect(answer.status).toBe(200);
		expect([answer.json.type, answer.json.content, answer.json.from]).toEqual([
			'text',
			{ text: 'Hi Jenny, thanks for contacting us', is_mail: false },
			sandbox.ids.agentUserId,
		]);
		const stored = sandbox.storedMessages(conversationId);
		expect(stored).toHaveLength(before + 1);
		expect(stored.at(-1)).toEqual(expect.objectContaining({ id: answer.json.id, type: 'text' }));
	});

	test('through the documented path too', async () => {
		const answer = await send(
			{
				conversation_id: sandbox.ids.contactConversationId,
				type: 'message_template',
				template_id: sandbox.inboxIds.messageTemplateIds.closing,
				text: 'Thanks for chatting with us. Have a nice day!',
			},
			DOCUMENTED_SEND,
		);
		expect([answer.status, answer.json.type]).toEqual([200, 'text']);
	});

	test('errors: no template_id 400, an unknown one 404, no text 400; nothing stored', async () => {
		const conversationId = sandbox.ids.contactConversationId;
		const before = sandbox.storedMessages(conversationId);
		const base = { conversation_id: conversationId, type: 'message_template', text: 'Hi' };
		const cases: Array<[Record<string, unknown>, number, unknown]> = [
			[base, 400, invalid('Template not found')],
			[{ ...base, template_id: 'mt_nowhere' }, 404, { code: 40004, message: 'Template not found' }],
			[
				{ ...base, template_id: sandbox.inboxIds.messageTemplateIds.greeting, text: '' },
				400,
				invalid('Invalid message type or content'),
			],
		];
		for (const [body, status, error] of cases) {
			const answer = await send(body);
			expect([answer.status, answer.json]).toEqual([status, error]);
		}
		expect(sandbox.storedMessages(conversationId)).toEqual(before);
	});
});

describe('§20 whatsapp.template', () => {
	const conversationId = () => sandbox.inboxIds.whatsappOutsideWindowConversationId;
	const template = () => sandbox.inboxIds.whatsappTemplateIds;

	test('the service renders the text; stored with the variables', async () => {
		const answer = await send({
			conversation_id: conversationId(),
			type: 'whatsapp.template',
			template_id: template().orderUpdate,
			variables: ['Jenny', 'ORD-1042'],
		});
		expect(answer.status).toBe(200);
		expect([answer.json.type, answer.json.content, answer.json.channel_type]).toEqual([
			'whatsapp.template',
			{ text: 'Hi Jenny, your order ORD-1042 has shipped.', variables: ['Jenny', 'ORD-1042'] },
			'whatsapp',
		]);
		expect(sandbox.storedMessages(conversationId()).at(-1)).toEqual(
			expect.objectContaining({
				id: answer.json.id,
				type: 'whatsapp.template',
				content: {
					text: 'Hi Jenny, your order ORD-1042 has shipped.',
					variables: ['Jenny', 'ORD-1042'],
				},
			}),
		);
	});

	test('a template without variables: none, or an empty list', async () => {
		for (const variables of [undefined, []]) {
			const answer = await send({
				conversation_id: conversationId(),
				type: 'whatsapp.template',
				template_id: template().welcome,
				variables,
			});
			expect([answer.status, answer.json.content]).toEqual([
				200,
				{ text: 'Welcome to iMBRACE! Reply to this message to talk to us.', variables: [] },
			]);
		}
	});

	test('every error, in the contract’s words; nothing stored', async () => {
		const before = sandbox.storedMessages(conversationId());
		const body = (fields: Record<string, unknown>) => ({
			conversation_id: conversationId(),
			type: 'whatsapp.template',
			...fields,
		});
		const cases: Array<[Record<string, unknown>, number, unknown]> = [
			[body({ variables: ['a'] }), 400, invalid('Template not found')],
			[body({ template_id: 'wat_nowhere' }), 404, { code: 40004, message: 'Template not found' }],
			[
				body({ template_id: template().promoSummer, variables: ['a'] }),
				400,
				invalid('Template is not approved'),
			],
			[
				body({ template_id: template().refundNotice, variables: ['a'] }),
				400,
				invalid('Template is not approved'),
			],
			[
				body({ template_id: template().orderUpdate, variables: ['Jenny'] }),
				400,
				invalid('Template expects 2 variables'),
			],
			[
				body({ template_id: template().orderUpdate, variables: ['Jenny', ''] }),
				400,
				invalid('Template expects 2 variables'),
			],
			[
				body({ template_id: template().orderUpdate, variables: ['a', 'b', 'c'] }),
				400,
				invalid('Template expects 2 variables'),
			],
			[
				body({ template_id: template().orderUpdate, variables: 'Jenny' }),
				400,
				invalid('Template expects 2 variables'),
			],
			[
				body({ template_id: template().appointmentReminder }),
				400,
				invalid('Template expects 1 variables'),
			],
			[
				body({ template_id: template().welcome, variables: ['x'] }),
				400,
				invalid('Template expects 0 variables'),
			],
			[
				body({ template_id: template().salesFollowUp, variables: ['a'] }),
				400,
				invalid('Template belongs to another channel'),
			],
		];
		for (const [fields, status, error] of cases) {
			const answer = await send(fields);
			expect([fields.template_id, answer.status, answer.json]).toEqual([
				fields.template_id,
				status,
				error,
			]);
		}
		expect(sandbox.storedMessages(conversationId())).toEqual(before);
	});

	test('to a conversation not on WhatsApp: Invalid message type or content', async () => {
		const answer = await send({
			conversation_id: sandbox.ids.contactConversationId,
			type: 'whatsapp.template',
			template_id: template().welcome,
		});
		expect([answer.status, answer.json]).toEqual([400, invalid('Invalid message type or content')]);
	});
});

describe('§21 the 24-hour window', () => {
	const inside = () => sandbox.inboxIds.whatsappInsideWindowConversationId;
	const outside = () => sandbox.inboxIds.whatsappOutsideWindowConversationId;
	const text = (conversationId: string) =>
		send({ conversation_id: conversationId, type: 'text', text: 'Hello' });

	test('off by default: a free-form send outside the window is stored', async () => {
		expect(sandbox.mode().whatsappWindow).toBe(false);
		expect((await text(outside())).status).toBe(200);
	});

	test('on: free-form sends outside the window are refused; templates and other sends pass', async () => {
		sandbox.setMode({ whatsappWindow: true });
		const before = sandbox.storedMessages(outside());
		for (const body of [
			{ type: 'text', text: 'Hello' },
			{ type: 'image', url: 'https://example.com/a.png' },
			{ type: 'quick_reply', title: 'Yes' },
			{
				type: 'message_template',
				template_id: sandbox.inboxIds.messageTemplateIds.closing,
				text: 'Thanks for chatting with us. Have a nice day!',
			},
		]) {
			const answer = await send({ conversation_id: outside(), ...body });
			expect([body.type, answer.status, answer.json]).toEqual([body.type, 400, WINDOW_CLOSED]);
		}
		expect(sandbox.storedMessages(outside())).toEqual(before);
		// A bad body is still §6's error, not the window's.
		const bad = await send({ conversation_id: outside(), type: 'text', text: '' });
		expect([bad.status, bad.json]).toEqual([400, invalid('Invalid message type or content')]);
		const template = await send({
			conversation_id: outside(),
			type: 'whatsapp.template',
			template_id: sandbox.inboxIds.whatsappTemplateIds.welcome,
		});
		expect(template.status).toBe(200);
		expect((await text(inside())).status).toBe(200);
		expect((await text(sandbox.ids.contactConversationId)).status).toBe(200);
	});

	test('on: the contact writing again opens the window', async () => {
		sandbox.setMode({ whatsappWindow: true });
		expect((await text(outside())).status).toBe(400);
		sandbox.addMessages({ conversationId: outside(), text: 'Are you there?' });
		expect((await text(outside())).status).toBe(200);
	});

	test('the window is 24 h from the seed’s now', async () => {
		sandbox.setMode({ whatsappWindow: true });
		const conversationId = sandbox.addConversation({
			channelId: sandbox.inboxIds.whatsappChannelId,
		});
		const seedNow = sandbox.seedNowMs;
		sandbox.addMessages({
			conversationId,
			at: new Date(seedNow - 24 * 3600_000 - 1).toISOString(),
		});
		expect((await text(conversationId)).status).toBe(400);
		sandbox.addMessages({ conversationId, at: new Date(seedNow - 24 * 3600_000).toISOString() });
		expect((await text(conversationId)).status).toBe(200);
	});

	test('startSandbox({ whatsappWindow: true }), POST /__sandbox/mode, and reset', async () => {
		const started = await startSandbox({ whatsappWindow: true });
		try {
			const body = {
				conversation_id: started.inboxIds.whatsappOutsideWindowConversationId,
				type: 'text',
				text: 'Hi',
			};
			const refused = await call(started.url, 'POST', SEND, { token: started.tokens.agent, body });
			expect([refused.status, refused.json]).toEqual([400, WINDOW_CLOSED]);
			const set = await call(started.url, 'POST', '/__sandbox/mode', {
				body: { whatsappWindow: false },
			});
			expect(set.json).toEqual({
				routes: 'both',
				meili: '1.15',
				inbox: true,
				whatsappWindow: false,
			});
			expect(
				(await call(started.url, 'POST', SEND, { token: started.tokens.agent, body })).status,
			).toBe(200);
			started.reset();
			expect(started.mode().whatsappWindow).toBe(true);
		} finally {
			await started.close();
		}
	});
});

describe('the command line', () => {
	// The defaults are read from the environment too: these tests start from none of it.
	const variables = [
		'IMBRACE_SANDBOX_ROUTES',
		'IMBRACE_SANDBOX_MEILI',
		'IMBRACE_SANDBOX_INBOX',
		'IMBRACE_SANDBOX_WHATSAPP_WINDOW',
	];
	const saved = variables.map((name) => process.env[name]);
	beforeEach(() => variables.forEach((name) => delete process.env[name]));
	afterEach(() =>
		variables.forEach((name, index) => {
			if (saved[index] === undefined) delete process.env[name];
			else process.env[name] = saved[index];
		}),
	);

	test('--whatsapp-window alone or on/off, --inbox on/off; the defaults', () => {
		expect(readSandboxMode([])).toEqual({
			routes: 'current',
			meili: '1.15',
			inbox: true,
			whatsappWindow: false,
		});
		expect(readSandboxMode(['--whatsapp-window']).whatsappWindow).toBe(true);
		expect(readSandboxMode(['--whatsapp-window', '--routes', 'both'])).toEqual({
			routes: 'both',
			meili: '1.15',
			inbox: true,
			whatsappWindow: true,
		});
		expect(readSandboxMode(['--whatsapp-window=off']).whatsappWindow).toBe(false);
		expect(readSandboxMode(['--inbox', 'off']).inbox).toBe(false);
		expect(() => readSandboxMode(['--inbox', 'maybe'])).toThrow(
			'Invalid --inbox (or IMBRACE_SANDBOX_INBOX): maybe; use one of on, off',
		);
	});

	test('the environment variables, a flag winning', () => {
		process.env.IMBRACE_SANDBOX_WHATSAPP_WINDOW = 'on';
		process.env.IMBRACE_SANDBOX_INBOX = 'off';
		expect(readSandboxMode([])).toMatchObject({ inbox: false, whatsappWindow: true });
		expect(readSandboxMode(['--whatsapp-window', 'off', '--inbox=on'])).toMatchObject({
			inbox: true,
			whatsappWindow: false,
		});
	});
});
