/**
 * Requests per second that the sandbox serves for a simple authenticated GET.
 *
 *   node build/test/sandbox/bench.js [--url URL] [--connections N] [--seconds S] [--path P]
 *
 * Without --url it forks the sandbox CLI as a separate process, so that server and client
 * each get a core, and stops it afterwards. N keep-alive connections each send the next
 * request as soon as the previous answer is read.
 */
import { fork } from 'node:child_process';
import { Agent, request } from 'node:http';
import { join } from 'node:path';

interface Options {
	url?: string;
	connections: number;
	seconds: number;
	warmupSeconds: number;
	path: string;
}

function readOptions(args: readonly string[]): Options {
	const value = (name: string) => {
		const index = args.indexOf(name);
		return index >= 0 ? args[index + 1] : undefined;
	};
	return {
		url: value('--url'),
		connections: Number(value('--connections') ?? 32),
		seconds: Number(value('--seconds') ?? 5),
		warmupSeconds: Number(value('--warmup') ?? 1),
		path: value('--path') ?? '/channel-service/v1/channels/_conv_count',
	};
}

async function startChild(): Promise<{ url: string; stop: () => void }> {
	const child = fork(join(__dirname, 'cli.js'), ['--port', '0'], {
		stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
	});
	const url = await new Promise<string>((resolve, reject) => {
		child.once('error', reject);
		child.once('exit', (code) => reject(new Error(`The sandbox exited early (${String(code)})`)));
		child.on('message', (message: unknown) => {
			if (
				typeof message === 'object' &&
				message !== null &&
				'url' in message &&
				typeof message.url === 'string'
			) {
				resolve(message.url);
			}
		});
	});
	return { url, stop: () => child.kill('SIGTERM') };
}

function get(
	agent: Agent,
	url: URL,
	headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
	return new Promise((resolve, reject) => {
		const outgoing = request(url, { agent, headers }, (response) => {
			const chunks: Buffer[] = [];
			response.on('data', (chunk: Buffer) => chunks.push(chunk));
			response.on('end', () =>
				resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
			);
			response.on('error', reject);
		});
		outgoing.on('error', reject);
		outgoing.end();
	});
}

/** Runs `connections` request loops for `seconds`; answers completed requests and failures. */
async function load(
	agent: Agent,
	url: URL,
	headers: Record<string, string>,
	connections: number,
	seconds: number,
): Promise<{ ok: number; failed: number; elapsedMs: number }> {
	const deadline = performance.now() + seconds * 1000;
	let ok = 0;
	let failed = 0;
	const started = performance.now();
	await Promise.all(
		Array.from({ length: connections }, async () => {
			while (performance.now() < deadline) {
				try {
					const { status } = await get(agent, url, headers);
					if (status === 200) ok++;
					else failed++;
				} catch {
					failed++;
				}
			}
		}),
	);
	return { ok, failed, elapsedMs: performance.now() - started };
}

async function main(): Promise<void> {
	const options = readOptions(process.argv.slice(2));
	const child = options.url ? undefined : await startChild();
	const baseUrl = options.url ?? child?.url ?? '';
	try {
		const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
		const info = await get(agent, new URL('/__sandbox/info', baseUrl), {});
		const { tokens } = JSON.parse(info.body) as { tokens: { agent: string } };
		const target = new URL(options.path, baseUrl);
		const headers = { 'x-access-token': tokens.agent };
		const probe = await get(agent, target, headers);
		if (probe.status !== 200)
			throw new Error(`GET ${options.path} answered ${probe.status}: ${probe.body}`);
		await load(agent, target, headers, options.connections, options.warmupSeconds);
		// The warm-up's requests would otherwise sit in the request log.
		await new Promise<void>((resolve, reject) => {
			const outgoing = request(
				new URL('/__sandbox/requests', baseUrl),
				{ agent, method: 'DELETE' },
				(response) => {
					response.resume();
					response.on('end', resolve);
				},
			);
			outgoing.on('error', reject);
			outgoing.end();
		});
		const result = await load(agent, target, headers, options.connections, options.seconds);
		const perSecond = Math.round((result.ok / result.elapsedMs) * 1000);
		console.log(
			`GET ${options.path}: ${perSecond} requests/second (${result.ok} answered 200 in ${(result.elapsedMs / 1000).toFixed(2)} s, ${result.failed} failed, ${options.connections} keep-alive connections)`,
		);
		console.log(
			JSON.stringify({
				path: options.path,
				requestsPerSecond: perSecond,
				...result,
				connections: options.connections,
			}),
		);
		agent.destroy();
		if (result.failed > 0) process.exitCode = 1;
	} finally {
		child?.stop();
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
