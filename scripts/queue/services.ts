// Postgres and Redis for n8n's queue mode, from Debian's packages: installed with apt-get when
// missing, then run as plain processes of this script (no system services) on free loopback
// ports, with their data in the cluster's temporary folder.
import { spawnSync } from 'node:child_process';
import {
	chmodSync,
	chownSync,
	existsSync,
	mkdirSync,
	readdirSync,
	rmSync,
	writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

import type { Service } from './processes';
import { freePort, startService, tail } from './processes';
import type { Teardown } from './teardown';

const POSTGRES_VERSIONS_DIR = '/usr/lib/postgresql';
const REDIS_SERVER = '/usr/bin/redis-server';
const POLICY_RC_D = '/usr/sbin/policy-rc.d';

function log(message: string) {
	console.log(`[queue] ${message}`);
}

/** The bin folder of the newest Postgres Debian installed (/usr/lib/postgresql/<major>/bin). */
function postgresBinDir(): string | undefined {
	if (!existsSync(POSTGRES_VERSIONS_DIR)) return undefined;
	const majors = readdirSync(POSTGRES_VERSIONS_DIR)
		.filter((name) => existsSync(join(POSTGRES_VERSIONS_DIR, name, 'bin', 'postgres')))
		.sort((a, b) => Number(b) - Number(a));
	return majors.length ? join(POSTGRES_VERSIONS_DIR, majors[0], 'bin') : undefined;
}

/**
 * Installs Debian's `postgresql` and `redis-server` when their programs are missing, printing one
 * line; apt-get's own output is shown only if it fails. A clean machine's package lists may be
 * missing or stale, so a failed install is retried once after `apt-get update`.
 */
export function ensureDebianPackages(): void {
	const missing = [
		...(postgresBinDir() ? [] : ['postgresql']),
		...(existsSync(REDIS_SERVER) ? [] : ['redis-server']),
	];
	if (!missing.length) return;
	if (process.getuid?.() !== 0) {
		throw new Error(
			`Queue mode needs Debian's ${missing.join(' and ')}: apt-get install them as root`,
		);
	}
	log(`installing ${missing.join(' and ')} with apt-get (about a minute)`);
	let output = '';
	const aptGet = (args: string[]) => {
		const result = spawnSync('apt-get', args, {
			env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
			encoding: 'utf8',
		});
		output += `$ apt-get ${args.join(' ')}\n${result.stdout}${result.stderr}`;
		return result.status === 0;
	};
	const install = () => aptGet(['install', '-y', '-q', '--no-install-recommends', ...missing]);
	// Debian starts a package's system service on install unless policy-rc.d forbids it (Docker
	// images ship one that does); the test runs its own processes, so none is started.
	const ownPolicy = !existsSync(POLICY_RC_D);
	if (ownPolicy) writeFileSync(POLICY_RC_D, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
	try {
		if (!install() && !(aptGet(['update', '-q']) && install())) {
			throw new Error(`apt-get could not install ${missing.join(' and ')}:\n${tail(output)}`);
		}
	} finally {
		if (ownPolicy) rmSync(POLICY_RC_D, { force: true });
	}
}

export interface Postgres {
	host: string;
	port: number;
	user: string;
	database: string;
	service: Service;
}

/** The user and group Postgres runs as: itself, unless root (Postgres refuses to run as root). */
function postgresAccount(): { uid: number; gid: number } | undefined {
	if (process.getuid?.() !== 0) return undefined;
	const id = (flag: string) =>
		Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout);
	const uid = id('-u');
	const gid = id('-g');
	if (!Number.isInteger(uid) || uid <= 0) {
		throw new Error("Running as root, but Debian's postgres account is missing");
	}
	return { uid, gid };
}

/**
 * A fresh Postgres cluster in `<dir>/postgres` on a free port of 127.0.0.1, with the database
 * `n8n` owned by the superuser `n8n`. Trust authentication: it listens on loopback only and
 * lives as long as the test. Durability is off (fsync), since the data is thrown away.
 */
export async function startPostgres(dir: string, teardown: Teardown): Promise<Postgres> {
	const binDir = postgresBinDir();
	if (!binDir) throw new Error(`No Postgres under ${POSTGRES_VERSIONS_DIR}`);
	const dataDir = join(dir, 'postgres');
	mkdirSync(dataDir, { mode: 0o700 });
	const account = postgresAccount();
	if (account) {
		chownSync(dataDir, account.uid, account.gid);
		// The postgres account must be able to pass through the (root-owned) cluster folder.
		chmodSync(dir, 0o711);
	}
	const asPostgres = { ...account, cwd: dataDir, env: { ...process.env, LC_ALL: 'C' } };
	const user = 'n8n';
	const initdb = spawnSync(
		join(binDir, 'initdb'),
		['-D', dataDir, '-U', user, '-A', 'trust', '-E', 'UTF8', '--locale=C'],
		{ ...asPostgres, encoding: 'utf8' },
	);
	if (initdb.status !== 0) throw new Error(`initdb failed:\n${initdb.stdout}${initdb.stderr}`);

	const port = await freePort();
	const service = startService(
		'postgres',
		join(binDir, 'postgres'),
		[
			'-D',
			dataDir,
			'-p',
			String(port),
			'-c',
			'listen_addresses=127.0.0.1',
			'-c',
			`unix_socket_directories=${dataDir}`,
			'-c',
			'fsync=off',
			'-c',
			'synchronous_commit=off',
			'-c',
			'full_page_writes=off',
			// One main, two workers and the CLI each keep a pool of connections.
			'-c',
			'max_connections=200',
		],
		{ ...asPostgres, logFile: join(dir, 'postgres.log') },
	);
	// SIGINT is Postgres's "fast shutdown": it ends the sessions and stops at once.
	teardown.addService(service, 'SIGINT', 15_000);
	await service.waitForOutput(/database system is ready to accept connections/, 60_000);

	const database = 'n8n';
	const createdb = spawnSync(
		join(binDir, 'createdb'),
		['-h', '127.0.0.1', '-p', String(port), '-U', user, database],
		{ encoding: 'utf8' },
	);
	if (createdb.status !== 0) {
		throw new Error(`createdb failed:\n${createdb.stderr}\n${tail(service.output())}`);
	}
	return { host: '127.0.0.1', port, user, database, service };
}

export interface Redis {
	host: string;
	port: number;
	service: Service;
}

/** Redis on a free port of 127.0.0.1, with no persistence (Bull's queue lives as long as the test). */
export async function startRedis(dir: string, teardown: Teardown): Promise<Redis> {
	const port = await freePort();
	const service = startService(
		'redis',
		REDIS_SERVER,
		[
			'--port',
			String(port),
			'--bind',
			'127.0.0.1',
			'--dir',
			dir,
			'--save',
			'',
			'--appendonly',
			'no',
			'--daemonize',
			'no',
		],
		{ cwd: dir, logFile: join(dir, 'redis.log') },
	);
	teardown.addService(service, 'SIGTERM', 10_000);
	await service.waitForOutput(/Ready to accept connections/, 30_000);
	return { host: '127.0.0.1', port, service };
}

if (require.main === module) ensureDebianPackages();
