import type { INodePropertyOptions } from 'n8n-workflow';

import { beforeSending, fieldsOf, textOf, tidyId } from '../../../shared/fields/validation';
import {
	CONVERSATION_HINTS,
	readTeamConversation,
	simplifyConversation,
	teamConversationId,
	teamConversationsOf,
} from '../../../shared/inbox/teamConversations';
import { operationRouting } from '../../../shared/operations/routing';

export const checkConversationId = beforeSending(function (request) {
	tidyId(this, fieldsOf(request, 'body'), 'conversation_id', 'Conversation ID', 'conversation');
});

export const getOperation: INodePropertyOptions = {
	name: 'Get',
	value: 'get',
	action: 'Get a conversation',
	description:
		'Retrieve a conversation of the inbox: its status, channel, contact, last messages and the agents in it',
	routing: operationRouting({
		method: 'GET',
		checks: [checkConversationId],
		hints: CONVERSATION_HINTS,
		// Two reads: §15 turns the conv_ ID into the team's copy, which §16 reads with its agents.
		async perform({ requester, request }) {
			const conversationId = textOf(request, 'conversation_id');
			const found = await teamConversationsOf(this, requester, conversationId, request);
			// Routed to several of the caller's teams: the copy the caller has joined, else the first.
			const chosen = found.find((copy) => copy.is_joined === true) ?? found[0];
			const conversation = await readTeamConversation(
				requester,
				teamConversationId(chosen),
				request,
			);
			const simplify = this.getNodeParameter('simplify', true) as boolean;
			const nowMs = Date.now() + (requester.token.clockAheadMs ?? 0);
			return [simplify ? simplifyConversation(conversation, nowMs) : conversation];
		},
	}),
};
