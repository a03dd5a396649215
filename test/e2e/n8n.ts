import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

import type { IRun } from 'n8n-workflow';

import type { Workflow } from '../../scripts/n8n/examples';
import { writeExamples, writeSandboxCredential } from '../../scripts/n8n/examples';
import type { N8nInstance } from '../../scripts/n8n/instance';
import { createInstance, importFiles } from '../../scripts/n8n/instance';
import type { Major } from '../../scripts/n8n/runtime';
import { ROOT, STATE_DIR, ensureRuntime } from '../../scripts/n8n/runtime';
import type { Sandbox } from '../sandbox';

/** A fresh n8n user folder with the package installed, the sandbox credential and the examples. */
export async function prepareN8n(
	major: Major,
	sandbox: Sandbox,
	adapt?: (workflow: Workflow) => Workflow,
): Promise<N8nInstance> {
	const runtime = ensureRuntime(major);
	const userFolder = join(STATE_DIR, 'e2e', `n8n-${runtime.version}`);
	rmSync(userFolder, { recursive: true, force: true });
	const instance = createInstance(runtime, userFolder);
	const credentials = writeSandboxCredential(join(userFolder, 'import'), sandbox);
	const workflows = writeExamples(
		join(userFolder, 'import', 'workflows'),
		join(userFolder, 'files'),
		adapt,
	);
	await importFiles(instance, {
		credentials: [credentials],
		workflowFolders: [workflows],
	});
	return instance;
}

/** A scheduled example, started by hand: `n8n execute` needs a Manual Trigger to start from. */
export function startByHand(workflow: Workflow): Workflow {
	return {
		...workflow,
		nodes: workflow.nodes.map((node) =>
			node.type === 'n8n-nodes-base.scheduleTrigger'
				? { ...node, type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {} }
				: node,
		),
	};
}

/** The items a node produced on its first output in a run. */
export function outputOf(run: IRun, nodeName: string) {
	return run.data.resultData.runData[nodeName]?.[0]?.data?.main?.[0] ?? [];
}

/**
 * Where the editor test saves its screenshots: a git-ignored folder, so that a test run leaves
 * the work tree as it was; `npm run screenshots` points IMBRACE_SCREENSHOTS_DIR at docs/screenshots.
 */
export function screenshotsDir(): string {
	const chosen = process.env.IMBRACE_SCREENSHOTS_DIR;
	const dir = chosen ? resolve(ROOT, chosen) : join(ROOT, '.tmp', 'screenshots');
	mkdirSync(dir, { recursive: true });
	return dir;
}
