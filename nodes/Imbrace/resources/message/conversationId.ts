import type { INodeProperties } from 'n8n-workflow';

import { idLocator } from '../../../shared/fields/descriptions';
import { beforeSending, fieldsOf } from '../../../shared/fields/validation';

/**
 * The conversation of Get Many, Send and Send and Wait; a contact token may leave it empty. One definition for
 * both operations: n8n's declarative engine evaluates a parameter's value for every definition
 * of its name, for every item, so a second definition would cost each item two more evaluations
 * of the expression a workflow puts here.
 */
export const conversationIdField: INodeProperties = {
	...idLocator({
		name: 'conversationId',
		displayName: 'Conversation ID',
		kind: 'conversation',
		description:
			"The conversation; required with an agent token or API key, and may be left empty with a contact token to use the contact's own conversation",
		displayOptions: {
			show: { resource: ['message'], operation: ['getMany', 'send', 'sendAndWait'] },
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
