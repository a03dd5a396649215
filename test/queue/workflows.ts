// The workflows of the queue-mode test, as n8n's CLI imports them.
import { CREDENTIALS } from '../workflows';

export const SEND_WORKFLOW_ID = 'imbraceQueueSend';
export const SEND_WEBHOOK_PATH = 'imbrace-queue-send';
export const TRIGGER_WORKFLOW_ID = 'imbraceQueueTrig';
export const TRIGGER_NODE = 'New Message';

interface WorkflowNode {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	webhookId?: string;
	credentials?: typeof CREDENTIALS;
}

function workflow(id: string, name: string, nodes: WorkflowNode[]) {
	const connections = Object.fromEntries(
		nodes
			.slice(0, -1)
			.map((from, index) => [
				from.name,
				{ main: [[{ node: nodes[index + 1].name, type: 'main', index: 0 }]] },
			]),
	);
	return { id, name, active: false, nodes, connections, settings: { executionOrder: 'v1' } };
}

/**
 * Webhook → Split Out → iMBRACE Send: a POST of `{ messages: [{ conversationId, text }, …] }`
 * becomes one production execution (queued for a worker in queue mode) that sends one message
 * per entry, in the order of the list. The webhook answers as soon as the execution is queued.
 */
export function sendWorkflow() {
	return workflow(SEND_WORKFLOW_ID, 'Queue mode: send the messages of a POST', [
		{
			id: 'b7a3f0c2-5e1d-4c8a-9f00-000000000001',
			name: 'Messages To Send',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			webhookId: 'b7a3f0c2-5e1d-4c8a-9f00-0000000000aa',
			parameters: {
				httpMethod: 'POST',
				path: SEND_WEBHOOK_PATH,
				responseMode: 'onReceived',
				options: {},
			},
		},
		{
			id: 'b7a3f0c2-5e1d-4c8a-9f00-000000000002',
			name: 'One Item Per Message',
			type: 'n8n-nodes-base.splitOut',
			typeVersion: 1,
			position: [220, 0],
			parameters: { fieldToSplitOut: 'body.messages', include: 'noOtherFields', options: {} },
		},
		{
			id: 'b7a3f0c2-5e1d-4c8a-9f00-000000000003',
			name: 'Send',
			type: 'n8n-nodes-imbrace.imbrace',
			typeVersion: 1,
			position: [440, 0],
			parameters: {
				resource: 'message',
				operation: 'send',
				conversationId: '={{ $json.conversationId }}',
				messageType: 'text',
				text: '={{ $json.text }}',
			},
			credentials: CREDENTIALS,
		},
	]);
}

/** The iMBRACE Trigger alone, watching one conversation, polled every minute. */
export function triggerWorkflow(conversationId: string) {
	return workflow(TRIGGER_WORKFLOW_ID, 'Queue mode: new messages of one conversation', [
		{
			id: 'b7a3f0c2-5e1d-4c8a-9f00-000000000011',
			name: TRIGGER_NODE,
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
	]);
}
