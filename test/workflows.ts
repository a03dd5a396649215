// Workflows that the end-to-end and queue-mode tests import into real n8n, as n8n's CLI imports them.
import { CREDENTIAL_ID } from '../scripts/n8n/examples';

/** The sandbox credential that `npm start` and the tests import. */
export const CREDENTIALS = { imbraceApi: { id: CREDENTIAL_ID, name: 'iMBRACE sandbox' } };

export const REPLY_LOOP_ID = 'imbraceReplyLoop';

/**
 * The reply loop a user builds: the trigger on one conversation, with its defaults, and a Send
 * into the same conversation. With its defaults the trigger must not take the replies for new
 * messages (they come from the same credential), wherever the Send runs.
 */
export function replyLoopWorkflow(conversationId: string) {
	return {
		id: REPLY_LOOP_ID,
		name: 'Reply to every new message of a conversation',
		active: false,
		nodes: [
			{
				id: 'reply-loop-1',
				name: 'New Message',
				type: 'n8n-nodes-imbrace.imbraceTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {
					pollTimes: { item: [{ mode: 'everyMinute' }] },
					scope: 'conversation',
					conversationId,
				},
				credentials: CREDENTIALS,
			},
			{
				id: 'reply-loop-2',
				name: 'Answer',
				type: 'n8n-nodes-imbrace.imbrace',
				typeVersion: 1,
				position: [220, 0],
				parameters: {
					resource: 'message',
					operation: 'send',
					conversationId: '={{ $json.conversation_id }}',
					messageType: 'text',
					text: '=Thanks, we got your message: {{ $json.text }}',
				},
				credentials: CREDENTIALS,
			},
		],
		connections: {
			'New Message': { main: [[{ node: 'Answer', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}
