import { WebhookContext, WorkflowExecute } from 'n8n-core';
import type {
	IDataObject,
	INodeExecutionData,
	IRunExecutionData,
	IWebhookData,
	IWebhookResponseData,
	IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';
import { NodeHelpers, deepCopy } from 'n8n-workflow';

import type { Execution } from './engine';
import { getNodeTypes } from './engine';
import { NODE_TYPE } from './package';

/**
 * A node that put its execution to wait, and n8n's side of what follows: a request to its waiting
 * webhook (WebhookContext built as n8n's WebhookService builds it) and the execution resumed with
 * the webhook's output (as n8n's webhook helpers prepare it), all in n8n-core's own classes.
 */

export interface WebhookRequest {
	method: 'GET' | 'POST';
	/** The link's query, as n8n's waiting webhooks pass it on (signature and all). */
	query: IDataObject;
	headers?: Record<string, string>;
	body?: IDataObject;
}

export interface WebhookAnswer {
	status: number;
	headers: Record<string, string>;
	body: string;
	result: IWebhookResponseData;
	/** The execution as n8n prepared it for this request, to resume with the webhook's output. */
	execution: IRunExecutionData;
}

/** A request to the waiting node's webhook, answered by the node's `webhook` method. */
export async function callWebhook(
	waiting: Execution,
	request: WebhookRequest,
): Promise<WebhookAnswer> {
	const { workflow } = waiting;
	// What n8n's waiting webhooks do with the execution they load for each request: the waiting
	// node is disabled, the wait ends, and the waiting run's entry is taken off its run data.
	const runExecutionData = deepCopy(waiting.runExecutionData);
	runExecutionData.executionData!.nodeExecutionStack[0].node.disabled = true;
	runExecutionData.waitTill = undefined;
	runExecutionData.resultData.runData[waiting.nodeName].pop();
	const node = workflow.getNode(waiting.nodeName)!;
	const nodeType = workflow.nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
	const answer = { status: 200, headers: {} as Record<string, string>, body: '' };
	const response = {
		status(code: number) {
			answer.status = code;
			return response;
		},
		setHeader(name: string, value: string) {
			answer.headers[name.toLowerCase()] = value;
		},
		send(body: string) {
			answer.body = body;
		},
	};
	const additionalData = {
		...waiting.additionalData,
		httpRequest: {
			method: request.method,
			headers: request.headers ?? {},
			query: request.query,
			body: request.body ?? {},
			params: {},
		},
		httpResponse: response,
	} as unknown as IWorkflowExecuteAdditionalData;
	const description = nodeType.description.webhooks!.find(
		(webhook) => webhook.httpMethod === request.method,
	)!;
	const webhookData: IWebhookData = {
		httpMethod: request.method,
		node: node.name,
		path: node.id,
		webhookDescription: description,
		workflowId: workflow.id,
		workflowExecuteAdditionalData: additionalData,
	};
	const context = new WebhookContext(
		workflow,
		node,
		additionalData,
		'manual',
		webhookData,
		[],
		runExecutionData,
	);
	const result = await nodeType.webhook!.call(context);
	return { ...answer, result, execution: runExecutionData };
}

/** Resumes the waiting execution with the webhook's output, as n8n does after a decision. */
export async function resume(
	waiting: Execution,
	answer: WebhookAnswer,
): Promise<INodeExecutionData[]> {
	const { workflow, additionalData } = waiting;
	const runExecutionData = answer.execution;
	const resumed = runExecutionData.executionData!.nodeExecutionStack[0];
	resumed.data.main = answer.result.workflowData!;
	resumed.metadata = { ...resumed.metadata, forwardAllOutputs: true };
	const run = await new WorkflowExecute(
		additionalData,
		'manual',
		runExecutionData,
	).processRunExecutionData(workflow);
	if (run.data.resultData.error) throw run.data.resultData.error;
	return run.data.resultData.runData[waiting.nodeName]?.at(-1)?.data?.main?.[0] ?? [];
}

/** The node type's description as n8n lists it. */
export async function imbraceDescription() {
	const nodeTypes = await getNodeTypes();
	return NodeHelpers.getVersionedNodeType(nodeTypes.getByName(NODE_TYPE), 1).description;
}
