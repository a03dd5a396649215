import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

import { idLocator } from '../../../shared/fields/descriptions';

function showFor(operations: string[]): IDisplayOptions {
	return { show: { resource: ['conversation'], operation: operations } };
}

/** Assign's and Unassign's team, and Unassign's and Assign's agent. */
export const assignmentFields: INodeProperties[] = [
	{
		...idLocator({
			name: 'teamId',
			displayName: 'Team ID',
			kind: 'team',
			required: true,
			searchListMethod: 'searchTeams',
			placeholder: 'e.g. t_imbrace_default_team',
			description: 'The team the conversation is assigned to (or whose agent leaves it)',
			displayOptions: showFor(['assign', 'unassign']),
		}),
		routing: { send: { type: 'body', property: 'team_id' } },
	},
	// One definition for both operations (n8n evaluates a parameter once per definition of its
	// name, for every item); Unassign's check requires it.
	{
		...idLocator({
			name: 'agentId',
			displayName: 'Agent ID',
			kind: 'agent',
			searchListMethod: 'searchAgents',
			placeholder: 'e.g. u_a9af39df-f69d-4630-9cce-c6029429b495',
			description:
				'The agent of that team who joins (Assign) or leaves (Unassign) the conversation; Assign without one assigns the team only',
			displayOptions: showFor(['assign', 'unassign']),
		}),
		routing: { send: { type: 'body', property: 'user_id' } },
	},
];

/** Close's and Reopen's options: the one team whose copy of the conversation to change. */
export const statusOptionsField: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	displayOptions: showFor(['close', 'reopen']),
	options: [
		{
			...idLocator({
				name: 'teamId',
				displayName: 'Team ID',
				kind: 'team',
				searchListMethod: 'searchTeams',
				placeholder: 'e.g. t_imbrace_default_team',
				description:
					"Only this team's copy of the conversation; empty changes every team's copy that the credential sees",
			}),
			routing: { send: { type: 'body', property: 'team_id' } },
		},
	],
};
