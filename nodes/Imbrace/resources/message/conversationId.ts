import type { INodeProperties } from 'n8n-workflow';

import { idLocator } from '../../../shared/descriptions';

/** The conversation of Get Many and Send; a contact token may leave it empty. */
export function conversationIdField(operation: string, property: 'qs' | 'body'): INodeProperties {
	return {
		...idLocator({
			name: 'conversationId',
			displayName: 'Conversation ID',
			kind: 'conversation',
			description:
				"The conversation; required with an agent token or API key, and may be left empty with a contact token to use the contact's own conversation",
			displayOptions: { show: { resource: ['message'], operation: [operation] } },
		}),
		// Trimmed, and left out when empty, by the operation's check.
		routing: { send: { type: property === 'qs' ? 'query' : 'body', property: 'conversation_id' } },
	};
}
