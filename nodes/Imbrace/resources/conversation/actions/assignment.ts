import type { IDataObject, IExecuteSingleFunctions, IHttpRequestOptions } from 'n8n-workflow';

import { beforeSending, fieldsOf, textOf, tidyId } from '../../../../shared/fields/validation';
import {
	CONVERSATION_HINTS,
	readTeamConversation,
	requestOptionsOf,
	teamConversationId,
	teamConversationsOf,
} from '../../../../shared/inbox/teamConversations';
import { operationRouting } from '../../../../shared/operations/routing';
import type { Requester } from '../../../../shared/transport/requester';
import { INBOX_PATHS } from '../../../../shared/transport/inbox';

function checkAssignment(agentRequired: boolean) {
	return beforeSending(function (request) {
		const body = fieldsOf(request, 'body');
		tidyId(this, body, 'conversation_id', 'Conversation ID', 'conversation');
		tidyId(this, body, 'team_id', 'Team ID', 'team');
		tidyId(this, body, 'user_id', 'Agent ID', 'agent', agentRequired);
	});
}

/**
 * Whether the assignment is as the write left it, after its answer was lost: the team's copy of
 * the conversation (§15) and, for an agent, whether they are in it (§16). Where the credential
 * cannot see the team's copy, nothing can be told, and the write is not sent again.
 */
async function assignmentIs(
	context: IExecuteSingleFunctions,
	requester: Requester,
	request: IHttpRequestOptions,
	assigned: boolean,
): Promise<boolean> {
	const conversationId = textOf(request, 'conversation_id');
	const teamId = textOf(request, 'team_id');
	const agentId = textOf(request, 'user_id');
	const found = await teamConversationsOf(context, requester, conversationId, request);
	const copy = found.find((teamConversation) => teamConversation.team_id === teamId);
	if (!copy) throw new Error("The team's copy of the conversation cannot be read");
	if (!agentId) return true;
	const { users } = await readTeamConversation(requester, teamConversationId(copy), request);
	const isIn = Array.isArray(users) && users.some((user) => (user as IDataObject)?.id === agentId);
	return isIn === assigned;
}

/**
 * Assign and Unassign (§18) take the `conv_` ID. Assigning what is assigned, or removing an
 * agent who is not in it, changes nothing: a lost answer is confirmed before it is sent again.
 */
export function assignmentRouting(assigned: boolean) {
	return operationRouting({
		method: 'POST',
		write: {
			what: 'assignment',
			done: assigned ? 'made' : 'removed',
			lane: (request) => textOf(request, 'conversation_id'),
		},
		checks: [checkAssignment(!assigned)],
		hints: { ...CONVERSATION_HINTS, notFound: 'Conversation ID and Team ID' },
		async perform({ requester, request, hints, write }) {
			const result = {
				conversation_id: textOf(request, 'conversation_id'),
				team_id: textOf(request, 'team_id'),
				agent_id: textOf(request, 'user_id') || null,
				assigned,
			};
			const body: IDataObject = {
				conversation_id: result.conversation_id,
				team_id: result.team_id,
			};
			if (result.agent_id) body.user_id = result.agent_id;
			await requester.call({
				request: {
					method: 'POST',
					url: assigned ? INBOX_PATHS.assign : INBOX_PATHS.unassign,
					body,
					...requestOptionsOf(request),
				},
				hints,
				write: write?.(async () =>
					(await assignmentIs(this, requester, request, assigned)) ? { success: true } : undefined,
				),
			});
			return [result];
		},
	});
}
