/** §4 create a conversation, §5 list messages, §6 send a message, and the file upload. */
import { createHash } from 'node:crypto';

import { SEED_NOW_MS } from '../../api/data';
import type { StoredMessage } from '../../api/data';
import { ISO_MS, MESSAGE_KEYS, UUID, call, multipartForm } from '../helpers';
import type { CallOptions, ConversationAnswer, ListEnvelope } from '../helpers';
import { startSandbox } from '../../index';
import type { Sandbox } from '../../index';

let sandbox: Sandbox;
const api = <T = unknown>(method: string, path: string, options?: CallOptions) =>
	call<T>(sandbox.url, method, path, options);

const CONVERSATION = '/v1/backend/conversation';
const MESSAGES = '/v1/backend/conversation_messages';
const UPLOAD = '/v1/backend/conversation_messages/_fileupload';
const list = (query: string) => `${MESSAGES}?${query}`;

const INVALID_PARAMETERS = { code: 40000, message: 'Invalid request parameters' };
const INVALID_MESSAGE = { code: 40000, message: 'Invalid message type or content' };
const CONVERSATION_NOT_FOUND = { message: 'Conversation not found' };
const FORBIDDEN = { message: 'Forbidden' };
const NOT_FOUND = { message: 'Not Found' };
const BOT_USER = {
	object_name: 'simple_user',
	id: 'u_imbrace_bot',
	display_name: 'imbrace bot',
	avatar_url: '',
};
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "7 Apr 2022": the date part of a conversation name. */
function nameDate(iso: string): string {
	const date = new Date(iso);
	return `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
}

beforeAll(async () => {
	sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
afterEach(() => sandbox.reset());

describe('§4 create a conversation', () => {
	test('a contact token, empty body: a new conversation for that contact, in its channel', async () => {
		const before = Date.now();
		const answer = await api<ConversationAnswer>('POST', CONVERSATION, {
			token: sandbox.tokens.contact,
		});
		expect(answer.status).toBe(200);
		expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
		const conversation = answer.json;
		expect(Object.keys(conversation)).toEqual([
			'object_name',
			'id',
			'organization_id',
			'business_unit_id',
			'channel_id',
			'channel_type',
			'contact_id',
			'status',
			'name',
			'timestamp',
			'users',
		]);
		expect(conversation).toEqual({
			object_name: 'conversation',
			id: expect.stringMatching(new RegExp(`^conv_${UUID}$`)),
			organization_id: 'org_imbrace',
			business_unit_id: 'bu_imbrace_testing',
			channel_id: sandbox.ids.channelId,
			channel_type: 'web',
			contact_id: sandbox.ids.contactId,
			status: 'active',
			name: expect.stringMatching(/^Guest#\d{6}@/),
			timestamp: expect.stringMatching(ISO_MS),
			users: [BOT_USER],
		});
		expect(conversation.name.split('@')[1]).toBe(nameDate(conversation.timestamp));
		expect(Date.parse(conversation.timestamp)).toBeGreaterThanOrEqual(before);
		expect(Date.parse(conversation.timestamp)).toBeLessThanOrEqual(Date.now());
	});

	test("the contact's new conversation becomes its current one", async () => {
		const created = await api<ConversationAnswer>('POST', CONVERSATION, {
			token: sandbox.tokens.contact,
		});
		const current = await api<ListEnvelope>('GET', MESSAGES, { token: sandbox.tokens.contact });
		expect(current.json).toEqual({
			object_name: 'list',
			data: [],
			nested: {},
			has_more: false,
			count: 0,
			total: 0,
		});
		const sent = await api<StoredMessage>('POST', MESSAGES, {
			token: sandbox.tokens.contact,
			body: { type: 'text', text: 'In the new one' },
		});
		expect(sent.json.conversation_id).toBe(created.json.id);
		const old = await api<ListEnvelope>(
			'GET',
			list(`conversation_id=${sandbox.ids.contactConversationId}`),
			{
				token: sandbox.tokens.contact,
			},
		);
		expect(old.json.count).toBe(15);
	});

	test('a contact token ignores contact_id and channel_id in the body', async () => {
		const answer = await api<ConversationAnswer>('POST', CONVERSATION, {
			token: sandbox.tokens.contact,
			body: { contact_id: sandbox.ids.contactIds[5], channel_id: 'ch_nope' },
		});
		expect(answer.status).toBe(200);
		expect(answer.json.contact_id).toBe(sandbox.ids.contactId);
		expect(answer.json.channel_id).toBe(sandbox.ids.channelId);
	});

	test("an agent names the contact; the channel defaults to the contact's", async () => {
		const contactId = sandbox.ids.contactIds[1];
		const answer = await api<ConversationAnswer>('POST', CONVERSATION, {
			token: sandbox.tokens.agent,
			body: { contact_id: contactId },
		});
		expect(answer.status).toBe(200);
		expect(answer.json.contact_id).toBe(contactId);
		const existing = await api<ListEnvelope>('GET', list(`conversation_id=${answer.json.id}`), {
			token: sandbox.tokens.agent,
		});
		expect(existing.json.count).toBe(0);
	});

	test('an agent may name another channel of the organization', async () => {
		// The first seeded contact whose own channel is not the testing website.
		let contactId = '';
		let ownChannel: ConversationAnswer | undefined;
		for (const candidate of sandbox.ids.contactIds.slice(1)) {
			const probe = await api<ConversationAnswer>('POST', CONVERSATION, {
				token: sandbox.tokens.agent,
				body: { contact_id: candidate },
			});
			if (probe.json.channel_id !== sandbox.ids.channelId) {
				contactId = candidate;
				ownChannel = probe.json;
				break;
			}
		}
		expect(ownChannel?.channel_type).toBe('instagram');
		const answer = await api<ConversationAnswer>('POST', CONVERSATION, {
			token: sandbox.tokens.agent,
			body: { contact_id: contactId, channel_id: sandbox.ids.channelId },
		});
		expect(answer.json).toMatchObject({
			contact_id: contactId,
			channel_id: sandbox.ids.channelId,
			channel_type: 'web',
			business_unit_id: 'bu_imbrace_testing',
		});
	});

	test('an API key creates like an agent', async () => {
		const answer = await api<ConversationAnswer>('POST', CONVERSATION, {
			apiKey: sandbox.tokens.apiKey,
			body: { contact_id: sandbox.ids.contactId },
		});
		expect(answer.status).toBe(200);
		expect(answer.json.contact_id).toBe(sandbox.ids.contactId);
		expect(answer.json.users).toEqual([BOT_USER]);
	});

	test.each([
		['no body', undefined],
		['no contact_id', { channel_id: 'ch_x' }],
		['an empty contact_id', { contact_id: '' }],
		['a numeric contact_id', { contact_id: 5 }],
		['a numeric channel_id', { contact_id: 'con_x', channel_id: 5 }],
		['an array body', [1]],
	])('an agent with %s: 400 Invalid request', async (_name, body) => {
		const answer = await api('POST', CONVERSATION, { token: sandbox.tokens.agent, body });
		expect(answer.status).toBe(400);
		expect(answer.json).toEqual({ code: 40000, message: 'Invalid request' });
	});

	test('a body that is not JSON: 400 Invalid request parameters', async () => {
		const answer = await api('POST', CONVERSATION, {
			token: sandbox.tokens.agent,
			rawBody: '{nope',
		});
		expect(answer.status).toBe(400);
		expect(answer.json).toEqual(INVALID_PARAMETERS);
	});

	test('an unknown contact or channel, or a contact of another organization: 404 Not Found', async () => {
		const answers = [
			await api('POST', CONVERSATION, {
				token: sandbox.tokens.agent,
				body: { contact_id: 'con_nope' },
			}),
			await api('POST', CONVERSATION, {
				token: sandbox.tokens.agent,
				body: { contact_id: sandbox.ids.contactId, channel_id: 'ch_nope' },
			}),
			await api('POST', CONVERSATION, {
				token: sandbox.tokens.otherOrgAgent,
				body: { contact_id: sandbox.ids.contactId },
			}),
		];
		expect(answers.map((answer) => [answer.status, answer.json])).toEqual([
			[404, NOT_FOUND],
			[404, NOT_FOUND],
			[404, NOT_FOUND],
		]);
	});

	test('no token: 401', async () => {
		const answer = await api('POST', CONVERSATION);
		expect(answer.status).toBe(401);
	});
});

describe('§5 list the messages of a conversation', () => {
	const contactConversation = () => `conversation_id=${sandbox.ids.contactConversationId}`;

	test('defaults: limit 10, skip 0, newest first, exact envelope', async () => {
		const answer = await api<ListEnvelope>('GET', list(contactConversation()), {
			token: sandbox.tokens.agent,
		});
		expect(answer.status).toBe(200);
		expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
		expect(Object.keys(answer.json)).toEqual([
			'object_name',
			'data',
			'nested',
			'has_more',
			'count',
			'total',
		]);
		expect(answer.json).toMatchObject({
			object_name: 'list',
			nested: {},
			has_more: true,
			count: 15,
			total: 10,
		});
		expect(answer.json.data).toHaveLength(10);
		for (const message of answer.json.data) expect(Object.keys(message)).toEqual(MESSAGE_KEYS);
		expect(answer.json.data[0]).toEqual({
			object_name: 'message',
			id: 'msg_1234a2c1-0f7d-4ab1-bf8d-6c2bcf4d6a36',
			organization_id: 'org_imbrace',
			business_unit_id: 'bu_imbrace_testing',
			conversation_id: sandbox.ids.contactConversationId,
			from: 'u_imbrace_bot',
			type: 'quick_reply',
			content: { title: 'Talk to an agent', payload: 'agent', description: '' },
			created_at: '2025-06-27T12:00:00.000Z',
			updated_at: '2025-06-27T12:00:00.000Z',
		});
		expect(answer.json.data.map((message) => [message.type, message.created_at])).toEqual([
			['quick_reply', '2025-06-27T12:00:00.000Z'],
			['quick_reply', '2025-06-27T12:00:00.000Z'],
			['text', '2025-06-27T11:52:07.156Z'],
			['text', '2025-06-27T10:04:25.202Z'],
			['pdf', '2025-06-27T08:59:24.970Z'],
			['text', '2025-06-27T08:38:07.435Z'],
			['text', '2025-06-27T08:15:28.843Z'],
			['file', '2025-06-27T07:19:56.264Z'],
			['text', '2025-06-27T07:16:29.375Z'],
			['quick_reply', '2025-06-27T05:22:50.585Z'],
		]);
		expect(answer.json.data[2]).toMatchObject({
			from: sandbox.ids.contactId,
			content: { text: 'Hi, is anyone there?', is_mail: false },
		});
		expect(answer.json.data[4]).toMatchObject({
			from: sandbox.ids.agentUserId,
			content: {
				url: 'https://files.imbrace.test/seed/48256c73-599c-492e-8da6-18b1b89d0e8d/invoice.pdf',
				caption: 'Attachment 11',
			},
		});
	});

	test('ties on created_at: the later insert comes first', async () => {
		const answer = await api<ListEnvelope>('GET', list(`${contactConversation()}&limit=2`), {
			token: sandbox.tokens.agent,
		});
		expect(answer.json.data.map((message) => message.content.title)).toEqual([
			'Talk to an agent',
			'Order status',
		]);
	});

	test('pages: skip 10 is the last page; skip past the end is empty', async () => {
		const last = await api<ListEnvelope>('GET', list(`${contactConversation()}&skip=10`), {
			token: sandbox.tokens.agent,
		});
		expect(last.json).toMatchObject({ has_more: false, count: 15, total: 5 });
		expect(last.json.data.map((message) => message.created_at)).toEqual([
			'2025-06-27T05:22:50.585Z',
			'2025-06-27T03:31:53.568Z',
			'2025-06-27T03:00:18.325Z',
			'2025-06-27T01:18:42.691Z',
			'2025-06-27T00:35:00.343Z',
		]);
		for (const skip of [15, 100]) {
			const past = await api<ListEnvelope>('GET', list(`${contactConversation()}&skip=${skip}`), {
				token: sandbox.tokens.agent,
			});
			expect(past.json).toEqual({
				object_name: 'list',
				data: [],
				nested: {},
				has_more: false,
				count: 15,
				total: 0,
			});
		}
	});

	test('pages of 4 add up to the whole list, in the same order', async () => {
		const whole = await api<ListEnvelope>('GET', list(`${contactConversation()}&limit=100`), {
			token: sandbox.tokens.agent,
		});
		const paged: string[] = [];
		const hasMore: boolean[] = [];
		for (let skip = 0; skip < 16; skip += 4) {
			const page = await api<ListEnvelope>(
				'GET',
				list(`${contactConversation()}&limit=4&skip=${skip}`),
				{
					token: sandbox.tokens.agent,
				},
			);
			paged.push(...page.json.data.map((message) => message.id));
			hasMore.push(page.json.has_more);
		}
		expect(whole.json.total).toBe(15);
		expect(paged).toEqual(whole.json.data.map((message) => message.id));
		expect(hasMore).toEqual([true, true, true, false]);
	});

	test('a contact token without conversation_id lists its own conversation', async () => {
		const byContact = await api<ListEnvelope>('GET', MESSAGES, { token: sandbox.tokens.contact });
		const byAgent = await api<ListEnvelope>('GET', list(contactConversation()), {
			token: sandbox.tokens.agent,
		});
		expect(byContact.status).toBe(200);
		expect(byContact.json).toEqual(byAgent.json);
	});

	test('a contact token naming its own conversation', async () => {
		const answer = await api<ListEnvelope>('GET', list(contactConversation()), {
			token: sandbox.tokens.contact,
		});
		expect(answer.json.count).toBe(15);
	});

	test('a contact token naming another conversation: 403 Forbidden', async () => {
		const answer = await api('GET', list(`conversation_id=${sandbox.ids.conversationIds[1]}`), {
			token: sandbox.tokens.contact,
		});
		expect(answer.status).toBe(403);
		expect(answer.json).toEqual(FORBIDDEN);
	});

	test('an agent or API key without conversation_id: 400 Invalid request parameters', async () => {
		for (const options of [{ token: sandbox.tokens.agent }, { apiKey: sandbox.tokens.apiKey }]) {
			const answer = await api('GET', list('limit=5'), options);
			expect(answer.status).toBe(400);
			expect(answer.json).toEqual(INVALID_PARAMETERS);
		}
	});

	test('an unknown conversation, or one of another organization: 404 Conversation not found', async () => {
		const unknown = await api('GET', list('conversation_id=conv_nope'), {
			token: sandbox.tokens.agent,
		});
		const foreign = await api('GET', list(contactConversation()), {
			token: sandbox.tokens.otherOrgAgent,
		});
		const contactForeign = await api(
			'GET',
			list(`conversation_id=${sandbox.ids.otherConversationIds[0]}`),
			{
				token: sandbox.tokens.contact,
			},
		);
		for (const answer of [unknown, foreign, contactForeign]) {
			expect(answer.status).toBe(404);
			expect(answer.json).toEqual(CONVERSATION_NOT_FOUND);
		}
	});

	test('the API key lists any conversation of its organization', async () => {
		const answer = await api<ListEnvelope>('GET', list(`${contactConversation()}&limit=1`), {
			apiKey: sandbox.tokens.apiKey,
		});
		expect(answer.json).toMatchObject({ count: 15, total: 1, has_more: true });
	});

	test('limit 1 and 100 are accepted', async () => {
		const one = await api<ListEnvelope>('GET', list(`${contactConversation()}&limit=1`), {
			token: sandbox.tokens.agent,
		});
		const hundred = await api<ListEnvelope>('GET', list(`${contactConversation()}&limit=100`), {
			token: sandbox.tokens.agent,
		});
		expect([one.json.total, hundred.json.total]).toEqual([1, 15]);
	});

	test.each([
		'limit=0',
		'limit=101',
		'limit=-1',
		'limit=abc',
		'limit=1.5',
		'limit=',
		'skip=-1',
		'skip=x',
		'skip=1.5',
		'skip=',
	])('%s: 400 Invalid request parameters', async (query) => {
		const answer = await api('GET', list(`${contactConversation()}&${query}`), {
			token: sandbox.tokens.agent,
		});
		expect(answer.status).toBe(400);
		expect(answer.json).toEqual(INVALID_PARAMETERS);
	});
});

describe('§6 send a message', () => {
	const send = (body: unknown, options: CallOptions = { token: sandbox.tokens.agent }) =>
		api<StoredMessage & { channel_id: string; channel_type: string }>('POST', MESSAGES, {
			...options,
			body,
		});
	const target = () => sandbox.ids.contactConversationId;

	test('text: the stored message, with channel fields and the caller as `from`', async () => {
		const answer = await send({ type: 'text', text: 'Hello World', conversation_id: target() });
		expect(answer.status).toBe(200);
		expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
		const message = answer.json;
		expect(Object.keys(message)).toEqual([
			'object_name',
			'id',
			'organization_id',
			'business_unit_id',
			'conversation_id',
			'channel_id',
			'channel_type',
			'from',
			'type',
			'content',
			'created_at',
			'updated_at',
		]);
		expect(message).toEqual({
			object_name: 'message',
			id: expect.stringMatching(new RegExp(`^msg_${UUID}$`)),
			organization_id: 'org_imbrace',
			business_unit_id: 'bu_imbrace_testing',
			conversation_id: target(),
			channel_id: sandbox.ids.channelId,
			channel_type: 'web',
			from: sandbox.ids.agentUserId,
			type: 'text',
			content: { text: 'Hello World', is_mail: false },
			created_at: expect.stringMatching(ISO_MS),
			updated_at: message.created_at,
		});
		expect(Date.parse(message.created_at)).toBeGreaterThan(SEED_NOW_MS);
	});

	test('the sent message is listed first, in the list shape', async () => {
		const sent = await send({ type: 'text', text: 'Listed', conversation_id: target() });
		const listed = await api<ListEnvelope>('GET', list(`conversation_id=${target()}&limit=1`), {
			token: sandbox.tokens.agent,
		});
		const { channel_id, channel_type, ...listShape } = sent.json;
		expect([channel_id, channel_type]).toEqual([sandbox.ids.channelId, 'web']);
		expect(listed.json.data).toEqual([listShape]);
		expect(listed.json.count).toBe(16);
	});

	test.each([
		[
			'image with caption',
			{ type: 'image', url: 'https://example.com/a.png', caption: 'A picture' },
			{ url: 'https://example.com/a.png', caption: 'A picture' },
		],
		[
			'image without caption',
			{ type: 'image', url: 'http://example.com/a.png' },
			{ url: 'http://example.com/a.png', caption: '' },
		],
		[
			'file',
			{ type: 'file', url: 'https://example.com/a.zip', caption: 'zip' },
			{ url: 'https://example.com/a.zip', caption: 'zip' },
		],
		[
			'pdf',
			{ type: 'pdf', url: 'https://example.com/a.pdf' },
			{ url: 'https://example.com/a.pdf', caption: '' },
		],
		[
			'quick_reply with title and payload',
			{ type: 'quick_reply', title: 'Red', payload: '0_red' },
			{ title: 'Red', payload: '0_red', description: '' },
		],
		[
			'quick_reply with a title only',
			{ type: 'quick_reply', title: 'Red' },
			{ title: 'Red', payload: '', description: '' },
		],
		[
			'quick_reply with a payload only',
			{ type: 'quick_reply', payload: '0_red' },
			{ title: '', payload: '0_red', description: '' },
		],
		[
			'text with extra fields',
			{ type: 'text', text: 'Hi', is_mail: true, extra: 1 },
			{ text: 'Hi', is_mail: false },
		],
	])('%s: content nested as the contract says', async (_name, body, content) => {
		const answer = await send({ ...body, conversation_id: target() });
		expect(answer.status).toBe(200);
		expect(answer.json.type).toBe(body.type);
		expect(answer.json.content).toEqual(content);
	});

	test('a contact token sends into its conversation without conversation_id, from the contact', async () => {
		const answer = await send(
			{ type: 'text', text: 'From the widget' },
			{ token: sandbox.tokens.contact },
		);
		expect(answer.status).toBe(200);
		expect(answer.json.conversation_id).toBe(target());
		expect(answer.json.from).toBe(sandbox.ids.contactId);
	});

	test('an API key sends as u_imbrace_bot', async () => {
		const answer = await send(
			{ type: 'text', text: 'Automated', conversation_id: target() },
			{ apiKey: sandbox.tokens.apiKey },
		);
		expect(answer.json.from).toBe('u_imbrace_bot');
	});

	test('back-to-back messages never share a millisecond', async () => {
		const times: number[] = [];
		for (let index = 0; index < 20; index++) {
			const answer = await send({
				type: 'text',
				text: `Burst ${index}`,
				conversation_id: target(),
			});
			times.push(Date.parse(answer.json.created_at));
		}
		for (let index = 1; index < times.length; index++)
			expect(times[index]).toBeGreaterThan(times[index - 1]);
		const listed = await api<ListEnvelope>('GET', list(`conversation_id=${target()}&limit=20`), {
			token: sandbox.tokens.agent,
		});
		expect(listed.json.data.map((message) => message.content.text)).toEqual(
			Array.from({ length: 20 }, (_, index) => `Burst ${19 - index}`),
		);
	});

	test('a message sent to a conversation of another channel carries that channel', async () => {
		const conversationId = sandbox.ids.otherConversationIds[0];
		const answer = await send(
			{ type: 'text', text: 'Other org', conversation_id: conversationId },
			{
				token: sandbox.tokens.otherOrgAgent,
			},
		);
		expect(answer.status).toBe(200);
		expect(answer.json.organization_id).toBe('org_other');
		expect(answer.json.channel_type).toBe('whatsapp');
	});

	test.each([
		['no type', { text: 'Hello' }],
		['an unknown type', { type: 'video', url: 'https://example.com/a.mp4' }],
		['text without text', { type: 'text' }],
		['an empty text', { type: 'text', text: '' }],
		['a numeric text', { type: 'text', text: 5 }],
		['image without url', { type: 'image' }],
		['image with an ftp url', { type: 'image', url: 'ftp://example.com/a.png' }],
		['image with a relative url', { type: 'image', url: '/a.png' }],
		['file with a url that is not one', { type: 'file', url: 'not a url' }],
		['pdf with a numeric caption', { type: 'pdf', url: 'https://example.com/a.pdf', caption: 5 }],
		['quick_reply with neither title nor payload', { type: 'quick_reply' }],
		['quick_reply with empty title and payload', { type: 'quick_reply', title: '', payload: '' }],
		['quick_reply with a numeric title', { type: 'quick_reply', title: 5 }],
	])('%s: 400 Invalid message type or content', async (_name, body) => {
		const answer = await send({ ...body, conversation_id: target() });
		expect(answer.status).toBe(400);
		expect(answer.json).toEqual(INVALID_MESSAGE);
	});

	test('a JSON body that is not an object: 400 Invalid message type or content (contact token)', async () => {
		const answer = await send(['text'], { token: sandbox.tokens.contact });
		expect(answer.status).toBe(400);
		expect(answer.json).toEqual(INVALID_MESSAGE);
	});

	test('a rejected message is not stored', async () => {
		await send({ type: 'text', text: '', conversation_id: target() });
		const listed = await api<ListEnvelope>('GET', list(`conversation_id=${target()}`), {
			token: sandbox.tokens.agent,
		});
		expect(listed.json.count).toBe(15);
	});

	test('conversation rules as in §5', async () => {
		const answers = [
			await send({ type: 'text', text: 'x' }),
			await send({ type: 'text', text: 'x', conversation_id: 5 }),
			await send({ type: 'text', text: 'x', conversation_id: 'conv_nope' }),
			await send(
				{ type: 'text', text: 'x', conversation_id: target() },
				{ token: sandbox.tokens.otherOrgAgent },
			),
			await send(
				{ type: 'text', text: 'x', conversation_id: sandbox.ids.conversationIds[1] },
				{ token: sandbox.tokens.contact },
			),
		];
		expect(answers.map((answer) => [answer.status, answer.json])).toEqual([
			[400, INVALID_PARAMETERS],
			[400, INVALID_PARAMETERS],
			[404, CONVERSATION_NOT_FOUND],
			[404, CONVERSATION_NOT_FOUND],
			[403, FORBIDDEN],
		]);
	});

	test('the conversation is checked before the content', async () => {
		const answer = await send({ type: 'video', conversation_id: 'conv_nope' });
		expect(answer.status).toBe(404);
		expect(answer.json).toEqual(CONVERSATION_NOT_FOUND);
	});

	test('a body that is not JSON: 400 Invalid request parameters', async () => {
		const answer = await api('POST', MESSAGES, {
			token: sandbox.tokens.agent,
			rawBody: 'type=text',
		});
		expect(answer.status).toBe(400);
		expect(answer.json).toEqual(INVALID_PARAMETERS);
	});
});

describe('file upload', () => {
	const form = multipartForm;

	test('stores the file part and serves it back byte for byte, without auth', async () => {
		// Every byte value, and the multipart delimiter's own bytes, inside the file.
		const bytes = new Uint8Array([
			...Array.from({ length: 256 }, (_, index) => index),
			...Buffer.from('\r\n--x\r\n\r\n'),
		]);
		const answer = await api<{ url: string }>('POST', UPLOAD, {
			token: sandbox.tokens.agent,
			rawBody: form({
				destination: 'image/png',
				file: { data: bytes, type: 'image/png', name: 'photo.png' },
			}),
		});
		expect(answer.status).toBe(200);
		expect(answer.json).toEqual({ url: `${sandbox.url}/files/f1/photo.png` });
		const served = await fetch(answer.json.url);
		expect(served.status).toBe(200);
		expect(served.headers.get('content-type')).toBe('image/png');
		expect(Buffer.from(await served.arrayBuffer()).equals(Buffer.from(bytes))).toBe(true);
	});

	test('records the multipart summary as the request body', async () => {
		const bytes = Buffer.from('hello world');
		await api('POST', UPLOAD, {
			apiKey: sandbox.tokens.apiKey,
			rawBody: form({
				destination: 'text/plain',
				file: { data: bytes, type: 'text/plain', name: 'hello.txt' },
			}),
		});
		const [recorded] = sandbox.requests();
		expect(recorded.body).toEqual({
			fields: { destination: 'text/plain' },
			files: [
				{
					field: 'file',
					filename: 'hello.txt',
					contentType: 'text/plain',
					size: 11,
					sha256: createHash('sha256').update(bytes).digest('hex'),
				},
			],
		});
		expect(recorded.status).toBe(200);
	});

	test('a file name with spaces and non-ASCII letters is URL-encoded', async () => {
		const answer = await api<{ url: string }>('POST', UPLOAD, {
			token: sandbox.tokens.contact,
			rawBody: form({
				file: { data: Buffer.from('%PDF'), type: 'application/pdf', name: 'my résumé.pdf' },
			}),
		});
		expect(answer.json.url).toBe(`${sandbox.url}/files/f1/my%20r%C3%A9sum%C3%A9.pdf`);
		const served = await fetch(answer.json.url);
		expect(await served.text()).toBe('%PDF');
	});

	test('the URL goes into an image message', async () => {
		const upload = await api<{ url: string }>('POST', UPLOAD, {
			token: sandbox.tokens.agent,
			rawBody: form({ file: { data: Buffer.from('png'), type: 'image/png', name: 'a.png' } }),
		});
		const sent = await api<StoredMessage>('POST', MESSAGES, {
			token: sandbox.tokens.agent,
			body: {
				type: 'image',
				url: upload.json.url,
				conversation_id: sandbox.ids.contactConversationId,
			},
		});
		expect(sent.json.content).toEqual({ url: upload.json.url, caption: '' });
	});

	test('no file part, or a body that is not multipart: 400 Invalid request parameters', async () => {
		const answers = [
			await api('POST', UPLOAD, {
				token: sandbox.tokens.agent,
				rawBody: form({ destination: 'image/png' }),
			}),
			await api('POST', UPLOAD, {
				token: sandbox.tokens.agent,
				rawBody: form({ other: { data: Buffer.from('x'), type: 'text/plain', name: 'x.txt' } }),
			}),
			await api('POST', UPLOAD, { token: sandbox.tokens.agent, body: { file: 'x' } }),
			await api('POST', UPLOAD, {
				token: sandbox.tokens.agent,
				rawBody: 'garbage',
				headers: { 'content-type': 'multipart/form-data; boundary=abc' },
			}),
		];
		expect(answers.map((answer) => [answer.status, answer.json])).toEqual([
			[400, INVALID_PARAMETERS],
			[400, INVALID_PARAMETERS],
			[400, INVALID_PARAMETERS],
			[400, INVALID_PARAMETERS],
		]);
	});

	test('no token: 401', async () => {
		const answer = await api('POST', UPLOAD, {
			rawBody: form({ file: { data: Buffer.from('x'), type: 'text/plain', name: 'x.txt' } }),
		});
		expect(answer.status).toBe(401);
		expect(answer.json).toEqual({ message: 'Unauthorized - API key or Access Token required' });
	});

	test('an unknown file, or the right id with another name: 404 Not Found', async () => {
		await api('POST', UPLOAD, {
			token: sandbox.tokens.agent,
			rawBody: form({ file: { data: Buffer.from('x'), type: 'text/plain', name: 'x.txt' } }),
		});
		for (const path of ['/files/f9/x.txt', '/files/f1/y.txt', '/files/f1/%E0%A4%A.txt']) {
			const answer = await api('GET', path);
			expect(answer.status).toBe(404);
			expect(answer.json).toEqual(NOT_FOUND);
		}
	});

	test('a hand-written multipart body with a quoted boundary and CRLF framing', async () => {
		const body = [
			'preamble to ignore',
			'--b0undary',
			'Content-Disposition: form-data; name="destination"',
			'',
			'application/octet-stream',
			'--b0undary',
			'Content-Disposition: form-data; name="file"; filename="raw.bin"',
			'',
			'line one\r\nline two',
			'--b0undary--',
			'',
		].join('\r\n');
		const answer = await api<{ url: string }>('POST', UPLOAD, {
			token: sandbox.tokens.agent,
			rawBody: body,
			headers: { 'content-type': 'multipart/form-data; boundary="b0undary"' },
		});
		expect(answer.json).toEqual({ url: `${sandbox.url}/files/f1/raw.bin` });
		const served = await fetch(answer.json.url);
		expect(served.headers.get('content-type')).toBe('application/octet-stream');
		expect(await served.text()).toBe('line one\r\nline two');
	});
});
