// `npm run bench:profile`: where the time of the iMBRACE node goes in real n8n 2.41.1. Runs the
// send and read benchmark workflows once each under V8's CPU profiler and sums, over the measured
// node's run, the CPU time by package and by what n8n is doing, and the time the process idles.
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

interface CpuProfile {
	nodes: ProfileNode[];
	startTime: number;
	samples: number[];
	timeDeltas: number[];
}

/** This package's code as n8n loads it (the runtime cache's own folder bears the same name). */
const OURS = '/nodes/node_modules/n8n-nodes-imbrace/';

/** The package a script belongs to: the innermost node_modules entry of its path. */
function packageOf(url: string, functionName: string): string {
	if (url.includes(OURS)) return 'n8n-nodes-imbrace';
	const matches = [...url.matchAll(/node_modules\/((@[^/]+\/)?[^/]+)/g)];
	return matches.at(-1)?.[1] ?? (url || functionName);
}

/** What n8n is doing, told by a frame anywhere on the sample's stack. */
const ACTIVITIES: Record<string, (frame: ProfileNode['callFrame']) => boolean> = {
	// CredentialsHelper.getDecrypted: the credential read from the database, decrypted, its
	// defaults and expressions resolved; httpRequestWithAuthentication does it for every request.
	credentials: ({ functionName, url }) =>
		/^(getDecrypted|getCredentialsEntity|applyDefaultsAndOverwrites|_getCredentials)$/.test(
			functionName,
		) ||
		url.includes('/@n8n/typeorm/') ||
		url.includes('/sqlite3/'),
	expressions: ({ url }) =>
		url.includes('/@n8n/expression-runtime/') || /n8n-workflow\/dist\/.*expression/.test(url),
};

export interface WindowSummary {
	/** From the first to the last sample in the measured node's code. */
	wallMs: number;
	/** From its start to its first request: n8n building every item's request (RoutingNode). */
	beforeFirstRequest: number;
	busy: number;
	idle: number;
	/** Self time in this package's code. */
	own: number;
	credentials: number;
	expressions: number;
	top: ReadonlyArray<readonly [string, number]>;
}

/**
 * Sums a profile over the measured node's run: from the first sample in a function of `marker`
 * (RoutingNode's runNode for the iMBRACE node, the HTTP Request node's execute) to the last in
 * that file or this package's code (which n8n also runs while it loads the package, before).
 */
function summarize(file: string, marker: string): WindowSummary {
	const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
	const byId = new Map(profile.nodes.map((node) => [node.id, node]));
	const parentOf = new Map<number, number>();
	for (const node of profile.nodes)
		for (const child of node.children ?? []) parentOf.set(child, node.id);
	const stackOf = (id: number) => {
		const frames: Array<ProfileNode['callFrame']> = [];
		for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at))
			frames.push(byId.get(at)!.callFrame);
		return frames;
	};
	let at = profile.startTime;
	const samples = profile.samples.map((id, index) => {
		const time = profile.timeDeltas[index] ?? 0;
		at += time;
		return { id, at, time, stack: stackOf(id) };
	});
	const inMarker = ({ url, functionName }: ProfileNode['callFrame']) =>
		url.includes(marker) && functionName !== '';
	const first = samples.find(({ stack }) => stack.some(inMarker))?.at ?? 0;
	const last =
		samples
			.filter(
				({ at: sampled, stack }) =>
					sampled >= first && stack.some((frame) => inMarker(frame) || frame.url.includes(OURS)),
			)
			.at(-1)?.at ?? 0;
	// The first request: a sample in axios, the HTTP client under n8n's request helpers.
	const firstRequest =
		samples.find(
			({ at: sampled, stack }) =>
				sampled >= first && stack.some(({ url }) => url.includes('/axios/')),
		)?.at ?? last;
	const summary = { busy: 0, idle: 0, own: 0, credentials: 0, expressions: 0 };
	const byPackage = new Map<string, number>();
	for (const { at: sampled, time, stack } of samples) {
		if (sampled < first || sampled > last) continue;
		const { url, functionName } = stack[0];
		if (functionName === '(idle)') {
			summary.idle += time;
			continue;
		}
		summary.busy += time;
		const name = packageOf(url, functionName);
		byPackage.set(name, (byPackage.get(name) ?? 0) + time);
		if (name === 'n8n-nodes-imbrace') summary.own += time;
		if (stack.some(ACTIVITIES.credentials)) summary.credentials += time;
		else if (stack.some(ACTIVITIES.expressions)) summary.expressions += time;
	}
	const top = [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 12);
	const inMs = (microseconds: number) => microseconds / 1000;
	return {
		wallMs: inMs(last - first),
		beforeFirstRequest: inMs(firstRequest - first),
		busy: inMs(summary.busy),
		idle: inMs(summary.idle),
		own: inMs(summary.own),
		credentials: inMs(summary.credentials),
		expressions: inMs(summary.expressions),
		top: top.map(([name, time]) => [name, inMs(time)] as const),
	};
}

export interface ProfileSummary {
	name: string;
	nodeMs: number;
	window: WindowSummary;
}

/** Profiles one run each of the send and read workflows in a fresh n8n. */
export async function profileNode(): Promise<ProfileSummary[]> {
	const sandbox = await startSandbox({ routes: 'current' });
	const dir = join(STATE_DIR, 'profile');
	rmSync(dir, { recursive: true, force: true });
	const instance = createInstance(ensureRuntime(2), dir);
	writeSandboxCredential(join(dir, 'import'), sandbox);
	const reading = sandbox.addConversation();
	sandbox.addMessages({ conversationId: reading, count: 10_000 });
	const one = sendWorkflows(sandbox.addConversation(), sandbox.url, 1000);
	const twenty = Array.from({ length: 20 }, () => sandbox.addConversation());
	const cases = [
		{ name: 'send 1,000 to one conversation', workflow: one.node, marker: 'routing-node.js' },
		{
			name: 'send 1,000 over 20 conversations',
			workflow: sendWorkflows(twenty, sandbox.url, 1000, { suffix: '020' }).node,
			marker: 'routing-node.js',
		},
		{
			name: 'read 10,000',
			workflow: readWorkflows(reading, sandbox.url).node,
			marker: 'routing-node.js',
		},
		{
			name: "HTTP Request node: send 1,000 to one conversation (n8n's alone)",
			workflow: one.http,
			marker: 'HttpRequestV3.node.js',
		},
	];
	await importFiles(instance, { credentials: [join(dir, 'import', 'credentials.json')] });
	await importWorkflows(
		instance,
		cases.map(({ workflow }) => workflow),
	);
	const summaries: ProfileSummary[] = [];
	for (const { name, workflow, marker } of cases) {
		const profiles = join(dir, 'profiles', workflow.id);
		const env = { ...instance.env, NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profiles}` };
		const run = await execute({ ...instance, env }, workflow.id);
		const nodeMs = run.data.resultData.runData[MEASURED][0].executionTime;
		const window = summarize(join(profiles, readdirSync(profiles)[0]), marker);
		summaries.push({ name, nodeMs, window });
	}
	await sandbox.close();
	return summaries;
}

async function main() {
	for (const { name, nodeMs, window } of await profileNode()) {
		const round = (value: number) => String(Math.round(value)).padStart(6);
		console.log(`\n${name}: node execution time ${nodeMs} ms`);
		console.log(`  profiled window ${round(window.wallMs)} ms`);
		console.log(`    before the first request ${round(window.beforeFirstRequest)} ms`);
		console.log(`    CPU busy         ${round(window.busy)} ms`);
		console.log(`    idle             ${round(window.idle)} ms`);
		console.log(`    our own code     ${round(window.own)} ms`);
		console.log(`    credential loads ${round(window.credentials)} ms`);
		console.log(`    expressions      ${round(window.expressions)} ms`);
		for (const [pkg, time] of window.top) console.log(`  ${round(time)} ms  ${pkg}`);
	}
}

if (require.main === module) {
	main().catch((error: Error) => {
		console.error(error);
		process.exit(1);
	});
}
