// `npm run bench:profile`: where the time of the iMBRACE node goes in real n8n 2.41.1. Runs the
// send and read benchmark workflows once each under V8's CPU profiler and prints the CPU time
// by package, and how much of it is spent inside this package's code (its own calls included).
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { startSandbox } from '../../test/sandbox';
import { writeSandboxCredential } from '../n8n/examples';
import { createInstance, execute, importFiles, importWorkflows } from '../n8n/instance';
import { STATE_DIR, ensureRuntime } from '../n8n/runtime';
import { MEASURED, readWorkflows, sendWorkflows } from './workflows';

interface ProfileNode {
	id: number;
	callFrame: { functionName: string; url: string };
	children?: number[];
}

function summarize(file: string) {
	const profile = JSON.parse(readFileSync(file, 'utf8')) as {
		nodes: ProfileNode[];
		samples: number[];
		timeDeltas: number[];
	};
	const byId = new Map(profile.nodes.map((node) => [node.id, node]));
	const parentOf = new Map<number, number>();
	for (const node of profile.nodes)
		for (const child of node.children ?? []) parentOf.set(child, node.id);
	const byPackage = new Map<string, number>();
	let busy = 0;
	let ours = 0;
	let own = 0;
	profile.samples.forEach((id, index) => {
		const time = profile.timeDeltas[index] ?? 0;
		const { url, functionName } = byId.get(id)!.callFrame;
		if (functionName === '(idle)') return;
		busy += time;
		const name =
			/node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)?.[1] ??
			(url.includes('/nodes-imbrace/') ? 'n8n-nodes-imbrace' : url || functionName);
		byPackage.set(name, (byPackage.get(name) ?? 0) + time);
		if (url.includes('/n8n-nodes-imbrace/')) own += time;
		for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
			if (byId.get(at)!.callFrame.url.includes('/n8n-nodes-imbrace/')) {
				ours += time;
				break;
			}
		}
	});
	const top = [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 12);
	return {
		busy: busy / 1000,
		own: own / 1000,
		ours: ours / 1000,
		top: top.map(([name, time]) => [name, time / 1000] as const),
	};
}

export interface ProfileSummary {
	name: string;
	nodeMs: number;
	busy: number;
	own: number;
	ours: number;
	top: ReadonlyArray<readonly [string, number]>;
}

/** Profiles one run each of the send and read workflows in a fresh n8n. */
export async function profileNode(): Promise<ProfileSummary[]> {
	const sandbox = await startSandbox();
	const dir = join(STATE_DIR, 'profile');
	rmSync(dir, { recursive: true, force: true });
	const instance = createInstance(ensureRuntime(2), dir);
	writeSandboxCredential(join(dir, 'import'), sandbox);
	const reading = sandbox.addConversation();
	sandbox.addMessages({ conversationId: reading, count: 10_000 });
	const cases = {
		'send 1,000 messages': sendWorkflows(sandbox.addConversation(), sandbox.url, 1000).node,
		'read 10,000 messages': readWorkflows(reading, sandbox.url).node,
	};
	await importFiles(instance, { credentials: [join(dir, 'import', 'credentials.json')] });
	await importWorkflows(instance, Object.values(cases));
	const summaries: ProfileSummary[] = [];
	for (const [name, workflow] of Object.entries(cases)) {
		const profiles = join(dir, 'profiles', workflow.id);
		const env = { ...instance.env, NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profiles}` };
		const run = await execute({ ...instance, env }, workflow.id);
		const nodeMs = run.data.resultData.runData[MEASURED][0].executionTime;
		summaries.push({ name, nodeMs, ...summarize(join(profiles, readdirSync(profiles)[0])) });
	}
	await sandbox.close();
	return summaries;
}

async function main() {
	for (const { name, nodeMs, busy, own, ours, top } of await profileNode()) {
		console.log(`\n${name}: node execution time ${nodeMs} ms`);
		console.log(
			`CPU time of the whole n8n execute process (start-up included): ${Math.round(busy)} ms`,
		);
		console.log(`  in n8n-nodes-imbrace's own code: ${Math.round(own)} ms`);
		console.log(`  under it (with the n8n helpers and requests it calls): ${Math.round(ours)} ms`);
		for (const [pkg, time] of top)
			console.log(`  ${String(Math.round(time)).padStart(6)} ms  ${pkg}`);
	}
}

if (require.main === module) {
	main().catch((error: Error) => {
		console.error(error);
		process.exit(1);
	});
}
