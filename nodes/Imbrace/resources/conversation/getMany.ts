import type { IDataObject, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { idLocator, listProperties } from '../../../shared/fields/descriptions';
import {
	beforeSending,
	checkListLimit,
	ensure,
	fieldsOf,
	limitOf,
	tidyId,
} from '../../../shared/fields/validation';
import { requestOptionsOf, simplifyConversation } from '../../../shared/inbox/teamConversations';
import { operationRouting } from '../../../shared/operations/routing';
import { INBOX_PATHS, VIEW_VALUES, readInboxList } from '../../../shared/transport/inbox';

const VIEWS = VIEW_VALUES;

const CHANNEL_TYPES = ['web', 'whatsapp', 'facebook', 'instagram', 'email', 'wechat', 'line'];

const checkInboxQuery = beforeSending(function (request) {
	const qs = fieldsOf(request, 'qs');
	tidyId(this, qs, 'q', 'Business Unit ID', 'businessUnit');
	const view = String(qs.view ?? 'all');
	if (!(view in VIEWS)) {
		ensure(this, 'View', {
			problem: `"${view}" is not one of ${Object.keys(VIEWS).join(', ')}`,
			fix: 'Choose a view from the list, or map one of those values.',
		});
	}
	qs.view = VIEWS[view];
	if (view === 'team') tidyId(this, qs, 'team_id', 'Team ID', 'team');
	else delete qs.team_id;
	const types = qs.channel_types;
	if (types !== undefined) {
		const list = Array.isArray(types) ? types.map(String) : [String(types)];
		const unknown = list.find((type) => !CHANNEL_TYPES.includes(type));
		if (unknown !== undefined) {
			ensure(this, 'Channel Types', {
				problem: `"${unknown}" is not one of ${CHANNEL_TYPES.join(', ')}`,
				fix: 'Choose channel types from the list, or map those values.',
			});
		}
		if (list.length) qs.channel_types = list;
		else delete qs.channel_types;
	}
	if (typeof qs.search === 'string' && !qs.search.trim()) delete qs.search;
});

export const getManyOperation: INodePropertyOptions = {
	name: 'Get Many',
	value: 'getMany',
	action: 'Get many conversations',
	description:
		"Retrieve a business unit's conversations in one inbox view, or those matching a search, most recent activity first",
	routing: operationRouting({
		method: 'GET',
		checks: [checkInboxQuery, checkListLimit],
		hints: { inbox: true, notFound: 'Business Unit ID' },
		async perform({ requester, request, hints }) {
			const qs = fieldsOf(request, 'qs');
			const returnAll = this.getNodeParameter('returnAll', false) as boolean;
			const limit = returnAll ? Infinity : Number(limitOf(this.getNodeParameter('limit', 50)));
			const types = (qs.channel_types as string[] | undefined) ?? [];
			const search = typeof qs.search === 'string' ? qs.search.trim() : '';
			// The search (§15) takes no view or channel types: it finds conversations of any status,
			// and the node keeps those of the chosen channel types itself.
			const listRequest = search
				? {
						method: 'GET' as const,
						url: INBOX_PATHS.inboxSearch,
						qs: { business_unit_id: qs.q, type: 'text', q: search },
					}
				: {
						method: 'GET' as const,
						url: INBOX_PATHS.inbox,
						qs: {
							type: 'business_unit_id',
							q: qs.q,
							view: qs.view,
							...(qs.team_id ? { team_id: qs.team_id } : {}),
							...(types.length ? { channel_types: types } : {}),
						},
						// `channel_types=web&channel_types=whatsapp`, one per type.
						arrayFormat: 'repeat' as const,
					};
			const rows = await readInboxList(
				{ ...listRequest, ...requestOptionsOf(request) },
				limit,
				async (page) => await requester.call({ request: page, hints }),
				search && types.length ? (row) => types.includes(String(row.channel_type)) : undefined,
			);
			const simplify = this.getNodeParameter('simplify', true) as boolean;
			const nowMs = Date.now() + (requester.token.clockAheadMs ?? 0);
			return rows.map((row: IDataObject) => (simplify ? simplifyConversation(row, nowMs) : row));
		},
	}),
};

function showFor(extra: Record<string, string[]> = {}) {
	return { show: { resource: ['conversation'], operation: ['getMany'], ...extra } };
}

export const getManyFields: INodeProperties[] = [
	{
		...idLocator({
			name: 'businessUnitId',
			displayName: 'Business Unit ID',
			kind: 'businessUnit',
			required: true,
			searchListMethod: 'searchBusinessUnits',
			placeholder: 'e.g. bu_imbrace_testing',
			description: 'The business unit whose inbox to read',
			displayOptions: showFor(),
		}),
		routing: { send: { type: 'query', property: 'q' } },
	},
	{
		displayName: 'View',
		name: 'view',
		type: 'options',
		options: [
			{ name: 'All', value: 'all', description: "Open conversations of the caller's teams" },
			{
				name: 'Closed',
				value: 'closed',
				description: 'Closed by an agent, or after 24 h without a message',
			},
			{
				name: 'Overdue',
				value: 'overdue',
				description: 'Waiting for a reply for more than 5 minutes',
			},
			{
				name: 'Pending',
				value: 'pending',
				description: "An agent joined; the contact's last message is not answered",
			},
			{ name: 'Rep Needed', value: 'repNeeded', description: 'New, and no agent has joined' },
			{
				name: 'Soon To Be Overdue',
				value: 'soonToBe',
				description: 'Waiting for a reply for more than 3 minutes',
			},
			{ name: 'Spam', value: 'spam', description: 'Marked as spam' },
			{ name: 'Team', value: 'team', description: 'Those of one team (set the Team ID)' },
			{ name: 'Yours', value: 'yours', description: 'Those the caller has joined' },
		],
		default: 'all',
		description: 'Which of the inbox’s conversations to read; ignored by a search',
		displayOptions: showFor(),
		routing: { send: { type: 'query', property: 'view' } },
	},
	{
		...idLocator({
			name: 'teamId',
			displayName: 'Team ID',
			kind: 'team',
			required: true,
			searchListMethod: 'searchTeams',
			placeholder: 'e.g. t_imbrace_default_team',
			description: 'The team whose conversations to read',
			displayOptions: showFor({ view: ['team'] }),
		}),
		routing: { send: { type: 'query', property: 'team_id' } },
	},
	...listProperties(showFor()),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: showFor(),
		options: [
			{
				displayName: 'Channel Types',
				name: 'channelTypes',
				type: 'multiOptions',
				options: [
					{ name: 'Email', value: 'email' },
					{ name: 'Facebook', value: 'facebook' },
					{ name: 'Instagram', value: 'instagram' },
					{ name: 'LINE', value: 'line' },
					{ name: 'Web', value: 'web' },
					{ name: 'WeChat', value: 'wechat' },
					{ name: 'WhatsApp', value: 'whatsapp' },
				],
				default: [],
				description: 'Only conversations on these channels; none chosen for every channel',
				routing: { send: { type: 'query', property: 'channel_types' } },
			},
			{
				displayName: 'Search',
				name: 'search',
				type: 'string',
				default: '',
				placeholder: 'e.g. Jenny',
				description:
					"Only conversations whose name or contact's name contains this text, whatever their status (the View is not used)",
				routing: { send: { type: 'query', property: 'search' } },
			},
		],
	},
];
