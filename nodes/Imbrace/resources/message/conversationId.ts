import type { INodeProperties } from 'n8n-workflow';

import { CHATROOM_URL } from '../../../shared/fields/chatroomUrl';
import { idLocator } from '../../../shared/fields/descriptions';
import { CONVERSATION_VIEWS } from '../../../shared/transport/inbox';
import { beforeSending, fieldsOf } from '../../../shared/fields/validation';

/**
 * The conversation of the messages' Get Many, Send and Send and Wait (a contact token may leave it
 * empty) and
 * of the conversation actions. One definition for every operation: n8n's declarative engine
 * evaluates a parameter's value for every definition of its name, for every item, shown or not,
 * so a second definition would cost each item two more evaluations of the expression a
 * workflow puts here.
 */
export const conversationIdField: INodeProperties = {
	...idLocator({
		name: 'conversationId',
		displayName: 'Conversation ID',
		kind: 'conversation',
		searchListMethod: 'searchConversations',
		url: CHATROOM_URL,
		description:
			"The conversation (its conv_ ID, as the dashboard shows it); a contact token may leave it empty to send or read in the contact's own conversation",
		displayOptions: {
			show: {
				resource: ['message', 'conversation'],
				operation: [
					'getMany',
					'send',
					'sendAndWait',
					'get',
					'close',
					'reopen',
					'assign',
					'unassign',
				],
			},
			// Conversations' Get Many (the only one of these with a View) reads a business unit instead.
			hide: { view: CONVERSATION_VIEWS },
		},
	}),
	// Routing sends to one place for every operation: the body, which Get Many moves to the query
	// (conversationIdInQuery). Trimmed, and left out when empty, by the operation's check.
	routing: { send: { type: 'body', property: 'conversation_id' } },
};

/** Get Many reads the conversation from the query: moves the routed Conversation ID there. */
export const conversationIdInQuery = beforeSending(function (request) {
	const body = fieldsOf(request, 'body');
	if ('conversation_id' in body) {
		fieldsOf(request, 'qs').conversation_id = body.conversation_id;
		delete body.conversation_id;
	}
});
