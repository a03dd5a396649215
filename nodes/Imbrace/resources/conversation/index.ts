import type { INodeProperties } from 'n8n-workflow';

import { assignOperation } from './actions/assign';
import { closeOperation } from './actions/close';
import { createFields, createOperation } from './create';
import { assignmentFields, statusOptionsField } from './fields';
import { getOperation } from './get';
import { getChannelCountsFields, getChannelCountsOperation } from './counts/getChannelCounts';
import { getManyFields, getManyOperation } from './getMany';
import {
	getTeamChannelCountsFields,
	getTeamChannelCountsOperation,
} from './counts/getTeamChannelCounts';
import { getViewCountsFields, getViewCountsOperation } from './counts/getViewCounts';
import { reopenOperation } from './actions/reopen';
import { unassignOperation } from './actions/unassign';

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
