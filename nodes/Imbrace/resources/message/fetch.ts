import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { listProperties } from '../../../shared/fields/descriptions';
import { messageFetch } from '../../../shared/transport/endpoints';
import { operationRouting } from '../../../shared/operations/routing';
import { beforeSending, checkListLimit, ensure, fieldsOf } from '../../../shared/fields/validation';
import { organizationIdField, toOrganizationIndex } from './organizationId';
import { FILTER_SYNTAX } from './search';

export const fetchOperation: INodePropertyOptions = {
	name: 'Fetch by Filter',
	value: 'fetch',
	action: 'Fetch messages by filter',
	description:
		"Retrieve the organization's messages that match a filter, newest first, without a search query",
	routing: operationRouting({
		method: 'POST',
		list: messageFetch,
		checks: [
			beforeSending(function (request) {
				if (!String(fieldsOf(request, 'body').filter ?? '').trim()) {
					ensure(this, 'Filter', {
						problem: 'is empty',
						fix: `Enter a filter in ${FILTER_SYNTAX}.`,
					});
				}
			}),
			checkListLimit,
			toOrganizationIndex('fetch'),
		],
		hints: {
			notFound: 'Organization ID',
			invalid: `Check the Filter: it uses ${FILTER_SYNTAX}.`,
		},
	}),
};

export const fetchFields: INodeProperties[] = [
	organizationIdField('fetch'),
	{
		displayName: 'Filter',
		name: 'filter',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. conversation_id = conv_f8ca2a03-b7f5-4060-a988-c9c90d48c284',
		description: `Which messages to fetch, in ${FILTER_SYNTAX}`,
		displayOptions: { show: { resource: ['message'], operation: ['fetch'] } },
		routing: { send: { type: 'body', property: 'filter' } },
	},
	...listProperties({ show: { resource: ['message'], operation: ['fetch'] } }),
];
