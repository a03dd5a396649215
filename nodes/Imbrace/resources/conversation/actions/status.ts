import type { IDataObject, INodePropertyOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { beforeSending, fieldsOf, textOf, tidyId } from '../../../../shared/fields/validation';
import {
	CONVERSATION_HINTS,
	readTeamConversation,
	requestOptionsOf,
	teamConversationId,
	teamConversationsOf,
} from '../../../../shared/inbox/teamConversations';
import { operationRouting } from '../../../../shared/operations/routing';
import { INBOX_PATHS } from '../../../../shared/transport/inbox';

const checkStatusChange = beforeSending(function (request) {
	const body = fieldsOf(request, 'body');
	tidyId(this, body, 'conversation_id', 'Conversation ID', 'conversation');
	tidyId(this, body, 'team_id', 'Team ID', 'team', false);
});

/** Whether a team conversation's status is what Close or Reopen made it. */
const REACHED = {
	closed: (status: unknown) => status === 'closed',
	active: (status: unknown) => status !== 'closed',
};

/**
 * Close and Reopen (§17): the status is set on team conversations, which §15 finds for the
 * `conv_` ID: the one of Options' team, or each that the caller sees (one output item each).
 * Setting a status it has already changes nothing, and a lost answer is confirmed by reading
 * the team conversation (§16) before it is sent again.
 */
export function statusOperation(status: 'closed' | 'active'): INodePropertyOptions['routing'] {
	const verb = status === 'closed' ? 'closed' : 'reopened';
	return operationRouting({
		method: 'POST',
		write: {
			what: 'conversation',
			done: verb,
			lane: (request) => textOf(request, 'conversation_id'),
		},
		checks: [checkStatusChange],
		hints: CONVERSATION_HINTS,
		async perform({ requester, request, hints, write }) {
			const conversationId = textOf(request, 'conversation_id');
			const teamId = textOf(request, 'team_id');
			const found = await teamConversationsOf(this, requester, conversationId, request);
			const targets = teamId ? found.filter((copy) => copy.team_id === teamId) : found;
			if (!targets.length) {
				const itemIndex = this.getItemIndex();
				throw new NodeOperationError(
					this.getNode(),
					`The conversation ${conversationId} is not in the team ${teamId}, or this credential cannot see it there [item ${itemIndex}]`,
					{
						itemIndex,
						description: `Check the Team ID under Options; the credential sees the conversation in ${found.map((copy) => String(copy.team_id)).join(', ')}. Leave the Team ID empty to change every team's copy.`,
					},
				);
			}
			const changed: IDataObject[] = [];
			for (const target of targets) {
				const id = teamConversationId(target);
				changed.push(
					await requester.call({
						request: {
							method: 'POST',
							url: INBOX_PATHS.updateStatus,
							body: { id, status },
							...requestOptionsOf(request),
						},
						hints,
						write: write?.(async () => {
							const now = await readTeamConversation(requester, id, request);
							return REACHED[status](now.status) ? now : undefined;
						}),
					}),
				);
			}
			return changed;
		},
	});
}
