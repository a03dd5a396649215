import type { INodeProperties } from 'n8n-workflow';

import { fetchFields, fetchOperation } from './fetch';
import { getManyFields, getManyOperation } from './getMany';
import { searchFields, searchOperation } from './search';
import { sendFields, sendOperation } from './send';
import { sendAndWaitFields, sendAndWaitOperation } from './sendAndWait/fields';

export const messageOperation: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['message'] } },
	options: [fetchOperation, getManyOperation, searchOperation, sendOperation, sendAndWaitOperation],
	default: 'send',
};

export const messageFields: INodeProperties[] = [
	...getManyFields,
	...sendFields,
	...searchFields,
	...fetchFields,
	...sendAndWaitFields,
];
