// The workflows the benchmark runs in real n8n: the iMBRACE node, and n8n's HTTP Request node
// doing the same requests with the same credential (so the same auth header).
import { CREDENTIAL_ID } from '../n8n/examples';
import type { Workflow } from '../n8n/examples';

const CREDENTIALS = { imbraceApi: { id: CREDENTIAL_ID, name: 'iMBRACE sandbox' } };
export const MEASURED = 'Measured';

function workflow(
	id: string,
	name: string,
	input: Workflow['nodes'][number] | undefined,
	measured: Workflow['nodes'][number],
): Workflow {
	const nodes = [
		{
			id: `${id}-1`,
			name: 'Start',
			type: 'n8n-nodes-base.manualTrigger',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		},
		...(input ? [input] : []),
		measured,
	] as Workflow['nodes'];
	const chain = nodes.map((node) => node.name);
	const connections = Object.fromEntries(
		chain
			.slice(0, -1)
			.map((from, index) => [
				from,
				{ main: [[{ node: chain[index + 1], type: 'main', index: 0 }]] },
			]),
	);
	return {
		id,
		name,
		active: false,
		nodes,
		connections,
		settings: { executionOrder: 'v1' },
		pinData: {},
	};
}

/** A Code node that makes `count` items, each with the text to send. */
function items(id: string, count: number): Workflow['nodes'][number] {
	return {
		id: `${id}-2`,
		name: 'Items',
		type: 'n8n-nodes-base.code',
		typeVersion: 2,
		position: [200, 0],
		parameters: {
			jsCode: `return Array.from({ length: ${count} }, (_, i) => ({ json: { text: 'Benchmark message ' + (i + 1) } }));`,
		},
	} as Workflow['nodes'][number];
}

export function sendWorkflows(conversationId: string, sandboxUrl: string, count: number) {
	const node = workflow(
		'benchSendNode001',
		'Bench: send with the iMBRACE node',
		items('benchSendNode001', count),
		{
			id: 'benchSendNode001-3',
			name: MEASURED,
			type: 'n8n-nodes-imbrace.imbrace',
			typeVersion: 1,
			position: [400, 0],
			parameters: {
				resource: 'message',
				operation: 'send',
				conversationId,
				messageType: 'text',
				text: '={{ $json.text }}',
			},
			credentials: CREDENTIALS,
		} as Workflow['nodes'][number],
	);
	const http = workflow(
		'benchSendHttp001',
		'Bench: send with HTTP Request',
		items('benchSendHttp001', count),
		{
			id: 'benchSendHttp001-3',
			name: MEASURED,
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.2,
			position: [400, 0],
			parameters: {
				method: 'POST',
				url: `${sandboxUrl}/v1/backend/conversation_messages`,
				authentication: 'predefinedCredentialType',
				nodeCredentialType: 'imbraceApi',
				sendBody: true,
				specifyBody: 'json',
				jsonBody: `={{ JSON.stringify({ conversation_id: '${conversationId}', type: 'text', text: $json.text }) }}`,
				options: {},
			},
			credentials: CREDENTIALS,
		} as Workflow['nodes'][number],
	);
	return { node, http };
}

export function readWorkflows(conversationId: string, sandboxUrl: string) {
	const node = workflow('benchReadNode001', 'Bench: read with the iMBRACE node', undefined, {
		id: 'benchReadNode001-3',
		name: MEASURED,
		type: 'n8n-nodes-imbrace.imbrace',
		typeVersion: 1,
		position: [400, 0],
		parameters: {
			resource: 'message',
			operation: 'getMany',
			conversationId,
			returnAll: true,
			simplify: false,
		},
		credentials: CREDENTIALS,
	} as Workflow['nodes'][number]);
	const http = workflow('benchReadHttp001', 'Bench: read with HTTP Request', undefined, {
		id: 'benchReadHttp001-3',
		name: MEASURED,
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		position: [400, 0],
		parameters: {
			url: `${sandboxUrl}/v1/backend/conversation_messages`,
			authentication: 'predefinedCredentialType',
			nodeCredentialType: 'imbraceApi',
			sendQuery: true,
			queryParameters: {
				parameters: [
					{ name: 'conversation_id', value: conversationId },
					{ name: 'limit', value: '100' },
				],
			},
			options: {
				pagination: {
					pagination: {
						parameters: {
							parameters: [{ type: 'qs', name: 'skip', value: '={{ $pageCount * 100 }}' }],
						},
						paginationCompleteWhen: 'other',
						completeExpression: '={{ $response.body.has_more === false }}',
					},
				},
			},
		},
		credentials: CREDENTIALS,
	} as Workflow['nodes'][number]);
	return { node, http };
}

export function triggerWorkflows(conversationId: string) {
	const reply = (id: string): Workflow['nodes'][number] =>
		({
			id: `${id}-2`,
			name: 'Received',
			type: 'n8n-nodes-base.noOp',
			typeVersion: 1,
			position: [200, 0],
			parameters: {},
		}) as Workflow['nodes'][number];
	const trigger = (id: string, name: string, parameters: Record<string, unknown>): Workflow => ({
		id,
		name,
		active: false,
		nodes: [
			{
				id: `${id}-1`,
				name: 'Trigger',
				type: 'n8n-nodes-imbrace.imbraceTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {
					pollTimes: { item: [{ mode: 'everyMinute' }] },
					options: { simplify: true },
					...parameters,
				},
				credentials: CREDENTIALS,
			},
			reply(id),
		] as Workflow['nodes'],
		connections: { Trigger: { main: [[{ node: 'Received', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
		pinData: {},
	});
	return {
		conversation: trigger('benchTrigConv001', 'Bench: trigger on one conversation', {
			scope: 'conversation',
			conversationId,
		}),
		organization: trigger('benchTrigOrg0001', 'Bench: trigger on the organization', {
			scope: 'organization',
		}),
	};
}
