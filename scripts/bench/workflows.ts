// The workflows the benchmark runs in real n8n: the iMBRACE node, n8n's HTTP Request node doing
// the same requests with the same credential (so the same auth header), and the floor node
// (floor/ImbraceFloor.node.ts), the least a node does for them.
import type { INode } from 'n8n-workflow';

import { CREDENTIAL_ID } from '../n8n/examples';
import type { Workflow } from '../n8n/examples';
import { MESSAGES_PATH } from './floor/ImbraceFloor.node';

const CREDENTIALS = { imbraceApi: { id: CREDENTIAL_ID, name: 'iMBRACE sandbox' } };
export const MEASURED = 'Measured';
/** The path of §5 in the route family the bench's sandbox serves (the one the node finds). */
export { MESSAGES_PATH };
/** The floor node's type as n8n names a node loaded from N8N_CUSTOM_EXTENSIONS. */
const FLOOR_TYPE = 'CUSTOM.imbraceFloor';

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

/**
 * A Code node that makes `count` items, each with the text to send and, when there are several
 * conversations, the one it goes to: item n (from 0) to conversation n mod their number.
 */
function items(count: number, conversationIds: string[] = []): Node {
	const ids = JSON.stringify(conversationIds);
	return {
		name: 'Items',
		type: 'n8n-nodes-base.code',
		typeVersion: 2,
		position: [200, 0],
		parameters: {
			jsCode: `const ids = ${ids};
return Array.from({ length: ${count} }, (_, i) => ({
	json: { text: 'Benchmark message ' + (i + 1), ...(ids.length ? { conversationId: ids[i % ids.length] } : {}) },
}));`,
		},
	} as Node;
}

/** Node settings of the rate-limit runs: failed items are output (and counted), not fatal. */
export const CONTINUE_ON_FAIL: Partial<INode> = { onError: 'continueRegularOutput' };

/** n8n's HTTP Request node's Batching option (Items per Batch, Batch Interval in ms). */
export interface Batching {
	batchSize: number;
	batchInterval: number;
}

export interface SendOptions {
	/** The workflows' ids differ by this suffix (up to 16 characters in all). */
	suffix?: string;
	/** Node settings of the measured node (Continue On Fail). */
	settings?: Partial<INode>;
	/** The HTTP Request node's Batching, when set. */
	batching?: Batching;
}

/**
 * The send workflows (the iMBRACE node, the HTTP Request node, the floor node): `count` items to
 * one conversation, or spread over several (item n to conversation n mod their number).
 */
export function sendWorkflows(
	conversations: string | string[],
	sandboxUrl: string,
	count: number,
	{ suffix = '001', settings = {}, batching }: SendOptions = {},
) {
	const several = Array.isArray(conversations);
	const inputs = items(count, several ? conversations : []);
	const conversationId = several ? '={{ $json.conversationId }}' : conversations;
	const bodyConversation = several ? '$json.conversationId' : `'${conversations}'`;
	const node = workflow(`benchSendNode${suffix}`, 'Bench: send with the iMBRACE node', inputs, {
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
		...settings,
	} as Node);
	const http = workflow(`benchSendHttp${suffix}`, 'Bench: send with HTTP Request', inputs, {
		name: MEASURED,
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		position: [400, 0],
		parameters: {
			method: 'POST',
			url: `${sandboxUrl}${MESSAGES_PATH}`,
			authentication: 'predefinedCredentialType',
			nodeCredentialType: 'imbraceApi',
			sendBody: true,
			specifyBody: 'json',
			jsonBody: `={{ JSON.stringify({ conversation_id: ${bodyConversation}, type: 'text', text: $json.text }) }}`,
			options: batching ? { batching: { batch: batching } } : {},
		},
		credentials: CREDENTIALS,
		...settings,
	} as Node);
	const floor = workflow(`benchSendFlor${suffix}`, 'Bench: send with the floor node', inputs, {
		name: MEASURED,
		type: FLOOR_TYPE,
		typeVersion: 1,
		position: [400, 0],
		parameters: { operation: 'send', conversationId, text: '={{ $json.text }}' },
		credentials: CREDENTIALS,
		...settings,
	} as Node);
	return { node, http, floor };
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
			url: `${sandboxUrl}${MESSAGES_PATH}`,
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
	const floor = workflow('benchReadFlor001', 'Bench: read with the floor node', undefined, {
		name: MEASURED,
		type: FLOOR_TYPE,
		typeVersion: 1,
		position: [400, 0],
		parameters: { operation: 'read', conversationId },
		credentials: CREDENTIALS,
	} as Node);
	return { node, http, floor };
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
