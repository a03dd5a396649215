import { simplifyMessage } from '../../../nodes/shared/simplify';
import { runNode } from '../../harness/engine';
import { useSandbox } from '../../harness/sandbox';

describe('the message simplifier', () => {
	const fixture = useSandbox();

	it('gives one flat shape, the same from Get Many, Search and Fetch by Filter', async () => {
		const { sandbox } = fixture;
		const conversationId = sandbox.addConversation();
		sandbox.addMessages({
			conversationId,
			messages: [
				{ type: 'text', content: { text: 'Hello', is_mail: false } },
				{ type: 'image', content: { url: 'https://files.example.com/a.png', caption: 'A' } },
				{ type: 'file', content: { url: 'https://files.example.com/a.zip', caption: '' } },
				{ type: 'pdf', content: { url: 'https://files.example.com/a.pdf', caption: 'Terms' } },
				{
					type: 'quick_reply',
					from: 'u_imbrace_bot',
					content: { title: 'Red', payload: '0_red', description: '' },
				},
				{
					type: 'text',
					from: sandbox.ids.agentUserId,
					content: { text: 'Agent here', is_mail: false },
				},
			],
		});
		const filter = `conversation_id = ${conversationId}`;
		const parameters = { resource: 'message', returnAll: true, simplify: true };
		const credentials = fixture.credentials();

		const [listed, searched, fetched] = await Promise.all([
			runNode({ parameters: { ...parameters, operation: 'getMany', conversationId }, credentials }),
			runNode({
				parameters: {
					...parameters,
					operation: 'search',
					options: { filter, sort: 'newestFirst' },
				},
				credentials,
			}),
			runNode({ parameters: { ...parameters, operation: 'fetch', filter }, credentials }),
		]);

		const shapes = (run: typeof listed) => run.output.map((item) => item.json);
		expect(shapes(listed)).toHaveLength(6);
		expect(shapes(searched)).toEqual(shapes(listed));
		expect(shapes(fetched)).toEqual(shapes(listed));
		expect(
			shapes(listed).map(({ type, sender_type, text, url, caption, title, payload }) => ({
				type,
				sender_type,
				text,
				url,
				caption,
				title,
				payload,
			})),
		).toEqual([
			{
				type: 'text',
				sender_type: 'agent',
				text: 'Agent here',
				url: null,
				caption: null,
				title: null,
				payload: null,
			},
			{
				type: 'quick_reply',
				sender_type: 'bot',
				text: null,
				url: null,
				caption: null,
				title: 'Red',
				payload: '0_red',
			},
			{
				type: 'pdf',
				sender_type: 'contact',
				text: null,
				url: 'https://files.example.com/a.pdf',
				caption: 'Terms',
				title: null,
				payload: null,
			},
			{
				type: 'file',
				sender_type: 'contact',
				text: null,
				url: 'https://files.example.com/a.zip',
				caption: '',
				title: null,
				payload: null,
			},
			{
				type: 'image',
				sender_type: 'contact',
				text: null,
				url: 'https://files.example.com/a.png',
				caption: 'A',
				title: null,
				payload: null,
			},
			{
				type: 'text',
				sender_type: 'contact',
				text: 'Hello',
				url: null,
				caption: null,
				title: null,
				payload: null,
			},
		]);
		expect(Object.keys(shapes(listed)[0])).toEqual([
			'id',
			'conversation_id',
			'business_unit_id',
			'organization_id',
			'from',
			'sender_type',
			'type',
			'text',
			'url',
			'caption',
			'title',
			'payload',
			'created_at',
		]);
	});

	it('takes the ID from id, public_id or _id, and leaves unknown senders without a type', () => {
		expect(simplifyMessage({ id: 'msg_a', from: 'con_x' })).toMatchObject({
			id: 'msg_a',
			sender_type: 'contact',
		});
		expect(simplifyMessage({ public_id: 'msg_b', _id: 'msg_c' }).id).toBe('msg_b');
		expect(simplifyMessage({ _id: 'msg_c', from: 'system' })).toMatchObject({
			id: 'msg_c',
			sender_type: null,
		});
		expect(simplifyMessage({})).toEqual({
			id: null,
			conversation_id: null,
			business_unit_id: null,
			organization_id: null,
			from: null,
			sender_type: null,
			type: null,
			text: null,
			url: null,
			caption: null,
			title: null,
			payload: null,
			created_at: null,
		});
	});
});
