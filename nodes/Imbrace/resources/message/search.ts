import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { listProperties } from '../../../shared/fields/descriptions';
import { messageSearch } from '../../../shared/transport/endpoints';
import { operationRouting } from '../../../shared/operations/routing';
import {
	asText,
	beforeSending,
	checkListLimit,
	dropEmpty,
	fieldsOf,
} from '../../../shared/fields/validation';
import { organizationIdField, toOrganizationIndex } from './organizationId';

/** Relevance is Meilisearch's own order: no sort at all. */
const SORT_ORDERS: Record<string, string[] | undefined> = {
	newestFirst: ['created_at:desc'],
	oldestFirst: ['created_at:asc'],
};

export const FILTER_SYNTAX =
	'Meilisearch syntax over conversation_id, business_unit_id, from, type and created_at, e.g. type = text AND created_at >= "2025-01-01"';

export const searchOperation: INodePropertyOptions = {
	name: 'Search',
	value: 'search',
	action: 'Search messages',
	description:
		"Search the organization's messages by words and an optional filter (conversation, business unit, sender, type, time)",
	routing: operationRouting({
		method: 'POST',
		list: messageSearch,
		checks: [
			beforeSending(function (request) {
				const body = fieldsOf(request, 'body');
				asText(body, ['q', 'filter']);
				body.sort = SORT_ORDERS[String(body.sort)];
				dropEmpty(body, ['filter', 'sort']);
			}),
			checkListLimit,
			toOrganizationIndex('search'),
		],
		hints: {
			notFound: 'Organization ID',
			invalid: `Check the Filter: it uses ${FILTER_SYNTAX}.`,
		},
	}),
};

export const searchFields: INodeProperties[] = [
	organizationIdField('search'),
	{
		displayName: 'Query',
		name: 'query',
		type: 'string',
		default: '',
		placeholder: 'e.g. refund',
		description: 'Words the messages must contain; empty matches every message',
		displayOptions: { show: { resource: ['message'], operation: ['search'] } },
		routing: { send: { type: 'body', property: 'q' } },
	},
	...listProperties({ show: { resource: ['message'], operation: ['search'] } }),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { resource: ['message'], operation: ['search'] } },
		options: [
			{
				displayName: 'Filter',
				name: 'filter',
				type: 'string',
				default: '',
				placeholder: 'e.g. type = text AND from = con_da38689f-ac07-476f-90d9-4a45ec327337',
				description: `Only messages matching this filter, in ${FILTER_SYNTAX}`,
				routing: { send: { type: 'body', property: 'filter' } },
			},
			{
				displayName: 'Sort',
				name: 'sort',
				type: 'options',
				options: [
					{ name: 'Newest First', value: 'newestFirst' },
					{ name: 'Oldest First', value: 'oldestFirst' },
					{ name: 'Relevance', value: 'relevance', description: 'Best matches of the query first' },
				],
				default: 'newestFirst',
				description: 'The order of the messages; relevance when left out',
				routing: { send: { type: 'body', property: 'sort' } },
			},
		],
	},
];
