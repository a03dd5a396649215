import type { INodeProperties } from 'n8n-workflow';

import { assignOperation } from './assign';
import { closeOperation } from './close';
import { createFields, createOperation } from './create';
import { assignmentFields, statusOptionsField } from './fields';
import { getOperation } from './get';
import { getChannelCountsFields, getChannelCountsOperation } from './getChannelCounts';
import { getManyFields, getManyOperation } from './getMany';
import { getTeamChannelCountsFields, getTeamChannelCountsOperation } from './getTeamChannelCounts';
import { getViewCountsFields, getViewCountsOperation } from './getViewCounts';
import { reopenOperation } from './reopen';
import { unassignOperation } from './unassign';

export const conversationOperation: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['conversation'] } },
	options: [
		assignOperation,
		closeOperation,
		createOperation,
		getOperation,
		getChannelCountsOperation,
		getManyOperation,
		getTeamChannelCountsOperation,
		getViewCountsOperation,
		reopenOperation,
		unassignOperation,
	],
	default: 'getViewCounts',
};

export const conversationFields: INodeProperties[] = [
	...assignmentFields,
	statusOptionsField,
	{
		displayName: 'Simplify',
		name: 'simplify',
		type: 'boolean',
		default: true,
		description: 'Whether to return a simplified version of the response instead of the raw data',
		displayOptions: { show: { resource: ['conversation'], operation: ['get'] } },
	},
	...getManyFields,
	...getViewCountsFields,
	...getChannelCountsFields,
	...getTeamChannelCountsFields,
	...createFields,
];
