import { Container } from '@n8n/di';
import {
	PollContext,
	PollTriggerExecutor,
	WorkflowExecute,
	ExecutionLifecycleHooks,
} from 'n8n-core';
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';
import { Workflow, createRunExecutionData, deepCopy } from 'n8n-workflow';

import type { CredentialData } from './engine';
import { createAdditionalData, createCredentialsHelper, createNode, getNodeTypes } from './engine';
import { TRIGGER_TYPE } from './package';

/**
 * How n8n keeps the trigger's static data between polls: `legacy` mutates the workflow's
 * static data in place (n8n's default); `durable` stages a copy per poll and commits it only
 * with the execution it produced, or when the poll returns nothing (N8N_POLLER_DURABLE_CURSORS).
 */
export type CursorMode = 'legacy' | 'durable';

export interface PollOutcome {
	/** The items the poll emitted (one execution), or null when it emitted none. */
	emitted: INodeExecutionData[] | null;
	/** The error the poll reported to n8n instead. */
	error?: Error & { description?: string; failure?: IDataObject; httpCode?: string | null };
}

export interface Poller {
	/** One scheduled poll, run by n8n-core's PollTriggerExecutor as n8n's scheduler runs it. */
	poll(): Promise<PollOutcome>;
	/** "Fetch Test Event": a manual execution with the trigger as its start node. */
	manualRun(): Promise<INodeExecutionData[]>;
	/** The node's static data as n8n would persist it. */
	storedState(): IDataObject;
}

export interface PollerOptions {
	parameters: INodeParameters;
	credentials: CredentialData;
	mode?: CursorMode;
	/** What `getPollBudgetMs()` answers; n8n's default is five minutes. */
	budgetMs?: number;
	/** The node's static data to start from (as left by an earlier version of the workflow). */
	storedState?: IDataObject;
}

export async function createPoller(options: PollerOptions): Promise<Poller> {
	const nodeTypes = await getNodeTypes();
	const node = createNode(TRIGGER_TYPE, options.parameters);
	const workflow = new Workflow({
		id: 'trigger-workflow',
		name: 'Trigger',
		nodes: [node],
		connections: {},
		active: true,
		nodeTypes,
		staticData: options.storedState ? { [`node:${node.name}`]: deepCopy(options.storedState) } : {},
		settings: { executionOrder: 'v1' },
	});
	const credentialsHelper = await createCredentialsHelper(options.credentials);
	const additionalData = createAdditionalData(credentialsHelper);

	let committed: IDataObject = deepCopy(options.storedState ?? {});
	let staged: IDataObject | undefined;
	let outcome: PollOutcome = { emitted: null };
	const durable = options.mode === 'durable';

	const context = new PollContext(
		workflow,
		node,
		additionalData,
		'trigger',
		'activate',
		(data) => {
			if (durable && staged) committed = staged;
			outcome = { emitted: data[0] };
		},
		(error) => {
			outcome = { emitted: null, error };
		},
		async () => {
			if (durable && staged) committed = staged;
		},
		durable
			? async (poll) => {
					staged = deepCopy(committed);
					try {
						return await poll();
					} finally {
						staged = undefined;
					}
				}
			: undefined,
		durable ? () => staged ?? committed : undefined,
		options.budgetMs === undefined ? undefined : () => options.budgetMs!,
	);
	const executePoll = Container.get(PollTriggerExecutor).create(
		workflow,
		node,
		context,
		() => true,
	);

	return {
		async poll() {
			outcome = { emitted: null };
			await executePoll();
			return outcome;
		},
		async manualRun() {
			const hooks = new ExecutionLifecycleHooks('manual', 'manual-run', {
				id: workflow.id,
				name: workflow.name,
				nodes: [node],
				connections: {},
			} as never);
			const run = await new WorkflowExecute(
				createAdditionalData(credentialsHelper, hooks),
				'manual',
				createRunExecutionData({
					executionData: {
						nodeExecutionStack: [{ node, data: { main: [[{ json: {} }]] }, source: null }],
					},
				}),
			).processRunExecutionData(workflow);
			if (run.data.resultData.error) throw run.data.resultData.error;
			return run.data.resultData.runData[node.name]?.[0]?.data?.main?.[0] ?? [];
		},
		storedState() {
			return deepCopy(durable ? committed : workflow.getStaticData('node', node));
		},
	};
}
