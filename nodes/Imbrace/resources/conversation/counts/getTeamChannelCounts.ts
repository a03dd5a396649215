import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { idLocator } from '../../../../shared/fields/descriptions';
import { operationRouting } from '../../../../shared/operations/routing';
import { checkSentId } from '../../../../shared/fields/validation';

export const getTeamChannelCountsOperation: INodePropertyOptions = {
	name: 'Get Team Channel Counts',
	value: 'getTeamChannelCounts',
	action: 'Get conversation counts per channel type for a team',
	description: "Count one team's conversations per channel type and in all",
	routing: operationRouting({
		endpoint: 'teamChannelCounts',
		method: 'GET',
		checks: [checkSentId('qs', 'team_id', 'Team ID', 'team')],
		hints: { notFound: 'Team ID' },
	}),
};

export const getTeamChannelCountsFields: INodeProperties[] = [
	{
		...idLocator({
			name: 'teamId',
			displayName: 'Team ID',
			kind: 'team',
			required: true,
			searchListMethod: 'searchTeams',
			placeholder: 'e.g. t_imbrace_default_team',
			description:
				'The team whose conversations to count; Get View Counts lists the team IDs of a business unit',
			displayOptions: { show: { resource: ['conversation'], operation: ['getTeamChannelCounts'] } },
		}),
		routing: {
			send: { type: 'query', property: 'team_id' },
		},
	},
];
