import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { idLocator } from '../../../../shared/fields/descriptions';
import { operationRouting } from '../../../../shared/operations/routing';
import { checkSentId } from '../../../../shared/fields/validation';

export const getViewCountsOperation: INodePropertyOptions = {
	name: 'Get View Counts',
	value: 'getViewCounts',
	action: 'Get conversation counts per view',
	description:
		"Count a business unit's conversations per inbox view (all, yours, closed, spam, online, rep needed, pending, soon to be overdue, overdue) and per team",
	routing: operationRouting({
		endpoint: 'viewCounts',
		method: 'GET',
		qs: { type: 'business_unit_id' },
		checks: [checkSentId('qs', 'q', 'Business Unit ID', 'businessUnit')],
		hints: { notFound: 'Business Unit ID' },
	}),
};

export const getViewCountsFields: INodeProperties[] = [
	{
		...idLocator({
			name: 'businessUnitId',
			displayName: 'Business Unit ID',
			kind: 'businessUnit',
			required: true,
			searchListMethod: 'searchBusinessUnits',
			placeholder: 'e.g. bu_imbrace_testing',
			description: 'The business unit whose conversations to count',
			displayOptions: { show: { resource: ['conversation'], operation: ['getViewCounts'] } },
		}),
		routing: { send: { type: 'query', property: 'q' } },
	},
];
