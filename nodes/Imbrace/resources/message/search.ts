import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';

import { listProperties } from '../../../shared/fields/descriptions';
import {
	asText,
	checkLimit,
	dropEmpty,
	ensure,
	limitOf,
	organizationIdOf,
} from '../../../shared/fields/validation';
import { eachItem, requestOptionsOf } from '../../../shared/operations/custom';
import { MAX_IN_FLIGHT } from '../../../shared/operations/nodeRun';
import { simplifyMessage } from '../../../shared/simplify';
import { answerLimitOf, isToolNode, toolList, toolListBounds } from '../../../shared/toolMode';
import { messageSearch, readList } from '../../../shared/transport/endpoints';
import { Requester, gatewayOf } from '../../../shared/transport/requester';
import { endpointPath } from '../../../shared/transport/routes';
import { organizationIdField } from './organizationId';

/** Relevance is Meilisearch's own order: no sort at all. */
const SORT_ORDERS: Record<string, string[] | undefined> = {
	newestFirst: ['created_at:desc'],
	oldestFirst: ['created_at:asc'],
};

export const FILTER_SYNTAX =
	'Meilisearch syntax over conversation_id, business_unit_id, from, type and created_at, e.g. type = text AND created_at >= "2025-01-01"';

const HINTS = {
	notFound: 'Organization ID',
	invalid: `Check the Filter: it uses ${FILTER_SYNTAX}.`,
};

/** What to tell the user when the index's 1,000-hit cap cut the answer, and how to get it all. */
function cutNotice(returned: number, sorted: boolean): string {
	const how = sorted
		? 'This index cannot read on past the cap by time (it compares text from Meilisearch 1.15 on). To get every match, use Fetch by Filter, which has no cap.'
		: 'To get every match, sort by Newest First or Oldest First (which reads on past the cap where the index compares text, Meilisearch 1.15 or later), or use Fetch by Filter, which has no cap.';
	return `Search stopped at iMBRACE's 1,000-hit cap: ${returned.toLocaleString('en-US')} messages came back, and more match. ${how}`;
}

/**
 * Search is a custom operation (see the node's customOperations): only an operation that runs
 * itself can tell the user, under its output, that the index's cap cut an answer; routing cannot.
 */
export async function searchMessages(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const gateway = await gatewayOf(this);
	const requester = new Requester(this, gateway);
	return await eachItem(
		this,
		async (itemIndex) => {
			const item = { context: this, itemIndex };
			const organizationId = await organizationIdOf(item);
			const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
			const limit = this.getNodeParameter('limit', itemIndex, 50);
			if (!returnAll) ensure(item, 'Limit', checkLimit(limit));
			const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
			const body: IDataObject = {
				q: this.getNodeParameter('query', itemIndex, ''),
				filter: options.filter,
				sort: SORT_ORDERS[String(options.sort)],
			};
			asText(body, ['q', 'filter']);
			dropEmpty(body, ['filter', 'sort']);
			const asked = returnAll ? Infinity : Number(limitOf(limit));
			// As a tool: simplified, and bounded even with Return All (see toolMode.ts).
			const tool = isToolNode(this.getNode());
			const bounds = tool
				? toolListBounds(asked, answerLimitOf(this.getNodeParameter('answerLimit', itemIndex, 0)))
				: undefined;
			const { rows, cut } = await readList(
				messageSearch,
				{
					method: 'POST',
					url: endpointPath('search', organizationId),
					headers: { Accept: 'application/json' },
					body,
					...requestOptionsOf(this, itemIndex),
				},
				bounds?.read ?? asked,
				async (page) => await requester.call({ request: page, hints: { ...HINTS, itemIndex } }),
			);
			if (cut) {
				this.addExecutionHints({
					message: cutNotice(rows.length, body.sort !== undefined),
					location: 'outputPane',
				});
			}
			const simplify = tool || (this.getNodeParameter('simplify', itemIndex, false) as boolean);
			const items = rows.map((row) => ({ json: simplify ? simplifyMessage(row) : row }));
			return bounds ? toolList(items, bounds, 'messages') : items;
		},
		MAX_IN_FLIGHT,
	);
}

export const searchOperation: INodePropertyOptions = {
	name: 'Search',
	value: 'search',
	action: 'Search messages',
	description:
		"Search the organization's messages by words and an optional filter (conversation, business unit, sender, type, time)",
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
			},
		],
	},
];
