// `npm start`: n8n with the iMBRACE nodes installed, a credential aimed at the local sandbox,
// and the example workflows, on http://127.0.0.1:5678 (or a free port when that one is taken).
// Ctrl+C stops everything it started. A second start skips every step whose inputs are the same.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { startSandbox } from '../test/sandbox';
import { readSandboxMode } from '../test/sandbox/options';
import { writeExamples, writeSandboxCredential } from './n8n/examples';
import { OWNER, createInstance, importFiles, installPackage, startN8n } from './n8n/instance';
import { freePort } from './n8n/ports';
import { STATE_DIR, ensureRuntime } from './n8n/runtime';

const N8N_PORT = 5678;
const SANDBOX_PORT = 4010;

const started = Date.now();

function step(message: string) {
	console.log(`> ${message}`);
}

/** A digest of the files to import, so that a second start skips an import that changed nothing. */
function digest(dir: string): string {
	const hash = createHash('sha256');
	for (const name of readdirSync(dir).sort())
		hash.update(name).update(readFileSync(join(dir, name)));
	return hash.digest('hex');
}

/** Nothing when the preferred port was free, else a note that says it was taken. */
function portNote(port: number, preferred: number) {
	return port === preferred ? '' : ` (port ${preferred} is taken)`;
}

async function main() {
	const fresh = process.argv.includes('--fresh');
	step('Checking the n8n installation');
	const runtime = ensureRuntime(2);

	const sandboxPort = await freePort(SANDBOX_PORT);
	step(`Starting the iMBRACE sandbox${portNote(sandboxPort, SANDBOX_PORT)}`);
	// Its seed ends now, so that every example finds recent messages on its first run; its routes
	// are the current family's alone, as a production gateway most likely serves them.
	const mode = readSandboxMode(process.argv.slice(2));
	const sandbox = await startSandbox({ port: sandboxPort, now: Date.now(), ...mode });

	const userFolder = join(STATE_DIR, 'user');
	if (fresh) rmSync(userFolder, { recursive: true, force: true });
	const nodesFolder = join(userFolder, '.n8n', 'nodes');
	const installed = installPackage(userFolder);
	step(`n8n-nodes-imbrace in ${nodesFolder}: ${installed ? 'installed' : 'unchanged, kept'}`);
	const instance = createInstance(runtime, userFolder);

	const importDir = join(userFolder, 'import');
	writeSandboxCredential(join(importDir, 'credentials'), sandbox);
	writeExamples(join(importDir, 'workflows'), join(userFolder, 'files'));
	const marker = join(userFolder, 'imported.sha256');
	const wanted = `${digest(join(importDir, 'credentials'))} ${digest(join(importDir, 'workflows'))}`;
	if (!existsSync(marker) || readFileSync(marker, 'utf8') !== wanted) {
		step('Importing the sandbox credential and the example workflows');
		await importFiles(instance, {
			credentials: [join(importDir, 'credentials', 'credentials.json')],
			workflowFolders: [join(importDir, 'workflows')],
		});
		writeFileSync(marker, wanted);
	} else step('The sandbox credential and the example workflows: unchanged, already imported');

	const logFile = join(userFolder, 'n8n.log');
	step(`Starting n8n ${runtime.version} (its log: ${logFile})`);
	writeFileSync(logFile, '');
	const n8n = await startN8n(instance, N8N_PORT, { logFile });

	console.log(`
n8n is ready:   ${n8n.url}${portNote(n8n.port, N8N_PORT)}, ${Math.round((Date.now() - started) / 1000)} s after this script started
Sign in with:   ${OWNER.email} / ${OWNER.password}
Workflows:      the four iMBRACE examples, using the credential "iMBRACE sandbox"
Sandbox:        ${sandbox.url} (tokens and IDs: ${sandbox.url}/__sandbox/info)
                routes ${mode.routes}, Meilisearch ${mode.meili} (npm start -- --routes both|documented|current --meili 1.14|1.15)
Ports:          n8n ${n8n.port}, its task broker ${n8n.brokerPort}, the sandbox ${sandbox.port}
Stop:           Ctrl+C
`);

	let stopping = false;
	const stop = async () => {
		if (stopping) return;
		stopping = true;
		console.log('\nStopping n8n and the sandbox...');
		await n8n.stop();
		await sandbox.close();
		process.exit(0);
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
	n8n.process.on('exit', (code) => {
		if (stopping) return;
		console.error(`n8n stopped by itself (exit ${code}); see ${logFile}`);
		void sandbox.close().then(() => process.exit(1));
	});
}

main().catch((error: Error) => {
	console.error(error.message);
	process.exit(1);
});
