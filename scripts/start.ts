// `npm start`: n8n with the iMBRACE nodes installed, a credential aimed at the local sandbox,
// and the example workflows, on http://127.0.0.1:5678. Ctrl+C stops everything it started.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { startSandbox } from '../test/sandbox';
import { writeExamples, writeSandboxCredential } from './n8n/examples';
import { OWNER, createInstance, importFiles, startN8n } from './n8n/instance';
import { RUNTIME_DIR, ensureRuntime } from './n8n/runtime';

const N8N_PORT = 5678;
const SANDBOX_PORT = 4010;

function step(message: string) {
	console.log(`\n> ${message}`);
}

/** A digest of the files to import, so that a second start skips an import that changed nothing. */
function digest(dir: string): string {
	const hash = createHash('sha256');
	for (const name of readdirSync(dir).sort())
		hash.update(name).update(readFileSync(join(dir, name)));
	return hash.digest('hex');
}

async function main() {
	const fresh = process.argv.includes('--fresh');
	step('Checking the n8n installation');
	const runtime = ensureRuntime(2);

	step('Starting the iMBRACE sandbox');
	const sandbox = await startSandbox({ port: SANDBOX_PORT }).catch(() => startSandbox());

	const userFolder = join(RUNTIME_DIR, 'user');
	if (fresh) rmSync(userFolder, { recursive: true, force: true });
	step(`Installing n8n-nodes-imbrace into ${join(userFolder, '.n8n', 'nodes')}`);
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
			workflows: readdirSync(join(importDir, 'workflows')).map((name) =>
				join(importDir, 'workflows', name),
			),
		});
		writeFileSync(marker, wanted);
	}

	const logFile = join(userFolder, 'n8n.log');
	step(`Starting n8n ${runtime.version} (its log: ${logFile})`);
	writeFileSync(logFile, '');
	const n8n = await startN8n(instance, N8N_PORT, { logFile });

	console.log(`
n8n is ready:   ${n8n.url}
Sign in with:   ${OWNER.email} / ${OWNER.password}
Workflows:      the four iMBRACE examples, using the credential "iMBRACE sandbox"
Sandbox:        ${sandbox.url} (tokens and IDs: ${sandbox.url}/__sandbox/info)
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
