// `npm run bench`: the iMBRACE nodes in real n8n 2.41.1 against the sandbox, side by side with
// n8n's HTTP Request node, the floor node (floor/ImbraceFloor.node.ts, the least a node does in
// the same n8n) and a plain fetch loop, each figure the median of several runs made in this one
// run of the script. Writes bench/RESULTS.md.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { cpus, freemem, loadavg, totalmem, release } from 'node:os';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { INodeExecutionData, IRun } from 'n8n-workflow';

import type { Sandbox } from '../../test/sandbox';
import { startSandbox } from '../../test/sandbox';
import { storedTexts } from '../../test/harness/sandbox';
import { writeSandboxCredential } from '../n8n/examples';
import type { N8nInstance } from '../n8n/instance';
import {
	createInstance,
	execute,
	importFiles,
	importWorkflows,
	mustRun,
	signIn,
	startN8n,
} from '../n8n/instance';
import type { Runtime } from '../n8n/runtime';
import { ROOT, STATE_DIR, ensureRuntime } from '../n8n/runtime';
import { formatMarkdown } from '../../test/reliability/report';
import type { ProfileSummary } from './profile';
import { profileNode } from './profile';
import type { Batching } from './workflows';
import {
	CONTINUE_ON_FAIL,
	MEASURED,
	MESSAGES_PATH,
	readWorkflows,
	sendWorkflows,
	triggerWorkflows,
} from './workflows';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
/** Runs per contender through the rate limit: each takes about 50 s, so one by default. */
const RATE_RUNS = Number(process.env.BENCH_RATE_RUNS ?? 1);
const SEND_COUNT = 1000;
const SEND_CONVERSATIONS = 20;
const READ_COUNT = 10_000;
/** The gateway's limit in section 4: 20 requests a second, 10 at once after a pause. */
const RATE_LIMIT = { perSecond: 20, burst: 10 };
/** The least time 1,000 sends can take through it: the burst, then 20 a second. */
const RATE_FLOOR_MS = ((SEND_COUNT - RATE_LIMIT.burst) / RATE_LIMIT.perSecond) * 1000;
/** What a user would set in the HTTP Request node's Batching for 20 requests a second. */
const BATCHINGS: Array<{ batching: Batching; label: string }> = [
	{ batching: { batchSize: 1, batchInterval: 50 }, label: '1 item every 50 ms' },
	{ batching: { batchSize: 20, batchInterval: 1000 }, label: '20 items every 1,000 ms' },
];

/** The floor node's row in the tables: the least a node does per item in n8n's engine. */
const FLOOR_NAME = 'floor node (the least a node does in n8n)';
/** Where n8n finds the floor node (compiled next to this script), as a custom extension. */
const FLOOR_DIR = join(__dirname, 'floor');
/** The last run's figures (in this clone's git-ignored n8n state), for `run.js --report`. */
const FIGURES_FILE = join(STATE_DIR, 'bench-figures.json');

const median = (values: number[]) => {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const ms = (value: number) => `${Math.round(value)} ms`;
const seconds = (value: number) => `${(value / 1000).toFixed(1)} s`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
const met = (ok: boolean) => (ok ? '**met**' : '**not met**');

function log(message: string) {
	console.log(`[bench] ${message}`);
}

const loadAverage = () =>
	loadavg()
		.map((load) => load.toFixed(2))
		.join(', ');

/** The measured node's own execution time and output, as n8n records them in the run data. */
function nodeResult(run: IRun): { time: number; items: INodeExecutionData[] } {
	const task = run.data.resultData.runData[MEASURED]?.[0];
	if (!task || run.data.resultData.error) {
		throw new Error(`The measured node failed: ${run.data.resultData.error?.message}`);
	}
	return { time: task.executionTime, items: task.data?.main?.[0] ?? [] };
}

/** An output item that is a failed input item (Continue On Fail), in either node's shape. */
const isFailed = (item: INodeExecutionData) =>
	item.error !== undefined || (item.json as { error?: unknown }).error !== undefined;

interface Figures {
	times: number[];
	requests: number[];
	items: number[];
	/** Messages stored out of order (after one sent later), as the sandbox lists them. */
	outOfOrder: number[];
}

const empty = (): Figures => ({
	times: [],
	requests: [],
	items: [],
	outOfOrder: [],
});

async function measureWorkflow(
	instance: N8nInstance,
	sandbox: Sandbox,
	id: string,
	figures: Figures,
) {
	sandbox.clearRequests();
	const { time, items } = nodeResult(await execute(instance, id));
	figures.times.push(time);
	figures.items.push(items.length);
	figures.requests.push(sandbox.requests().length);
}

async function measureRaw(sandbox: Sandbox, figures: Figures, loop: () => Promise<number>) {
	sandbox.clearRequests();
	const started = performance.now();
	const items = await loop();
	figures.times.push(performance.now() - started);
	figures.items.push(items);
	figures.requests.push(sandbox.requests().length);
}

/** The texts of a conversation's newest `count` messages, oldest first. */
async function newestMessages(sandbox: Sandbox, conversationId: string, count: number) {
	return (await storedTexts(sandbox, conversationId, MESSAGES_PATH)).slice(-count);
}

/** The number in "Benchmark message <n>". */
const sequenceNumber = (text: string) => Number(/^Benchmark message (\d+)$/.exec(text)?.[1] ?? NaN);

/** How many of the messages come after one that was sent later. */
function outOfOrder(texts: string[]): number {
	let highest = -Infinity;
	let late = 0;
	for (const number of texts.map(sequenceNumber)) {
		if (number < highest) late++;
		highest = Math.max(highest, number);
	}
	return late;
}

/** Checks the order the last send left in each conversation (item n went to n mod their number). */
async function recordOrder(sandbox: Sandbox, conversationIds: string[], figures: Figures) {
	let late = 0;
	for (const conversationId of conversationIds) {
		const texts = await newestMessages(
			sandbox,
			conversationId,
			SEND_COUNT / conversationIds.length,
		);
		late += outOfOrder(texts);
	}
	figures.outOfOrder.push(late);
}

/** A sequential loop of `fetch` sends, item n to `conversationIds[n mod their number]`. */
async function rawSends(sandbox: Sandbox, conversationIds: string[]) {
	const headers = { 'x-access-token': sandbox.tokens.agent, 'content-type': 'application/json' };
	for (let i = 0; i < SEND_COUNT; i++) {
		const response = await fetch(`${sandbox.url}${MESSAGES_PATH}`, {
			method: 'POST',
			headers,
			body: JSON.stringify({
				conversation_id: conversationIds[i % conversationIds.length],
				type: 'text',
				text: `Benchmark message ${i + 1}`,
			}),
		});
		await response.json();
	}
	return SEND_COUNT;
}

export async function benchSend(
	instance: N8nInstance,
	sandbox: Sandbox,
	conversationCount: number,
) {
	const conversationIds = Array.from({ length: conversationCount }, () =>
		sandbox.addConversation(),
	);
	const { node, http, floor } =
		conversationCount === 1
			? sendWorkflows(conversationIds[0], sandbox.url, SEND_COUNT)
			: sendWorkflows(conversationIds, sandbox.url, SEND_COUNT, {
					suffix: String(conversationCount).padStart(3, '0'),
				});
	await importWorkflows(instance, [node, http, floor]);
	const figures: Contenders = { node: empty(), http: empty(), floor: empty(), raw: empty() };
	for (let run = 1; run <= RUNS; run++) {
		log(
			`send ${SEND_COUNT} messages to ${conversationCount} conversation(s), run ${run} of ${RUNS}`,
		);
		await measureWorkflow(instance, sandbox, node.id, figures.node);
		await recordOrder(sandbox, conversationIds, figures.node);
		await measureWorkflow(instance, sandbox, http.id, figures.http);
		await recordOrder(sandbox, conversationIds, figures.http);
		await measureWorkflow(instance, sandbox, floor.id, figures.floor);
		await recordOrder(sandbox, conversationIds, figures.floor);
		await measureRaw(sandbox, figures.raw, async () => await rawSends(sandbox, conversationIds));
		await recordOrder(sandbox, conversationIds, figures.raw);
	}
	return figures;
}

export async function benchRead(instance: N8nInstance, sandbox: Sandbox) {
	const conversationId = sandbox.addConversation();
	sandbox.addMessages({ conversationId, count: READ_COUNT });
	const { node, http, floor } = readWorkflows(conversationId, sandbox.url);
	await importWorkflows(instance, [node, http, floor]);
	const figures: Contenders = { node: empty(), http: empty(), floor: empty(), raw: empty() };
	for (let run = 1; run <= RUNS; run++) {
		log(`read ${READ_COUNT} messages, run ${run} of ${RUNS}`);
		await measureWorkflow(instance, sandbox, node.id, figures.node);
		await measureWorkflow(instance, sandbox, http.id, figures.http);
		await measureWorkflow(instance, sandbox, floor.id, figures.floor);
		await measureRaw(sandbox, figures.raw, async () => {
			let count = 0;
			for (let skip = 0, more = true; more; skip += 100) {
				const response = await fetch(
					`${sandbox.url}${MESSAGES_PATH}?conversation_id=${conversationId}&limit=100&skip=${skip}`,
					{ headers: { 'x-access-token': sandbox.tokens.agent } },
				);
				const page = (await response.json()) as { data: unknown[]; has_more: boolean };
				count += page.data.length;
				more = page.has_more;
			}
			return count;
		});
	}
	return figures;
}

interface RateLimited {
	name: string;
	times: number[];
	requests: number[];
	rejected: number[];
	failed: number[];
	/** Distinct messages of the 1,000 stored, copies beyond the first, and ones stored late. */
	delivered: number[];
	duplicates: number[];
	outOfOrder: number[];
}

/**
 * Section 4: 1,000 sends to one conversation through the sandbox's token bucket, each contender
 * with Continue On Fail (its failed items are counted, not fatal), a bucket that starts full, and
 * a conversation of its own, read back afterwards (without the limit) to see what arrived.
 */
export async function benchRateLimit(
	instance: N8nInstance,
	sandbox: Sandbox,
): Promise<RateLimited[]> {
	const kinds: Array<{ name: string; pick: 'node' | 'http'; batching?: Batching }> = [
		{ name: 'iMBRACE node (Send, default settings)', pick: 'node' },
		{ name: "n8n's HTTP Request node, default settings", pick: 'http' },
		...BATCHINGS.map(({ batching, label }) => ({
			name: `n8n's HTTP Request node, Batching ${label}`,
			pick: 'http' as const,
			batching,
		})),
	];
	// Each contender sends into a conversation of its own, in a workflow of its own.
	const contenders = kinds.map(({ name, pick, batching }, index) => {
		const conversationId = sandbox.addConversation();
		const workflow = sendWorkflows(conversationId, sandbox.url, SEND_COUNT, {
			suffix: `R${index}`.padEnd(3, '0'),
			settings: CONTINUE_ON_FAIL,
			batching,
		})[pick];
		return { name, workflow, workflowId: workflow.id, conversationId };
	});
	const workflows = contenders.map(({ workflow }) => workflow);
	await importWorkflows(instance, workflows);
	const results: RateLimited[] = contenders.map(({ name }) => ({
		name,
		times: [],
		requests: [],
		rejected: [],
		failed: [],
		delivered: [],
		duplicates: [],
		outOfOrder: [],
	}));
	for (let run = 1; run <= RATE_RUNS; run++) {
		for (const [index, { name, workflowId, conversationId }] of contenders.entries()) {
			log(`rate limit ${RATE_LIMIT.perSecond}/s: ${name}, run ${run} of ${RATE_RUNS}`);
			const result = results[index];
			const before = (await storedTexts(sandbox, conversationId, MESSAGES_PATH)).length;
			sandbox.setRateLimit(RATE_LIMIT);
			sandbox.clearRequests();
			const { time, items } = nodeResult(await execute(instance, workflowId));
			const requests = sandbox.requests();
			sandbox.setRateLimit(null);
			result.times.push(time);
			result.requests.push(requests.length);
			result.rejected.push(requests.filter((request) => request.status === 429).length);
			result.failed.push(items.filter(isFailed).length);
			// What this run stored: the messages the conversation gained.
			const stored = (await storedTexts(sandbox, conversationId, MESSAGES_PATH)).slice(before);
			const distinct = new Set(stored);
			result.delivered.push(distinct.size);
			result.duplicates.push(stored.length - distinct.size);
			result.outOfOrder.push(outOfOrder(stored));
		}
	}
	return results;
}
interface Poll {
	scope: string;
	requests: number;
	durationMs: number;
	messages: number;
}

/**
 * Both triggers active in a running n8n: 10,000 messages arrive after activation, and the polls
 * that drain them are observed at the sandbox (requests, time from the first to the last) and in
 * n8n's executions (messages emitted).
 */
export async function benchTrigger(instance: N8nInstance, sandbox: Sandbox): Promise<Poll[]> {
	const conversationId = sandbox.addConversation();
	const workflows = triggerWorkflows(conversationId);
	await importWorkflows(instance, Object.values(workflows));
	for (const { id } of Object.values(workflows))
		await mustRun(instance, ['publish:workflow', `--id=${id}`]);
	const arrivals: Array<{ scope: string; at: number }> = [];
	sandbox.onRequest((request) => {
		// The organization reads the index (§8 fetch, and §7 search for its first, newest page);
		// the conversation its list of messages. The route probe belongs to neither.
		const scope = request.path.startsWith('/v1/backend/meilisearch/')
			? 'organization'
			: request.path === MESSAGES_PATH
				? 'conversation'
				: '';
		if (scope) arrivals.push({ scope, at: performance.now() });
	});
	log('trigger: starting n8n with both triggers active');
	const n8n = await startN8n(instance);
	try {
		const seeded = () => new Set(arrivals.map((arrival) => arrival.scope)).size === 2;
		while (!seeded()) await new Promise((resolve) => setTimeout(resolve, 200));
		arrivals.length = 0;
		sandbox.addMessages({ conversationId, count: READ_COUNT });
		log(
			`trigger: ${READ_COUNT} messages added; waiting for the polls to drain them (a minute each)`,
		);
		const cookie = await signIn(n8n.url);
		const emitted = async (workflowId: string) => {
			const response = await fetch(
				`${n8n.url}/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}`,
				{ headers: { cookie } },
			);
			const { data } = (await response.json()) as {
				data: { results: Array<{ id: string; status: string }> };
			};
			const counts: number[] = [];
			for (const { id } of data.results.reverse()) {
				const details = (await (
					await fetch(`${n8n.url}/rest/executions/${id}`, { headers: { cookie } })
				).json()) as {
					data: { data: string };
				};
				counts.push(flattedItems(instance.runtime, details.data.data));
			}
			return counts;
		};
		let counts: Record<string, number[]> = {};
		for (const deadline = performance.now() + 6 * 60_000; performance.now() < deadline; ) {
			await new Promise((resolve) => setTimeout(resolve, 5000));
			counts = {
				conversation: await emitted(workflows.conversation.id),
				organization: await emitted(workflows.organization.id),
			};
			const done = Object.values(counts).every(
				(list) => list.reduce((a, b) => a + b, 0) >= READ_COUNT,
			);
			if (done) break;
		}
		return (['conversation', 'organization'] as const).flatMap((scope) => {
			const times = arrivals
				.filter((arrival) => arrival.scope === scope)
				.map((arrival) => arrival.at);
			// A poll is a burst of requests; polls are a minute apart.
			const bursts: number[][] = [];
			for (const at of times) {
				const last = bursts[bursts.length - 1];
				if (last && at - last[last.length - 1] < 20_000) last.push(at);
				else bursts.push([at]);
			}
			return bursts.slice(0, counts[scope].length).map((burst, index) => ({
				scope,
				requests: burst.length,
				durationMs: burst[burst.length - 1] - burst[0],
				messages: counts[scope][index] ?? 0,
			}));
		});
	} finally {
		await n8n.stop();
	}
}

/** The number of items the trigger emitted, from n8n's flatted execution data. */
function flattedItems(runtime: Runtime, serialized: string): number {
	const flatted = createRequire(join(runtime.dir, 'package.json'))('flatted') as {
		parse(text: string): {
			resultData: { runData: Record<string, Array<{ data: { main: unknown[][] } }>> };
		};
	};
	return flatted.parse(serialized).resultData.runData.Trigger?.[0]?.data?.main?.[0]?.length ?? 0;
}

function packageCost(runtime: Runtime, installed: string) {
	const packed = spawnSync('npm', ['pack', '--dry-run', '--json'], { cwd: ROOT, encoding: 'utf8' });
	const [{ size, unpackedSize, entryCount }] = JSON.parse(packed.stdout) as Array<{
		size: number;
		unpackedSize: number;
		entryCount: number;
	}>;
	const loadTimes: number[] = [];
	const script = `
		const { PackageDirectoryLoader } = require(${JSON.stringify(join(runtime.dir, 'node_modules', 'n8n-core'))});
		(async () => {
			const started = performance.now();
			const loader = new PackageDirectoryLoader(${JSON.stringify(installed)});
			await loader.loadAll();
			process.stdout.write(String(performance.now() - started));
		})();`;
	for (let run = 0; run < RUNS; run++) {
		const result = spawnSync(runtime.node, ['-e', script], {
			encoding: 'utf8',
			env: { ...process.env, N8N_USER_FOLDER: join(STATE_DIR, 'bench') },
		});
		loadTimes.push(Number(result.stdout));
	}
	return { size, unpackedSize, entryCount, loadMs: median(loadTimes) };
}

function table(rows: string[][]): string {
	const [head, ...body] = rows;
	return [head, head.map(() => '---'), ...body].map((row) => `| ${row.join(' | ')} |`).join('\n');
}

type Contenders = Record<'node' | 'http' | 'floor' | 'raw', Figures>;

/** A send table: one row per contender, its medians, and its time against the iMBRACE node's. */
function sendTable(send: Contenders, httpNote: string) {
	const nodeTime = median(send.node.times);
	const row = (name: string, figures: Figures, note = '') => {
		const time = median(figures.times);
		return [
			name,
			ms(time),
			String(median(figures.requests)),
			String(median(figures.items)),
			String(median(figures.outOfOrder)),
			ratio(time, nodeTime),
			note,
		];
	};
	return table([
		['', 'time', 'requests', 'output items', 'stored out of order', 'time / iMBRACE node', ''],
		row('iMBRACE node (Send)', send.node, 'one write at a time per conversation, at most 4 in all'),
		row("n8n's HTTP Request node, same POSTs, same credential", send.http, httpNote),
		row(FLOOR_NAME, send.floor, 'one evaluation and one request per item, one after another'),
		row('sequential `fetch` loop in plain Node', send.raw, 'outside n8n'),
	]);
}

function profileTable(profiles: ProfileSummary[]) {
	return table([
		[
			'workflow',
			'node time',
			'CPU in that time',
			'idle in that time',
			'our own code',
			'credential loading',
			'expressions',
			'largest CPU users (self time)',
		],
		...profiles.map((profile) => [
			profile.name,
			ms(profile.nodeMs),
			ms(profile.window.busy),
			ms(profile.window.idle),
			ms(profile.window.own),
			ms(profile.window.credentials),
			ms(profile.window.expressions),
			profile.window.top
				.slice(0, 5)
				.map(([pkg, time]) => `${pkg} ${Math.round(time)} ms`)
				.join(', '),
		]),
	]);
}

async function main() {
	const runtime = ensureRuntime(2);
	const loadAtStart = loadAverage();
	// Only the current route family, as a production gateway most likely serves: the node finds
	// it, and the HTTP Request node and the fetch loop are given the same paths.
	const sandbox = await startSandbox({ routes: 'current' });
	const userFolder = join(STATE_DIR, 'bench');
	rmSync(userFolder, { recursive: true, force: true });
	// The floor node is loaded from its folder as n8n loads custom nodes (type CUSTOM.imbraceFloor),
	// beside the iMBRACE package installed the way a community install places it.
	const instance = createInstance(runtime, userFolder, { N8N_CUSTOM_EXTENSIONS: FLOOR_DIR });
	writeSandboxCredential(join(userFolder, 'bench'), sandbox);
	await importFiles(instance, { credentials: [join(userFolder, 'bench', 'credentials.json')] });

	const send = await benchSend(instance, sandbox, 1);
	const spread = await benchSend(instance, sandbox, SEND_CONVERSATIONS);
	const read = await benchRead(instance, sandbox);
	const limited = await benchRateLimit(instance, sandbox);
	const polls = await benchTrigger(instance, sandbox);
	const cost = packageCost(
		runtime,
		join(userFolder, '.n8n', 'nodes', 'node_modules', 'n8n-nodes-imbrace'),
	);
	await sandbox.close();
	log('profiling one run of each send and read workflow');
	const profiles = await profileNode();
	const measured: Measured = {
		date: new Date().toISOString().slice(0, 10),
		n8n: runtime.version,
		n8nNode: spawnSync(runtime.node, ['--version'], { encoding: 'utf8' }).stdout.trim(),
		loopNode: process.version,
		machine: `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB RAM (${Math.round(freemem() / 2 ** 30)} GiB free), Linux ${release()}`,
		loadAtStart,
		loadAtEnd: loadAverage(),
		runs: RUNS,
		rateRuns: RATE_RUNS,
		send,
		spread,
		read,
		limited,
		polls,
		cost,
		profiles,
	};
	writeFileSync(FIGURES_FILE, `${JSON.stringify(measured, null, '\t')}\n`);
	writeReport(measured);
}

/** Everything a run measured, kept in FIGURES_FILE so that the report can be written again. */
interface Measured {
	date: string;
	n8n: string;
	/** The Node versions of n8n and of the fetch loop. */
	n8nNode: string;
	loopNode: string;
	machine: string;
	loadAtStart: string;
	loadAtEnd: string;
	runs: number;
	rateRuns: number;
	send: Contenders;
	spread: Contenders;
	read: Contenders;
	limited: RateLimited[];
	polls: Poll[];
	cost: ReturnType<typeof packageCost>;
	profiles: ProfileSummary[];
}

/** Writes bench/RESULTS.md from a run's figures. */
function writeReport(measured: Measured) {
	const { send, spread, read, limited, polls, cost, profiles, runs } = measured;
	const sendNode = median(send.node.times);
	const sendRaw = median(send.raw.times);
	const readNode = median(read.node.times);
	const [limitedNode, limitedHttp, limitedPaced] = limited;
	const limitedNodeTime = median(limitedNode.times);
	const limitedNodeFailed = median(limitedNode.failed);
	/** The iMBRACE node's time against each other contender's, in one section. */
	const against = (figures: Contenders) => {
		const own = median(figures.node.times);
		return (['http', 'floor', 'raw'] as const).map((other) =>
			ratio(own, median(figures[other].times)),
		);
	};
	const versus = (figures: Contenders) => {
		const [http, floor, raw] = against(figures);
		return `iMBRACE node / HTTP Request node: **${http}**; iMBRACE node / floor node: **${floor}**; iMBRACE node / raw loop: **${raw}**.`;
	};
	/** A row of the targets table: what was measured, the iMBRACE node's figure and its ratios. */
	const target = (measured: string, figures: Contenders, goal: string, reached: string) => [
		measured,
		ms(median(figures.node.times)),
		...against(figures),
		goal,
		reached,
	];
	const report = `# Benchmarks

Produced by \`npm run bench\` on ${measured.date}: real n8n ${measured.n8n} on Node ${measured.n8nNode}, against the local sandbox on the same machine serving only the current route family (\`/channel-service/v1/…\`, which the node finds by itself; the HTTP Request node, the floor node and the fetch loop are given the same paths), the plain \`fetch\` loop on Node ${measured.loopNode}.
Machine: ${measured.machine}. It was shared with other work while the benchmark ran (load average (1, 5, 15 min) ${measured.loadAtStart} at the start, ${measured.loadAtEnd} at the end), so a figure here is not comparable with one of another run of the script: the figures are side by side in one run, every figure the median of ${runs} runs, the contenders taking turns; section 4 is ${measured.rateRuns === 1 ? 'one run' : `the median of ${measured.rateRuns} runs`} per contender (each takes about 50 s).
Node times are n8n's own \`executionTime\` of the measured node in the run data; the fetch loop is timed around the loop. The requests of the n8n nodes include the credential's one route probe per \`n8n execute\` (a new process).

The contenders: the iMBRACE node; n8n's HTTP Request node with the same credential; the **floor node**, the least a node can do in the same n8n; and a sequential \`fetch\` loop in plain Node, outside n8n. The floor node (\`scripts/bench/floor/\`, part of the benchmark only, never of the package) is a programmatic node that n8n loads from \`N8N_CUSTOM_EXTENSIONS\`: for each item in turn it evaluates each of its parameters once (\`getNodeParameter\`: the Conversation ID and the Text), makes one request with n8n's \`httpRequestWithAuthentication\` and the iMBRACE credential, awaits it and outputs the answer; reading, it asks for pages of 100 one after another until \`has_more\` is false. It uses the credential rather than n8n's plain \`httpRequest\` with the token header because every real contender goes through it (its route probe, its \`authenticate\`, which sends the token only to the gateway), and a node that set the header itself would skip work no iMBRACE node may skip; like the iMBRACE node it reads the credential once per run and hands it to each request, which n8n's helper accepts (without it, n8n reads and decrypts the credential for every request, as it does for the HTTP Request node). It does nothing else: no repeat after a failure, no pacing, no check of the answer, one request at a time. So it is a floor for the nodes in n8n, not a node one could publish.

## Targets

The iMBRACE node's figure, and its time as a multiple of each other contender's in the same section.

${table([
	[
		'measured',
		'iMBRACE node',
		'/ HTTP Request node',
		'/ floor node',
		'/ raw `fetch` loop',
		'target',
		'',
	],
	target(
		`send ${SEND_COUNT.toLocaleString('en')} messages to one conversation (section 1)`,
		send,
		'faster than the HTTP Request node; at most 2× the raw loop',
		`${met(sendNode < median(send.http.times))}; ${met(sendNode <= 2 * sendRaw)}`,
	),
	target(
		`send ${SEND_COUNT.toLocaleString('en')} messages over ${SEND_CONVERSATIONS} conversations (section 2)`,
		spread,
		'faster than the raw loop',
		met(median(spread.node.times) < median(spread.raw.times)),
	),
	target(
		`read ${READ_COUNT.toLocaleString('en')} messages with Return All (section 3)`,
		read,
		'at most 2× the raw loop',
		met(readNode <= 2 * median(read.raw.times)),
	),
	[
		`send ${SEND_COUNT.toLocaleString('en')} messages through ${RATE_LIMIT.perSecond} requests/s, ${RATE_LIMIT.burst} at once (section 4)`,
		`${seconds(limitedNodeTime)} (${ratio(limitedNodeTime, 50_000)} of 50 s), ${limitedNodeFailed} failed items`,
		`${ratio(limitedNodeTime, median(limitedPaced.times))} (with Batching ${BATCHINGS[0].label}; ${median(limitedHttp.failed)} items fail with its defaults)`,
		'not run',
		'not run',
		'within 1.1× of 50 s, no failed item',
		met(limitedNodeTime <= 1.1 * 50_000 && limitedNodeFailed === 0),
	],
])}

The floor node is not run through the rate limit: it does not wait out a 429, so it would fail every item the gateway refuses, as the HTTP Request node does with its defaults in section 4. ${floorVerdict([send, spread, read])}

## 1. Send ${SEND_COUNT} text messages to one conversation (${SEND_COUNT} input items)

${sendTable(send, 'all items at once')}

${versus(send)}

## 2. Send ${SEND_COUNT} text messages over ${SEND_CONVERSATIONS} conversations (item n to conversation n mod ${SEND_CONVERSATIONS})

${sendTable(spread, 'all items at once')}

${versus(spread)}

## 3. Read a conversation of ${READ_COUNT} messages with Return All

${table([
	['', 'time', 'requests', 'output items', 'time / iMBRACE node', ''],
	...(
		[
			['iMBRACE node (Get Many, Return All, raw output)', read.node, ''],
			[
				"n8n's HTTP Request node with its pagination (skip += 100 until has_more is false)",
				read.http,
				'one item per page',
			],
			[FLOOR_NAME, read.floor, 'pages of 100, one after another'],
			['sequential `fetch` loop in plain Node', read.raw, 'outside n8n'],
		] as const
	).map(([name, figures, note]) => [
		name,
		ms(median(figures.times)),
		String(median(figures.requests)),
		String(median(figures.items)),
		ratio(median(figures.times), readNode),
		note,
	]),
])}

${versus(read)}

## 4. Send ${SEND_COUNT} messages to one conversation through a rate limit

The sandbox's token bucket: ${RATE_LIMIT.perSecond} requests a second per token, ${RATE_LIMIT.burst} at once (it starts full, and is full again for each contender); a request past it is answered 429 with \`Retry-After\` (the whole seconds until the bucket has a token again, at least 1). The least possible time is ${seconds(RATE_FLOOR_MS)} (the burst, then ${RATE_LIMIT.perSecond} a second). Every contender has Continue On Fail on, so that its failed items are counted instead of stopping it at the first, and its own conversation, read back afterwards.

${table([
	[
		'',
		'time',
		'time / 50 s',
		'requests',
		'429s received',
		'failed items',
		'messages stored',
		'stored twice',
		'stored out of order',
	],
	...limited.map((contender) => [
		contender.name,
		seconds(median(contender.times)),
		ratio(median(contender.times), 50_000),
		String(median(contender.requests)),
		String(median(contender.rejected)),
		String(median(contender.failed)),
		`${median(contender.delivered)} of ${SEND_COUNT}`,
		String(median(contender.duplicates)),
		String(median(contender.outOfOrder)),
	]),
])}

The iMBRACE node needs no setting: it waits out each 429 and keeps to the pace it has learned
from them, so no item fails and none is sent twice. Its time above the least possible is n8n
building every item's request before the first is sent (section 6, about ${seconds(
		profiles[0].window.beforeFirstRequest,
	)} for 1,000 sends), and the pace being found: each of the ${median(limitedNode.rejected)} answers 429 it got is a pause of
the whole \`Retry-After\` second, of which the bucket needed half. The HTTP Request node fails
every item the gateway refuses; with Batching set to the gateway's exact rate it gets through,
which takes knowing that rate; a batch of 20 a second is still refused, 10 at once being the
burst.

## 5. The trigger draining ${READ_COUNT} new messages

Both triggers active in a running n8n, polling every minute; ${READ_COUNT} messages arrive in one conversation after activation. Time per poll runs from the poll's first request to its last, as the sandbox saw them (the organization scope reads the index's \`…/fetch\` route).

${table([
	['scope', 'poll', 'messages emitted', 'requests', 'time'],
	...polls.map((poll, index) => [
		poll.scope,
		String(polls.filter((other, at) => other.scope === poll.scope && at <= index).length),
		String(poll.messages),
		String(poll.requests),
		ms(poll.durationMs),
	]),
])}

## 6. Where the time goes

One run of each workflow under V8's CPU profiler (\`npm run bench:profile\`), counted over the measured node's run (from the first to the last sample in the package's code):

${profileTable(profiles)}

${whereTheTimeGoes(profiles, send, spread, read)}

## 7. Package cost

${table([
	[
		'packed tarball',
		'unpacked',
		'files',
		`n8n's loader (PackageDirectoryLoader.loadAll, median of ${runs})`,
	],
	[
		`${(cost.size / 1024).toFixed(1)} KiB`,
		`${(cost.unpackedSize / 1024).toFixed(1)} KiB`,
		String(cost.entryCount),
		ms(cost.loadMs),
	],
])}
`;
	const file = join(ROOT, 'bench', 'RESULTS.md');
	// `npm run bench:tools` writes its own section after these (section 8): it is kept.
	const previous = readFileSync(file, 'utf8');
	const toolSection = previous.indexOf('\n## 8. ');
	const kept = toolSection < 0 ? '' : previous.slice(toolSection);
	writeFileSync(file, formatMarkdown(`${report}${kept}`, file));
	log('wrote bench/RESULTS.md');
}

/** What the floor node's times say of the targets set against the raw loop. */
function floorVerdict(sections: Contenders[]): string {
	const [send, spread, read] = sections.map(
		(figures) => median(figures.floor.times) / median(figures.raw.times),
	);
	const beyond = send > 2 && spread > 1 && read > 2;
	return `The floor node itself takes ${send.toFixed(2)}×, ${spread.toFixed(2)}× and ${read.toFixed(2)}× the raw loop's time in sections 1, 2 and 3${
		beyond
			? ': no node that runs in n8n on this machine can meet the targets set against the raw loop (section 6 shows where n8n spends the time).'
			: '.'
	}`;
}

/** What the profile of section 6 shows, in words, with its figures. */
function whereTheTimeGoes(
	profiles: ProfileSummary[],
	send: Contenders,
	spread: Contenders,
	read: Contenders,
): string {
	const [one, twenty, , http] = profiles;
	const [sendNode, sendFloor, sendRaw] = (['node', 'floor', 'raw'] as const).map((contender) =>
		median(send[contender].times),
	);
	const building = one.window.beforeFirstRequest;
	const perEvaluation = one.window.expressions / (4 * SEND_COUNT);
	const perRequest = (one.nodeMs - building) / SEND_COUNT;
	return `**What was ours, and is fixed.** n8n's \`httpRequestWithAuthentication\` reads the credential
from n8n's database and decrypts it for every request unless it is handed one; the node hands it
the credential it reads once per run (measured A/B in n8n 2.41.1: 1,000 sends 6.9 → 4.5 s,
reading 10,000 messages 0.87 → 0.64 s). The HTTP Request node still pays it: ${ms(http.window.credentials)}
of its run above. The Conversation ID had two definitions (Get Many's and Send's), and n8n
evaluates a parameter once per definition of its name: six evaluations per item where four are
n8n's least; it has one now. Before that, the node evaluated expressions of its own for every item
(\`value\` expressions, checks that read parameters again); it adds none (a test counts them).

**What is n8n's.** n8n's declarative engine (\`RoutingNode\`) builds every item's request before
it sends the first: ${ms(building)} of the ${ms(one.nodeMs)} run of 1,000 sends to one conversation
(${ms(twenty.window.beforeFirstRequest)} over 20 conversations, where the Conversation ID is an
expression too). For each item it evaluates every expression parameter four times (twice to build
the request, twice to find out whether the base URL is the node's own), and n8n 2.x runs each
evaluation in an isolate (\`@n8n/expression-runtime\`): ${ms(one.window.expressions)} for the 4,000
evaluations of \`{{ $json.text }}\`, about ${perEvaluation.toFixed(2)} ms each. Then each request goes
through n8n's HTTP stack (axios with n8n's proxy and address checks, the credential's
\`preAuthentication\` and \`authenticate\`): about ${perRequest.toFixed(1)} ms a request where the raw
loop needs ${(sendRaw / SEND_COUNT).toFixed(2)} ms. Writes to one conversation go one after another,
each after the previous answer, as their order requires, so that time adds up; over 20
conversations four go at once, on two cores that n8n's per-item work keeps busy
(${ms(twenty.window.busy)} of CPU in ${ms(twenty.nodeMs)}).

**The floor in n8n.** The floor node measures what any node pays in n8n's engine: one
evaluation of \`{{ $json.text }}\` per item, and each request through n8n's helper and the
credential, one after another. That takes it ${ms(sendFloor)} for 1,000 sends to one conversation
(section 1), about ${(sendFloor / SEND_COUNT).toFixed(1)} ms an item, ${ratio(sendFloor, sendRaw)} the raw
loop's time. The iMBRACE node takes ${ratio(sendNode, sendFloor)} the floor's time there: the three
further evaluations per item of n8n's declarative engine and its building of every request before
the first is sent (above), and the node's own keeping of order, exactly-once delivery and the
gateway's pace, which the floor does without. Over 20 conversations, where the node sends to up
to four at once and the floor to one at a time but the Conversation ID is an expression too (eight
evaluations per item for the node, two for the floor, on two busy cores), the node takes ${ratio(median(spread.node.times), median(spread.floor.times))} the
floor's time; reading 10,000 messages, ${ratio(median(read.node.times), median(read.floor.times))} (not profiled here). What a node can do is add as little as it can to n8n's least, go as fast as n8n's
HTTP Request node or faster, and keep order, exactly-once delivery and the gateway's pace, which
sections 1, 2 and 4 show.`;
}

if (require.main === module) {
	// `--report`: writes bench/RESULTS.md again from the last run's figures, measuring nothing.
	const run = process.argv.includes('--report')
		? async () => writeReport(JSON.parse(readFileSync(FIGURES_FILE, 'utf8')) as Measured)
		: main;
	run().catch((error: Error) => {
		console.error(error);
		process.exit(1);
	});
}
