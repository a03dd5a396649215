import type { ExecuteContext } from 'n8n-core';
import { ExecutionLifecycleHooks, RoutingNode, WorkflowExecute } from 'n8n-core';
import type {
	ExecutionError,
	IExecuteFunctions,
	ICredentialDataDecryptedObject,
	INode,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	INodeTypes,
	IRun,
	IRunExecutionData,
	IWorkflowExecuteAdditionalData,
	NodeExecutionHint,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { NodeHelpers, Workflow, createRunExecutionData } from 'n8n-workflow';

import { TestCredentialsHelper } from './credentials-helper';
import { asTool } from './tool';
import { CREDENTIAL_TYPE, NODE_TYPE, loadPackage } from './package';

export type CredentialData = ICredentialDataDecryptedObject;

/** n8n's node types as the package loader produced them, looked up as n8n looks them up. */
export async function getNodeTypes(): Promise<INodeTypes> {
	const loader = await loadPackage();
	// n8n registers a community package's nodes under `<package name>.<node name>`.
	const all = Object.fromEntries(
		Object.entries(loader.nodeTypes).map(([name, { type }]) => [
			`${loader.packageName}.${name}`,
			type,
		]),
	);
	const tools: Record<string, INodeType> = {};
	const byName = (type: string) =>
		all[type] ??
		(all[type.replace(/Tool$/, '')] && (tools[type] ??= asTool(all[type.slice(0, -4)])));
	return {
		getByName: byName,
		getByNameAndVersion: (type, version) =>
			withRoutingExecute(NodeHelpers.getVersionedNodeType(byName(type), version)),
		getKnownTypes: () => ({}),
	};
}

/**
 * What n8n's own NodeTypes (its CLI) does to a declarative node type it hands out: gives it an
 * `execute` that runs n8n's RoutingNode. Without it, n8n-core's engine gives a declarative node
 * with a `webhook` method (the iMBRACE node, for Send and Wait) no input to evaluate expressions
 * against.
 */
function withRoutingExecute(type: INodeType): INodeType {
	const declarative = type.description.requestDefaults !== undefined;
	if (declarative && !type.execute && !type.poll && !type.trigger && !type.supplyData) {
		type.execute = async function (this: IExecuteFunctions) {
			return (await new RoutingNode(this as ExecuteContext, type).runNode()) ?? [];
		};
	}
	return type;
}

export async function createCredentialsHelper(
	credentials: CredentialData | undefined,
): Promise<TestCredentialsHelper> {
	const loader = await loadPackage();
	const types = Object.fromEntries(
		Object.entries(loader.credentialTypes).map(([name, { type }]) => [name, type]),
	);
	return new TestCredentialsHelper(types, credentials ? { [CREDENTIAL_TYPE]: credentials } : {});
}

const URL_KEYS = [
	'restApiUrl',
	'instanceBaseUrl',
	'formBaseUrl',
	'formWaitingBaseUrl',
	'formTestBaseUrl',
	'webhookBaseUrl',
	'webhookWaitingBaseUrl',
	'webhookTestBaseUrl',
	'mcpBaseUrl',
	'mcpTestBaseUrl',
] as const;

export function createAdditionalData(
	credentialsHelper: TestCredentialsHelper,
	hooks?: ExecutionLifecycleHooks,
): IWorkflowExecuteAdditionalData {
	const urls = Object.fromEntries(URL_KEYS.map((key) => [key, `http://localhost:5678/${key}`]));
	return {
		...urls,
		credentialsHelper,
		hooks,
		executionId: 'test-execution',
		currentNodeExecutionIndex: 0,
		variables: {},
		logAiEvent: () => {},
		getRunExecutionData: async () => undefined,
	} as unknown as IWorkflowExecuteAdditionalData;
}

export function createNode(
	type: string,
	parameters: INodeParameters,
	settings: Partial<INode> = {},
): INode {
	return {
		id: 'f4b0c2d6-0000-4000-8000-000000000001',
		name: type === NODE_TYPE ? 'iMBRACE' : 'iMBRACE Trigger',
		type,
		typeVersion: 1,
		position: [0, 0],
		parameters,
		credentials: { [CREDENTIAL_TYPE]: { id: 'imbrace-credential', name: 'iMBRACE account' } },
		...settings,
	};
}

export interface NodeRunOptions {
	parameters: INodeParameters;
	/** Input items; one empty item when left out, as after a Manual Trigger. */
	items?: INodeExecutionData[];
	credentials?: CredentialData;
	nodeType?: string;
	/** Node settings: onError (Continue On Fail), retryOnFail, maxTries, waitBetweenTries. */
	settings?: Partial<INode>;
	mode?: WorkflowExecuteMode;
}

export interface NodeRun {
	/** The main output (or the success output when errors go to their own output). */
	output: INodeExecutionData[];
	/** The error output of `onError: 'continueErrorOutput'`. */
	errorOutput: INodeExecutionData[];
	/** The error that stopped the workflow, if one did. */
	error?: ExecutionError;
	/** What the node told the user under its output (its execution hints). */
	hints: NodeExecutionHint[];
	run: IRun;
}

/** A node's one execution, as n8n-core's WorkflowExecute left it. */
export interface Execution {
	workflow: Workflow;
	additionalData: IWorkflowExecuteAdditionalData;
	runExecutionData: IRunExecutionData;
	run: IRun;
	nodeName: string;
}

/** Runs one node in a workflow through n8n-core's WorkflowExecute, as a manual execution does. */
export async function execute(options: NodeRunOptions): Promise<Execution> {
	const nodeTypes = await getNodeTypes();
	const node = createNode(options.nodeType ?? NODE_TYPE, options.parameters, options.settings);
	const workflow = new Workflow({
		id: 'test-workflow',
		name: 'Test',
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes,
		settings: { executionOrder: 'v1' },
	});
	const mode = options.mode ?? 'manual';
	const hooks = new ExecutionLifecycleHooks(mode, 'test-execution', {
		id: workflow.id,
		name: workflow.name,
		nodes: [node],
		connections: {},
		active: false,
		settings: {},
		createdAt: new Date(),
		updatedAt: new Date(),
	} as never);
	const additionalData = createAdditionalData(
		await createCredentialsHelper(options.credentials),
		hooks,
	);
	const runExecutionData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [
				{ node, data: { main: [options.items ?? [{ json: {} }]] }, source: null },
			],
		},
	});
	const run = await new WorkflowExecute(
		additionalData,
		mode,
		runExecutionData,
	).processRunExecutionData(workflow);
	return { workflow, additionalData, runExecutionData, run, nodeName: node.name };
}

/** Runs one node and answers what it output. */
export async function runNode(options: NodeRunOptions): Promise<NodeRun> {
	const { run, nodeName } = await execute(options);
	const task = run.data.resultData.runData[nodeName]?.[0];
	return {
		output: task?.data?.main?.[0] ?? [],
		errorOutput: task?.data?.main?.[1] ?? [],
		error: run.data.resultData.error,
		hints: task?.hints ?? [],
		run,
	};
}
