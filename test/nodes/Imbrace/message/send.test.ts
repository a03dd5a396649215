import { createHash } from 'node:crypto';
import type { INodeExecutionData } from 'n8n-workflow';
import { Expression } from 'n8n-workflow';

import { runNode } from '../../../harness/engine';
import { byId, useSandbox } from '../../../harness/sandbox';

describe('iMBRACE node: message Send', () => {
	const fixture = useSandbox();

	function send(
		parameters: Record<string, unknown>,
		items?: INodeExecutionData[],
		onError?: 'continueRegularOutput',
	) {
		return runNode({
			parameters: { resource: 'message', operation: 'send', ...parameters },
			items,
			credentials: fixture.credentials(),
			settings: onError ? { onError } : {},
		});
	}

	function bodies() {
		return fixture.sandbox.requests().map(({ method, path, body }) => ({ method, path, body }));
	}

	const SEND = '/channel-service/v1/conversation_messages';
	const UPLOAD = '/channel-service/v1/conversation_messages/_fileupload';
	const MESSAGES = '/channel-service/v1/conversation_messages';

	it('sends a text message and answers the stored message', async () => {
		const { sandbox } = fixture;
		const conversationId = sandbox.ids.conversationIds[0];

		const run = await send({
			conversationId: byId(conversationId),
			messageType: 'text',
			text: 'Hello World',
		});

		expect(run.error).toBeUndefined();
		expect(bodies()).toEqual([
			{
				method: 'POST',
				path: SEND,
				body: { conversation_id: conversationId, type: 'text', text: 'Hello World' },
			},
		]);
		expect(run.output).toHaveLength(1);
		expect(run.output[0].json).toMatchObject({
			object_name: 'message',
			conversation_id: conversationId,
			from: sandbox.ids.agentUserId,
			type: 'text',
			content: { text: 'Hello World', is_mail: false },
		});
		expect(run.output[0].pairedItem).toEqual({ item: 0 });
	});

	it.each(['image', 'file', 'pdf'])('sends a %s by URL, with its caption', async (messageType) => {
		const conversationId = fixture.sandbox.ids.conversationIds[0];
		const url = `https://files.example.com/a.${messageType === 'image' ? 'png' : messageType === 'pdf' ? 'pdf' : 'zip'}`;

		const run = await send({
			conversationId,
			messageType,
			fileSource: 'url',
			url,
			caption: 'Our price list',
		});

		expect(bodies()).toEqual([
			{
				method: 'POST',
				path: SEND,
				body: {
					conversation_id: conversationId,
					type: messageType,
					url,
					caption: 'Our price list',
				},
			},
		]);
		expect(run.output[0].json).toMatchObject({
			type: messageType,
			content: { url, caption: 'Our price list' },
		});
	});

	it('leaves an empty caption out', async () => {
		const conversationId = fixture.sandbox.ids.conversationIds[0];

		await send({ conversationId, messageType: 'image', url: 'https://files.example.com/a.png' });

		expect(bodies()[0].body).toEqual({
			conversation_id: conversationId,
			type: 'image',
			url: 'https://files.example.com/a.png',
		});
	});

	it('sends a quick reply with the wire type quick_reply', async () => {
		const conversationId = fixture.sandbox.ids.conversationIds[0];

		const run = await send({
			conversationId,
			messageType: 'quickReply',
			title: 'Red',
			payload: '0_red',
		});

		expect(bodies()[0].body).toEqual({
			conversation_id: conversationId,
			type: 'quick_reply',
			title: 'Red',
			payload: '0_red',
		});
		expect(run.output[0].json).toMatchObject({
			type: 'quick_reply',
			content: { title: 'Red', payload: '0_red', description: '' },
		});
	});

	it('sends text fields mapped from numbers as text', async () => {
		const conversationId = fixture.sandbox.ids.conversationIds[0];

		await send({ conversationId, messageType: 'text', text: '={{ $json.amount }}' }, [
			{ json: { amount: 42 } },
		]);
		await send(
			{
				conversationId,
				messageType: 'quickReply',
				title: '={{ $json.choice }}',
				payload: '={{ $json.choice }}',
			},
			[{ json: { choice: 7 } }],
		);

		expect(bodies().map((request) => request.body)).toEqual([
			{ conversation_id: conversationId, type: 'text', text: '42' },
			{ conversation_id: conversationId, type: 'quick_reply', title: '7', payload: '7' },
		]);
		expect(fixture.sandbox.requests().map((request) => request.status)).toEqual([200, 200]);
	});

	it("sends into a contact token's own conversation when the Conversation ID is empty", async () => {
		const { sandbox } = fixture;
		const run = await runNode({
			parameters: { resource: 'message', operation: 'send', messageType: 'text', text: 'Hi' },
			credentials: fixture.credentials({ accessToken: sandbox.tokens.contact }),
		});

		expect(bodies()[0].body).toEqual({ type: 'text', text: 'Hi' });
		expect(run.output[0].json).toMatchObject({
			conversation_id: sandbox.ids.contactConversationId,
			from: sandbox.ids.contactId,
		});
	});

	it('evaluates each expression of an item only as often as n8n itself must', async () => {
		// In n8n 2.x every evaluation runs in an isolate, the largest cost of a large send
		// (bench/RESULTS.md): n8n's engine evaluates a routed parameter four times per item (twice
		// to build the request, twice to check its base URL); the node adds none.
		const [first, second] = fixture.sandbox.ids.conversationIds;
		const evaluations = jest.spyOn(Expression.prototype, 'resolveSimpleParameterValue');
		try {
			const run = await send(
				{
					conversationId: '={{ $json.conversation }}',
					messageType: 'text',
					text: '={{ $json.text }}',
				},
				Array.from({ length: 10 }, (_, i) => ({
					json: { conversation: i % 2 ? second : first, text: `Message ${i + 1}` },
				})),
			);

			expect(run.error).toBeUndefined();
			expect(run.output).toHaveLength(10);
			const count = (expression: string) =>
				evaluations.mock.calls.filter(([value]) => value === expression).length;
			expect(count('={{ $json.conversation }}')).toBe(40);
			expect(count('={{ $json.text }}')).toBe(40);
		} finally {
			evaluations.mockRestore();
		}
	});

	describe('a binary file', () => {
		const files = [
			{ name: 'brochure.pdf', mimeType: 'application/pdf', content: '%PDF-1.4 brochure' },
			{ name: 'photo.png', mimeType: 'image/png', content: '\u0089PNG photo bytes' },
			{ name: 'notes.txt', mimeType: 'text/plain', content: 'plain notes' },
		];
		const itemWith = (file: (typeof files)[number], property = 'data'): INodeExecutionData => ({
			json: { name: file.name },
			binary: {
				[property]: {
					data: Buffer.from(file.content).toString('base64'),
					mimeType: file.mimeType,
					fileName: file.name,
					fileExtension: file.name.split('.').pop(),
				},
			},
		});
		const sha256 = (text: string) => createHash('sha256').update(Buffer.from(text)).digest('hex');

		it('uploads the file with its name and type, then sends the address iMBRACE gives it', async () => {
			const conversationId = fixture.sandbox.ids.conversationIds[0];
			const [file] = files;

			const run = await send(
				{ conversationId, messageType: 'pdf', fileSource: 'binary', caption: 'Brochure' },
				[itemWith(file)],
			);

			expect(run.error).toBeUndefined();
			const [upload, message] = bodies();
			expect(upload).toEqual({
				method: 'POST',
				path: UPLOAD,
				body: {
					fields: { destination: 'application/pdf' },
					files: [
						{
							field: 'file',
							filename: 'brochure.pdf',
							contentType: 'application/pdf',
							size: Buffer.byteLength(file.content),
							sha256: sha256(file.content),
						},
					],
				},
			});
			const url = String(
				run.output[0].json.content && (run.output[0].json.content as { url: string }).url,
			);
			expect(url).toMatch(/\/files\/.+\/brochure\.pdf$/);
			expect(message).toEqual({
				method: 'POST',
				path: SEND,
				body: { conversation_id: conversationId, type: 'pdf', url, caption: 'Brochure' },
			});
			const download = await fetch(url);
			expect(download.headers.get('content-type')).toBe('application/pdf');
			expect(await download.text()).toBe(file.content);
		});

		it("gives up an upload after the node's Timeout and its own tries, like its other requests", async () => {
			const { sandbox } = fixture;
			sandbox.injectFault({ kind: 'delay', ms: 2000, match: { path: UPLOAD }, times: Infinity });

			const run = await runNode({
				parameters: {
					resource: 'message',
					operation: 'send',
					conversationId: sandbox.ids.conversationIds[0],
					messageType: 'pdf',
					fileSource: 'binary',
					requestOptions: { timeout: 250 },
				},
				items: [itemWith(files[0])],
				credentials: fixture.credentials(),
			});

			expect(run.error?.message).toBe(`${sandbox.url} did not answer in time`);
			expect(run.output).toEqual([]);
			expect(sandbox.requests().filter((request) => request.path === MESSAGES)).toEqual([]);
		});

		it('uploads each input item’s own file, from the named binary field', async () => {
			const conversationId = fixture.sandbox.ids.conversationIds[0];

			const run = await send(
				{
					conversationId,
					messageType: 'file',
					fileSource: 'binary',
					binaryPropertyName: 'attachment',
				},
				files.map((file) => itemWith(file, 'attachment')),
			);

			expect(run.error).toBeUndefined();
			expect(run.output.map((item) => item.pairedItem)).toEqual([
				{ item: 0 },
				{ item: 1 },
				{ item: 2 },
			]);
			const sent = run.output.map((item) => (item.json.content as { url: string }).url);
			expect(sent.map((url) => url.split('/').pop())).toEqual(files.map((file) => file.name));
			const requests = fixture.sandbox.requests();
			expect(requests.filter((r) => r.path === UPLOAD)).toHaveLength(3);
			expect(requests.filter((r) => r.path === SEND)).toHaveLength(3);
			for (const [index, url] of sent.entries()) {
				expect(await (await fetch(url)).text()).toBe(files[index].content);
			}
		});
	});

	describe('checks before sending', () => {
		it('fails each bad item before any request, naming the parameter and the item, and sends the rest', async () => {
			const conversationId = fixture.sandbox.ids.conversationIds[0];

			const run = await send(
				{
					conversationId: '={{ $json.conversation }}',
					messageType: 'text',
					text: '={{ $json.text }}',
				},
				[
					{ json: { conversation: conversationId, text: 'first' } },
					{ json: { conversation: conversationId, text: '   ' } },
					{ json: { conversation: 'bu_imbrace_testing', text: 'wrong kind of ID' } },
					{ json: { conversation: conversationId, text: 'last' } },
				],
				'continueRegularOutput',
			);

			expect(
				run.output.map((item) => item.json.error ?? (item.json.content as { text: string }).text),
			).toEqual([
				'first',
				'The Text is empty [item 1]',
				'The Conversation ID "bu_imbrace_testing" is not a conversation ID [item 2]',
				'last',
			]);
			expect(bodies().map((request) => (request.body as { text: string }).text)).toEqual([
				'first',
				'last',
			]);
		});

		it.each([
			[
				'ftp://files.example.com/a.png',
				'The URL "ftp://files.example.com/a.png" is not an absolute http(s) URL [item 0]',
			],
			['/relative/a.png', 'The URL "/relative/a.png" is not an absolute http(s) URL [item 0]'],
			['https://', 'The URL "https://" is not an absolute http(s) URL [item 0]'],
		])('refuses the URL %s', async (url, message) => {
			const run = await send(
				{
					conversationId: fixture.sandbox.ids.conversationIds[0],
					messageType: 'image',
					url: '={{ $json.url }}',
				},
				[{ json: { url } }],
			);

			expect(run.error?.message).toBe(message);
			expect(run.error?.description).toBe(
				'Enter the full address of the file, starting with https:// or http://, or choose Binary File as the File Source.',
			);
			expect(fixture.sandbox.requests()).toEqual([]);
		});

		it('refuses a missing binary field, saying which fields the item has', async () => {
			const run = await send(
				{
					conversationId: fixture.sandbox.ids.conversationIds[0],
					messageType: 'pdf',
					fileSource: 'binary',
					binaryPropertyName: 'file',
				},
				[{ json: {}, binary: { data: { data: 'JVBERg==', mimeType: 'application/pdf' } } }],
			);

			expect(run.error?.message).toBe(
				'The Input Binary Field "file" is not a binary field of the input item [item 0]',
			);
			expect(run.error?.description).toBe(
				'The input item has the binary field "data": enter the one that holds the file.',
			);
			expect(fixture.sandbox.requests()).toEqual([]);
		});

		it('refuses a quick reply without title and payload', async () => {
			const run = await send({
				conversationId: fixture.sandbox.ids.conversationIds[0],
				messageType: 'quickReply',
				title: '={{ "" }}',
			});

			expect(run.error?.message).toBe('The Title and the Payload are both empty [item 0]');
			expect(fixture.sandbox.requests()).toEqual([]);
		});
	});
});
