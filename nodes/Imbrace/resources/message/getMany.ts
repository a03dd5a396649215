import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { listProperties } from '../../../shared/fields/descriptions';
import { conversationMessages } from '../../../shared/transport/endpoints';
import { operationRouting } from '../../../shared/operations/routing';
import { checkListLimit, checkSentId } from '../../../shared/fields/validation';
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
