import type { INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { requestOptionsProperty } from '../shared/fields/requestOptions';
import { listSearch } from '../shared/listSearch';
import { conversationFields, conversationOperation } from './resources/conversation';
import { messageFields, messageOperation } from './resources/message';
import { conversationIdField } from './resources/message/conversationId';
import { searchMessages } from './resources/message/search';
import { sendAndWaitMessage } from './resources/message/sendAndWait/operation';
import {
	SEND_AND_WAIT_WEBHOOKS,
	sendAndWaitWebhook,
} from './resources/message/sendAndWait/webhook';

export class Imbrace implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'iMBRACE',
		name: 'imbrace',
		icon: { light: 'file:../../icons/imbrace.svg', dark: 'file:../../icons/imbrace.dark.svg' },
		group: ['output'],
		// 1.1: Create's Contact ID and Channel ID are resource locators with pickers (create.ts).
		version: [1, 1.1],
		defaultVersion: 1.1,
		// The canvas shows the operation's action, not its raw values. A literal, as n8n's lint rules
		// want; a test keeps it equal to each operation's `action`.
		subtitle:
			'={{ {"conversation.assign": "Assign a conversation", "conversation.close": "Close a conversation", "conversation.create": "Create a conversation", "conversation.get": "Get a conversation", "conversation.getChannelCounts": "Get conversation counts per channel type", "conversation.getMany": "Get many conversations", "conversation.getTeamChannelCounts": "Get conversation counts per channel type for a team", "conversation.getViewCounts": "Get conversation counts per view", "conversation.reopen": "Reopen a conversation", "conversation.unassign": "Unassign a conversation", "message.fetch": "Fetch messages by filter", "message.getMany": "Get many messages", "message.search": "Search messages", "message.send": "Send a message", "message.sendAndWait": "Send message and wait for response"}[$parameter["resource"] + "." + $parameter["operation"]] }}',
		description:
			'Work the iMBRACE inbox (get, close, reopen and assign conversations, read counts) and send, list, search and fetch messages',
		defaults: { name: 'iMBRACE' },
		// As a tool the editor offers this description, written for the model: what each operation
		// does and the ID it needs. (With n8n's automatic tool description, the model reads the
		// operation's action instead.)
		usableAsTool: {
			replacements: {
				description:
					'Reads and sends iMBRACE messages. Get Many: the messages of one conversation, newest first (needs its conv_ ID). Search: messages of the organization by words and an optional filter. Fetch by Filter: messages that match a filter, e.g. conversation_id = conv_…. Send: a message into a conversation (needs its conv_ ID). Counts: conversations per view (needs a business unit ID, bu_…), per channel type, or per channel type of a team (needs a team ID, t_…). Create: opens a conversation (needs a contact ID, con_…, and a channel ID, ch_…). Lists answer at most 10 simplified items unless told otherwise, and say when more were left out.',
			},
		},
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'imbraceApi', required: true }],
		// Send and Wait for Response resumes through these (see its webhook.ts).
		webhooks: SEND_AND_WAIT_WEBHOOKS,
		// Every answer reaches the operation's checks, which turn a failure into iMBRACE's own
		// message and a fix; the credential supplies the host (see ImbraceApi.authenticate).
		requestDefaults: {
			headers: { Accept: 'application/json' },
			json: true,
			ignoreHttpStatusErrors: true,
		},
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Conversation', value: 'conversation' },
					{ name: 'Message', value: 'message' },
				],
				default: 'message',
			},
			conversationOperation,
			messageOperation,
			conversationIdField,
			...conversationFields,
			...messageFields,
			// n8n adds these itself only to declarative nodes without a webhook (see the file).
			requestOptionsProperty,
		],
	};

	methods = { listSearch };

	// What routing cannot do, each operation runs itself (see its file).
	customOperations = {
		message: { search: searchMessages, sendAndWait: sendAndWaitMessage },
	};

	webhook = sendAndWaitWebhook;
}
