import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import type { CredentialData } from '../../harness/engine';
import type { CursorMode } from '../../harness/poller';
import { createPoller } from '../../harness/poller';
import { byId, callApi, useSandbox } from '../../harness/sandbox';

/**
 * A reply workflow must not answer itself: the trigger leaves out what its own credential sent,
 * whoever sent it (the node, another n8n, a queue-mode worker, iMBRACE's apps), from the first
 * poll on, by asking iMBRACE who the credential is.
 */

const ME = '/platform/v1/users/_me';
const MESSAGES = '/channel-service/v1/conversation_messages';

const texts = (items: INodeExecutionData[] | null) => (items ?? []).map((item) => item.json.text);

type Scope = 'conversation' | 'organization';

describe.each<[Scope, CursorMode]>([
	['conversation', 'legacy'],
	['conversation', 'durable'],
	['organization', 'legacy'],
	['organization', 'durable'],
])('iMBRACE Trigger watching one %s: its own messages (%s cursors)', (scope, mode) => {
	const fixture = useSandbox();

	/** A trigger on a conversation, activated (its first poll made), and ways to write to it. */
	async function activated(
		options: INodeParameters = {},
		credentials: CredentialData = fixture.credentials(),
		conversationId = fixture.sandbox.addConversation(),
	) {
		const { sandbox } = fixture;
		const poller = await createPoller({
			parameters: {
				scope,
				...(scope === 'conversation' ? { conversationId: byId(conversationId) } : {}),
				options,
			},
			credentials,
			mode,
		});
		sandbox.clearRequests();
		expect(await poller.poll()).toEqual({ emitted: null });
		const firstPoll = sandbox.requests().map((request) => request.path);
		/** A text sent straight to iMBRACE, not through n8n. */
		const send = async (text: string, auth: { token?: string; apiKey?: string } = {}) =>
			await callApi(sandbox, MESSAGES, {
				method: 'POST',
				...auth,
				body: { conversation_id: conversationId, type: 'text', text },
			});
		const fromContact = (text: string) => sandbox.addMessages({ conversationId, text });
		return { poller, firstPoll, send, fromContact };
	}

	it('asks iMBRACE who the credential is on the first poll, and keeps the answer', async () => {
		const { poller, firstPoll, fromContact } = await activated();
		fromContact('Hello');
		fixture.sandbox.clearRequests();
		await poller.poll();

		expect(firstPoll.filter((path) => path === ME)).toHaveLength(1);
		expect(fixture.sandbox.requests().filter((request) => request.path === ME)).toHaveLength(0);
		expect(poller.storedState().identity).toEqual({
			token: expect.stringMatching(/^[0-9a-f]{16}$/),
			id: fixture.sandbox.ids.agentUserId,
			isBot: false,
		});
	});

	it('leaves out what its own token sent from outside n8n, from the first poll on', async () => {
		const { poller, send, fromContact } = await activated();

		fromContact('Where is my order?');
		await send('It ships today.');
		await send('Anything else?', { token: fixture.sandbox.tokens.secondAgent });
		const polled = await poller.poll();

		expect(texts(polled.emitted)).toEqual(['Where is my order?', 'Anything else?']);
	});

	it('emits its own messages too with Include Own Messages', async () => {
		const { poller, send, fromContact } = await activated({ includeOwnMessages: true });

		fromContact('Where is my order?');
		await send('It ships today.');

		expect(texts((await poller.poll()).emitted)).toEqual(['Where is my order?', 'It ships today.']);
	});

	it('leaves out an API key’s own messages, which carry its user, and not an agent’s', async () => {
		const { apiKey } = fixture.sandbox.tokens;
		const { poller, send, fromContact } = await activated(
			{},
			fixture.credentials({ authType: 'apiKey', accessToken: apiKey }),
		);

		fromContact('Hello');
		await send('From the key', { apiKey });
		await send('From Alice');

		expect(poller.storedState().identity).toMatchObject({ id: 'u_imbrace_bot', isBot: true });
		expect(texts((await poller.poll()).emitted)).toEqual(['Hello', 'From Alice']);
	});
});

describe('iMBRACE Trigger, where iMBRACE will not say who the credential is', () => {
	const fixture = useSandbox();

	it('leaves out every agent’s and the bot’s messages for a contact token, unless chosen', async () => {
		const { sandbox } = fixture;
		const conversationId = sandbox.ids.contactConversationId;
		const watch = async (options: INodeParameters) => {
			const poller = await createPoller({
				parameters: { scope: 'conversation', conversationId: byId(conversationId), options },
				credentials: fixture.credentials({ accessToken: sandbox.tokens.contact }),
			});
			await poller.poll();
			return poller;
		};
		const defaults = await watch({});
		const withAgents = await watch({ senderTypes: ['agent', 'contact'] });

		sandbox.addMessages({ conversationId, text: 'From the contact' });
		sandbox.addMessages({ conversationId, text: 'From Alice', from: sandbox.ids.agentUserId });
		sandbox.addMessages({ conversationId, text: 'From the bot', from: 'u_imbrace_bot' });

		expect(defaults.storedState().identity).toEqual({
			token: expect.stringMatching(/^[0-9a-f]{16}$/),
			refused: 'notAUser',
		});
		expect(texts((await defaults.poll()).emitted)).toEqual(['From the contact']);
		expect(texts((await withAgents.poll()).emitted)).toEqual(['From the contact', 'From Alice']);
	});

	it('fails a poll whose question is met by an outage, and asks again at the next', async () => {
		const { sandbox } = fixture;
		const conversationId = sandbox.addConversation();
		const poller = await createPoller({
			parameters: { scope: 'conversation', conversationId: byId(conversationId) },
			credentials: fixture.credentials({ accessToken: sandbox.tokens.secondAgent }),
		});
		sandbox.injectFault({ kind: 'status', status: 500, match: { path: ME } });

		const failed = await poller.poll();
		const next = await poller.poll();

		expect(failed.error?.message).toBe('Internal Server Error (HTTP 500)');
		expect(next).toEqual({ emitted: null });
		expect(poller.storedState().identity).toMatchObject({ id: sandbox.ids.secondAgentUserId });
	});

	it('leaves out agents’ and the bot’s messages on a gateway that does not offer who the caller is', async () => {
		const { sandbox } = fixture;
		sandbox.setMode({ inbox: false });
		const conversationId = sandbox.addConversation();
		const poller = await createPoller({
			parameters: { scope: 'conversation', conversationId: byId(conversationId) },
			credentials: fixture.credentials({ authType: 'apiKey', accessToken: sandbox.tokens.apiKey }),
		});
		sandbox.clearRequests();
		await poller.poll();
		const asked = sandbox.requests().find((request) => request.path === ME);

		sandbox.addMessages({ conversationId, text: 'From the contact' });
		sandbox.addMessages({ conversationId, text: 'From Alice', from: sandbox.ids.agentUserId });

		expect(asked?.status).toBe(404);
		expect(poller.storedState().identity).toMatchObject({ refused: 'notOffered' });
		expect(texts((await poller.poll()).emitted)).toEqual(['From the contact']);
	});
});
