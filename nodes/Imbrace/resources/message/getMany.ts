import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { listProperties } from '../../../shared/descriptions';
import { conversationMessages } from '../../../shared/endpoints';
import { operationRouting } from '../../../shared/routing';
import { checkListLimit, checkSentId } from '../../../shared/validation';
import { conversationIdInQuery } from './conversationId';

export const getManyOperation: INodePropertyOptions = {
	name: 'Get Many',
	value: 'getMany',
	action: 'Get many messages',
	description: 'Retrieve the messages of a conversation, newest first',
	routing: operationRouting({
		endpoint: 'messages',
		method: 'GET',
		list: conversationMessages,
		checks: [
			conversationIdInQuery,
			checkSentId('qs', 'conversation_id', 'Conversation ID', 'conversation', false),
			checkListLimit,
		],
		hints: {
			notFound: 'Conversation ID',
			invalid: 'An agent token or API key must name the conversation: set the Conversation ID.',
		},
	}),
};

export const getManyFields: INodeProperties[] = [
	...listProperties({ show: { resource: ['message'], operation: ['getMany'] } }),
];
