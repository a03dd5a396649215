import type { INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { listSearch } from '../shared/listSearch';
import { conversationFields, conversationOperation } from './resources/conversation';
import { messageFields, messageOperation } from './resources/message';
import { conversationIdField } from './resources/message/conversationId';

export class Imbrace implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'iMBRACE',
		name: 'imbrace',
		icon: { light: 'file:../../icons/imbrace.svg', dark: 'file:../../icons/imbrace.dark.svg' },
		group: ['output'],
		// 1.1: Create's Contact ID and Channel ID are resource locators with pickers (create.ts).
		version: [1, 1.1],
		defaultVersion: 1.1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description:
			'Work the iMBRACE inbox (get, close, reopen and assign conversations, read counts) and send, list, search and fetch messages',
		defaults: { name: 'iMBRACE' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'imbraceApi', required: true }],
		hints: [
			{
				message:
					"iMBRACE's message index answers at most 1,000 hits per search. Sorted by Newest or Oldest First, Search reads on past them where the index compares text (Meilisearch 1.15 or later); sorted by Relevance, or on an older index, the output stops at the first 1,000 hits. Fetch by Filter has no such limit.",
				type: 'info',
				location: 'outputPane',
				whenToDisplay: 'afterExecution',
				displayCondition:
					'={{ $parameter["resource"] === "message" && $parameter["operation"] === "search" && ($parameter["returnAll"] === true || $parameter["limit"] > 1000) }}',
			},
		],
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
		],
	};

	methods = { listSearch };
}
