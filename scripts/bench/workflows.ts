// The workflows the benchmark runs in real n8n: the iMBRACE node, and n8n's HTTP Request node
// doing the same requests with the same credential (so the same auth header).
import { CREDENTIAL_ID } from '../n8n/examples';
import type { Workflow } from '../n8n/examples';

const CREDENTIALS = { imbraceApi: { id: CREDENTIAL_ID, name: 'iMBRACE sandbox' } };
export const MEASURED = 'Measured';

type Node = Workflow['nodes'][number];

/** A workflow whose nodes run one after the other, each with the id `<workflow id>-<n>`. */
function chain(id: string, name: string, nodes: Array<Omit<Node, 'id'>>): Workflow {
	const connections = Object.fromEntries(
		nodes
			.slice(0, -1)
			.map((from, index) => [
				from.name,
				{ main: [[{ node: nodes[index + 1].name, type: 'main', index: 0 }]] },
			]),
	);
	return {
		id,
		name,
		active: false,
		nodes: nodes.map((node, index) => ({ ...node, id: `${id}-${index + 1}` }) as Node),
		connections,
		settings: { executionOrder: 'v1' },
		pinData: {},
	};
}

/** A manual start, then (when sending) the items, then the measured node. */
function workflow(id: string, name: string, input: Node | undefined, measured: Node): Workflow {
	const start = {
		name: 'Start',
		type: 'n8n-nodes-base.manualTrigger',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	} as Node;
	return chain(id, name, [start, ...(input ? [input] : []), measured]);
}

/** A Code node that makes `count` items, each with the text to send. */
function items(count: number): Node {
	return {
		name: 'Items',
		type: 'n8n-nodes-base.code',
		typeVersion: 2,
		position: [200, 0],
		parameters: {
			jsCode: `return Array.from({ length: ${count} }, (_, i) => ({ json: { text: 'Benchmark message ' + (i + 1) } }));`,
		},
	} as Node;
}

export function sendWorkflows(conversationId: string, sandboxUrl: string, count: number) {
	const node = workflow('benchSendNode001', 'Bench: send with the iMBRACE node', items(count), {
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
	} as Node);
	const http = workflow('benchSendHttp001', 'Bench: send with HTTP Request', items(count), {
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
	} as Node);
	return { node, http };
}

export function readWorkflows(conversationId: string, sandboxUrl: string) {
	const node = workflow('benchReadNode001', 'Bench: read with the iMBRACE node', undefined, {
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
	} as Node);
	const http = workflow('benchReadHttp001', 'Bench: read with HTTP Request', undefined, {
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
	} as Node);
	return { node, http };
}

export function triggerWorkflows(conversationId: string) {
	const trigger = (id: string, name: string, parameters: Record<string, unknown>) =>
		chain(id, name, [
			{
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
			} as Node,
			{
				name: 'Received',
				type: 'n8n-nodes-base.noOp',
				typeVersion: 1,
				position: [200, 0],
				parameters: {},
			} as Node,
		]);
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
