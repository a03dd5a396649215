/**
 * Runs the sandbox until interrupted (`npm run sandbox`):
 * `node build/test/sandbox/cli.js [--port N] [--host H] [--routes R] [--meili G] [--now T]
 * [--inbox on|off] [--whatsapp-window [on|off]]`.
 * Prints its URL, its mode, the seed's now and the seeded tokens and ids.
 */
import { startSandbox } from './index';
import { readOption, readSandboxMode } from './options';

const USAGE =
	'Usage: node build/test/sandbox/cli.js [--port N] [--host H] [--routes documented|current|both] [--meili 1.14|1.15] [--now ISO-time|now] [--inbox on|off] [--whatsapp-window [on|off]]';

function fail(message: string): never {
	console.error(message);
	process.exit(2);
}

async function main(): Promise<void> {
	const args = process.argv.slice(2);
	if (args.includes('--help') || args.includes('-h')) {
		console.log(USAGE);
		return;
	}
	const portText = readOption(args, '--port') ?? process.env.IMBRACE_SANDBOX_PORT ?? '0';
	const port = Number(portText);
	if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`Invalid --port: ${portText}`);
	const host = readOption(args, '--host') ?? '127.0.0.1';
	let mode: ReturnType<typeof readSandboxMode>;
	try {
		mode = readSandboxMode(args);
	} catch (error) {
		fail((error as Error).message);
	}
	const { routes, meili, inbox, whatsappWindow } = mode;

	// By default the seed ends now, so a demo shows recent messages; an ISO time pins it.
	const nowText = readOption(args, '--now') ?? process.env.IMBRACE_SANDBOX_NOW ?? 'now';
	const now = nowText === 'now' ? Date.now() : Date.parse(nowText);
	if (Number.isNaN(now))
		fail(`Invalid --now (or IMBRACE_SANDBOX_NOW): ${nowText}; use an ISO time or now`);

	const sandbox = await startSandbox({ port, host, routes, meili, inbox, whatsappWindow, now });
	const { url, tokens, ids, inboxIds } = sandbox;
	console.log(`iMBRACE sandbox listening on ${url}`);
	console.log(`Routes: ${routes}; Meilisearch: ${meili} (change with POST ${url}/__sandbox/mode)`);
	console.log(
		`Inbox: ${inbox ? 'routed' : 'not routed'}; WhatsApp's 24-hour window: ${whatsappWindow ? 'enforced' : 'not enforced'}`,
	);
	console.log(`The seed's now: ${new Date(now).toISOString()} (seeded messages lie before it)`);
	console.log('');
	console.log('Tokens (x-access-token; x-api-key for apiKey and scopedApiKey):');
	for (const [name, token] of Object.entries(tokens)) console.log(`  ${name.padEnd(15)} ${token}`);
	console.log('');
	console.log('Ids:');
	for (const [name, value] of Object.entries(ids)) {
		const shown = Array.isArray(value)
			? value.length > 6
				? `${value.length} ids, first ${value.slice(0, 3).join(', ')}`
				: value.join(', ')
			: value;
		console.log(`  ${name.padEnd(22)} ${shown}`);
	}
	console.log('');
	console.log('Inbox ids:');
	for (const [name, value] of Object.entries(inboxIds)) {
		const shown = Array.isArray(value)
			? `${value.length} ids, first ${value.slice(0, 3).join(', ')}`
			: typeof value === 'string'
				? value
				: Object.entries(value)
						.map(([key, id]) => `${key} ${id}`)
						.join(', ');
		console.log(`  ${name.padEnd(36)} ${shown}`);
	}
	console.log('');
	console.log(`Everything as JSON: GET ${url}/__sandbox/info`);
	console.log('Stop with Ctrl+C.');
	// A parent started with fork() (the benchmark) learns the URL without parsing text.
	process.send?.({ type: 'ready', url });

	let stopping = false;
	const stop = (signal: string) => {
		if (stopping) return;
		stopping = true;
		console.log(`\n${signal}: stopping the sandbox`);
		sandbox.close().then(
			() => process.exit(0),
			(error: unknown) => fail(`Could not stop cleanly: ${String(error)}`),
		);
	};
	process.on('SIGINT', () => stop('SIGINT'));
	process.on('SIGTERM', () => stop('SIGTERM'));
	// A forked child also stops when its parent goes away.
	process.on('disconnect', () => stop('disconnect'));
}

main().catch((error: unknown) => fail(`The sandbox could not start: ${String(error)}`));
