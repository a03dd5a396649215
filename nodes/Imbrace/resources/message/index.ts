import type { INodeProperties } from 'n8n-workflow';

import { conversationIdField } from './conversationId';
import { fetchFields, fetchOperation } from './fetch';
import { getManyFields, getManyOperation } from './getMany';
import { searchFields, searchOperation } from './search';
import { sendFields, sendOperation } from './send';
import { sendAndWaitFields, sendAndWaitOperation } from './sendAndWait/fields';

export const messageDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['message'] } },
		options: [
			fetchOperation,
			getManyOperation,
			searchOperation,
			sendOperation,
			sendAndWaitOperation,
		],
		default: 'send',
	},
	conversationIdField,
	...getManyFields,
	...sendFields,
	...searchFields,
	...fetchFields,
	...sendAndWaitFields,
];
