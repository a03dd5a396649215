// One n8n installation at work: a user folder with this package installed in it the way a
// community install places it, n8n's CLI, and a running server.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
	appendFileSync,
	closeSync,
	cpSync,
	existsSync,
	mkdirSync,
	mkdtempSync,
	openSync,
	readFileSync,
	readdirSync,
	rmSync,
	writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

import type { IRun } from 'n8n-workflow';

import { freePort } from './ports';
import type { Runtime } from './runtime';
import { ROOT } from './runtime';

export const OWNER = {
	email: 'owner@example.com',
	password: 'Imbrace-sandbox-1',
	firstName: 'Sandbox',
	lastName: 'Owner',
};

export interface N8nInstance {
	runtime: Runtime;
	userFolder: string;
	env: NodeJS.ProcessEnv;
}

/** Every file below a folder, as paths relative to `base`, sorted. */
function filesBelow(dir: string, base: string): string[] {
	return readdirSync(dir, { withFileTypes: true, recursive: true })
		.filter((entry) => entry.isFile())
		.map((entry) => relative(base, join(entry.parentPath, entry.name)))
		.sort();
}

/** A digest of what n8n loads from the package: its package.json and the built dist/. */
export function packageDigest(): string {
	const hash = createHash('sha256');
	for (const file of ['package.json', ...filesBelow(join(ROOT, 'dist'), ROOT)])
		hash
			.update(file)
			.update('\0')
			.update(readFileSync(join(ROOT, file)))
			.update('\0');
	return hash.digest('hex');
}

/**
 * Packs the built package and unpacks it into the user folder's community-node folder
 * (`.n8n/nodes/node_modules/n8n-nodes-imbrace`), next to the manifest n8n keeps there: what
 * n8n's own installer leaves behind, minus a copy of n8n-workflow (n8n lends its own). Answers
 * false, having done nothing, when the same build is installed there already.
 */
export function installPackage(userFolder: string): boolean {
	const nodesDir = join(userFolder, '.n8n', 'nodes');
	const target = join(nodesDir, 'node_modules', 'n8n-nodes-imbrace');
	const marker = join(userFolder, 'installed-package.sha256');
	const digest = packageDigest();
	if (
		existsSync(join(target, 'package.json')) &&
		existsSync(marker) &&
		readFileSync(marker, 'utf8') === digest
	)
		return false;
	const packDir = mkdtempSync(join(tmpdir(), 'imbrace-pack-'));
	try {
		const packed = spawnSync('npm', ['pack', '--json', '--pack-destination', packDir], {
			cwd: ROOT,
			encoding: 'utf8',
		});
		if (packed.status !== 0) throw new Error(`npm pack failed: ${packed.stderr}`);
		const [{ filename, version }] = JSON.parse(packed.stdout) as Array<{
			filename: string;
			version: string;
		}>;
		spawnSync('tar', ['-xzf', join(packDir, filename), '-C', packDir], { stdio: 'inherit' });
		rmSync(target, { recursive: true, force: true });
		mkdirSync(join(nodesDir, 'node_modules'), { recursive: true });
		cpSync(join(packDir, 'package'), target, { recursive: true });
		writeFileSync(
			join(nodesDir, 'package.json'),
			`${JSON.stringify({ name: 'installed-nodes', private: true, dependencies: { 'n8n-nodes-imbrace': version } }, null, 2)}\n`,
		);
		writeFileSync(marker, digest);
		return true;
	} finally {
		rmSync(packDir, { recursive: true, force: true });
	}
}

/** The owner account, set up from the environment (n8n 2.17 and later) so no setup screen shows. */
function ownerEnvironment(runtime: Runtime, userFolder: string): NodeJS.ProcessEnv {
	if (runtime.major === 1) return {};
	return {
		N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
		N8N_INSTANCE_OWNER_EMAIL: OWNER.email,
		N8N_INSTANCE_OWNER_FIRST_NAME: OWNER.firstName,
		N8N_INSTANCE_OWNER_LAST_NAME: OWNER.lastName,
		N8N_INSTANCE_OWNER_PASSWORD_HASH: ownerPasswordHash(runtime, userFolder),
	};
}

/**
 * The owner's password as the bcrypt hash n8n wants, made by n8n's own bcryptjs and kept in the
 * user folder (with a digest of the password it hashes), which saves a later start a process.
 */
function ownerPasswordHash(runtime: Runtime, userFolder: string): string {
	const file = join(userFolder, 'owner-password.bcrypt');
	const password = createHash('sha256').update(OWNER.password).digest('hex');
	const [keptFor, kept] = existsSync(file) ? readFileSync(file, 'utf8').split(' ') : [];
	if (keptFor === password && kept) return kept;
	const hash = spawnSync(
		runtime.node,
		[
			'-e',
			"process.stdout.write(require('bcryptjs').hashSync(process.argv[1], 10))",
			OWNER.password,
		],
		{ cwd: runtime.dir, encoding: 'utf8' },
	).stdout;
	writeFileSync(file, `${password} ${hash}`);
	return hash;
}

/** An n8n with its own user folder: private database, no telemetry, no calls to n8n.io. */
export function createInstance(
	runtime: Runtime,
	userFolder: string,
	extra: NodeJS.ProcessEnv = {},
): N8nInstance {
	mkdirSync(userFolder, { recursive: true });
	installPackage(userFolder);
	const env: NodeJS.ProcessEnv = {
		...process.env,
		N8N_USER_FOLDER: userFolder,
		N8N_ENCRYPTION_KEY: 'n8n-nodes-imbrace-local-development-key',
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_SECURE_COOKIE: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_RESTRICT_FILE_ACCESS_TO: join(userFolder, 'files'),
		DB_SQLITE_POOL_SIZE: '1',
		// n8n 2.x sends someone who signs in at / to its AI assistant ("instance-ai" module, which
		// needs an AI model it cannot reach here); without it / leads to the workflow list.
		...(runtime.major === 2 ? { N8N_DISABLED_MODULES: 'instance-ai' } : {}),
		...ownerEnvironment(runtime, userFolder),
		...extra,
	};
	// Under jest NODE_ENV is "test", which makes n8n keep its database in memory.
	delete env.NODE_ENV;
	if (runtime.nodeDir) {
		env.PATH = `${join(runtime.nodeDir, 'bin')}:${env.PATH}`;
		// Node 22+ keeps the compiled code of the modules it loads: n8n's thousands of modules
		// load about a quarter faster from the second start on.
		env.NODE_COMPILE_CACHE ??= join(runtime.dir, '.node-compile-cache');
	}
	// n8n 1.x defaults to an expression engine on isolated-vm, which has no build for Node 20.
	if (runtime.major === 1) env.N8N_EXPRESSION_ENGINE = 'legacy';
	return { runtime, userFolder, env };
}

export interface CliResult {
	code: number | null;
	stdout: string;
	stderr: string;
}

/**
 * Runs one n8n CLI command to its end. Commands that run workflows (`execute`) start a task
 * broker, which gets a free port so that the command can run next to any other n8n.
 */
export async function cli(
	instance: N8nInstance,
	args: string[],
	env: NodeJS.ProcessEnv = {},
): Promise<CliResult> {
	const brokerPort = env.N8N_RUNNERS_BROKER_PORT ?? String(await freePort());
	// n8n's output goes to a file: through a pipe, the end of a large run that `execute` prints
	// (megabytes) can be lost when n8n exits.
	const outputDir = mkdtempSync(join(tmpdir(), 'n8n-cli-'));
	const outputFile = join(outputDir, 'stdout');
	const output = openSync(outputFile, 'w');
	try {
		const child = spawn(instance.runtime.node, [instance.runtime.n8nBin, ...args], {
			env: { ...instance.env, N8N_RUNNERS_BROKER_PORT: brokerPort, ...env },
			cwd: instance.userFolder,
			stdio: ['ignore', output, 'pipe'],
		});
		let stderr = '';
		child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
		const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
		return { code, stdout: readFileSync(outputFile, 'utf8'), stderr };
	} finally {
		closeSync(output);
		rmSync(outputDir, { recursive: true, force: true });
	}
}

/** Runs a CLI command that must succeed. */
export async function mustRun(
	instance: N8nInstance,
	args: string[],
	env: NodeJS.ProcessEnv = {},
): Promise<CliResult> {
	const result = await cli(instance, args, env);
	if (result.code !== 0) {
		throw new Error(
			`n8n ${args.join(' ')} failed (exit ${result.code}):\n${result.stdout}\n${result.stderr}`,
		);
	}
	return result;
}

/**
 * Runs a saved workflow through `n8n execute --rawOutput` and answers the run n8n prints: a
 * pretty-printed JSON object between n8n's log lines.
 */
export async function execute(instance: N8nInstance, workflowId: string): Promise<IRun> {
	const { stdout } = await mustRun(instance, ['execute', `--id=${workflowId}`, '--rawOutput']);
	const printed = /^\{$[\s\S]*?^\}$/m.exec(stdout);
	if (!printed) throw new Error(`n8n printed no run:\n${stdout}`);
	return JSON.parse(printed[0]) as IRun;
}

/**
 * Imports credential and workflow files (each a JSON array or object with an `id`), and every
 * workflow file of the folders in `workflowFolders` with one command per folder (each command
 * is a start of n8n's CLI, seconds each).
 */
export async function importFiles(
	instance: N8nInstance,
	files: { credentials?: string[]; workflows?: string[]; workflowFolders?: string[] },
) {
	for (const file of files.credentials ?? [])
		await mustRun(instance, ['import:credentials', `--input=${file}`]);
	for (const file of files.workflows ?? [])
		await mustRun(instance, ['import:workflow', `--input=${file}`]);
	for (const folder of files.workflowFolders ?? [])
		await mustRun(instance, ['import:workflow', '--separate', `--input=${folder}`]);
}

/** Imports workflows given as objects (written to the user folder's import/ first). */
export async function importWorkflows(instance: N8nInstance, workflows: Array<{ id: string }>) {
	const dir = join(instance.userFolder, 'import', 'workflows');
	mkdirSync(dir, { recursive: true });
	const files = workflows.map((workflow) => {
		const file = join(dir, `${workflow.id}.json`);
		writeFileSync(file, JSON.stringify(workflow));
		return file;
	});
	await importFiles(instance, { workflows: files });
}

export interface RunningN8n {
	url: string;
	/** The port of n8n's editor and API, and that of its task broker. */
	port: number;
	brokerPort: number;
	process: ChildProcess;
	/** Everything n8n printed so far. */
	output(): string;
	stop(): Promise<void>;
}

/**
 * Starts `n8n start` and resolves once n8n says it is ready to serve: on `preferredPort` when it
 * is free, else on any free port, with its task broker on another free port.
 */
export async function startN8n(
	instance: N8nInstance,
	preferredPort?: number,
	options: { logFile?: string } = {},
): Promise<RunningN8n> {
	const port = await freePort(preferredPort);
	const brokerPort = await freePort();
	const child = spawn(instance.runtime.node, [instance.runtime.n8nBin, 'start'], {
		env: {
			...instance.env,
			N8N_PORT: String(port),
			N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		},
		cwd: instance.userFolder,
		detached: true,
	});
	let output = '';
	const collect = (chunk: Buffer) => {
		output += chunk.toString();
		if (options.logFile) appendFileSync(options.logFile, chunk);
	};
	child.stdout?.on('data', collect);
	child.stderr?.on('data', collect);
	const url = `http://127.0.0.1:${port}`;
	const exited = new Promise<never>((_, reject) =>
		child.on('exit', (code) =>
			reject(new Error(`n8n exited (code ${code}) before it was ready:\n${output}`)),
		),
	);
	const ready = (async () => {
		for (;;) {
			const status = await fetch(`${url}/healthz/readiness`).then(
				(response) => response.status,
				() => 0,
			);
			if (status === 200) return;
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
	})();
	await Promise.race([ready, exited]);
	exited.catch(() => undefined);
	return {
		url,
		port,
		brokerPort,
		process: child,
		output: () => output,
		async stop() {
			if (child.exitCode !== null) return;
			const closed = new Promise((resolve) => child.on('exit', resolve));
			process.kill(-child.pid!, 'SIGTERM');
			await closed;
		},
	};
}

/** Signs in as the owner and answers the session cookie for n8n's REST API. */
export async function signIn(url: string): Promise<string> {
	const response = await fetch(`${url}/rest/login`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({
			emailOrLdapLoginId: OWNER.email,
			email: OWNER.email,
			password: OWNER.password,
		}),
	});
	if (!response.ok)
		throw new Error(`Signing in failed: ${response.status} ${await response.text()}`);
	const cookie = response.headers.get('set-cookie') ?? '';
	return cookie.split(';')[0];
}
