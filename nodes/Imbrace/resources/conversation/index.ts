import type { INodeProperties } from 'n8n-workflow';

import { createFields, createOperation } from './create';
import { getChannelCountsFields, getChannelCountsOperation } from './getChannelCounts';
import { getTeamChannelCountsFields, getTeamChannelCountsOperation } from './getTeamChannelCounts';
import { getViewCountsFields, getViewCountsOperation } from './getViewCounts';

export const conversationDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['conversation'] } },
		options: [
			createOperation,
			getChannelCountsOperation,
			getTeamChannelCountsOperation,
			getViewCountsOperation,
		],
		default: 'getViewCounts',
	},
	...getViewCountsFields,
	...getChannelCountsFields,
	...getTeamChannelCountsFields,
	...createFields,
];
