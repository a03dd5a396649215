// n8n 2.41.1 in queue mode on this machine: Postgres and Redis (see services.ts), one `n8n start`
// main and `n8n worker` processes, each with its own user folder with this package installed in
// it, every listening port a free one on 127.0.0.1. Everything it starts is undone by `stop()`.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { N8nInstance } from '../n8n/instance';
import { createInstance } from '../n8n/instance';
import type { Runtime } from '../n8n/runtime';
import { ensureRuntime } from '../n8n/runtime';
import type { Service } from './processes';
import { freePort, startService, tail } from './processes';
import type { Postgres, Redis } from './services';
import { ensureDebianPackages, startPostgres, startRedis } from './services';
import { Teardown } from './teardown';

/** How long an n8n process may take to become ready (a first start also migrates the database). */
const READY_TIMEOUT_MS = 3 * 60_000;
/** How long n8n may take to stop before it is killed; its own shutdown gives executions 30 s. */
const STOP_GRACE_MS = 60_000;

/** Prints progress lines, each with the seconds since `progress` was called. */
function progress() {
	const started = performance.now();
	return (message: string) =>
		console.log(`[queue ${((performance.now() - started) / 1000).toFixed(1)} s] ${message}`);
}

export interface QueueWorker {
	name: string;
	instance: N8nInstance;
	service: Service;
	/** The worker's own server, which n8n opens only for the health check this cluster turns on. */
	healthUrl: string;
	/** The ids of the executions this worker started, from its log ("Worker started execution"). */
	startedExecutions(): string[];
}

export interface QueueMain {
	instance: N8nInstance;
	url: string;
	/** The running `n8n start`, or undefined while it is stopped. */
	service(): Service | undefined;
	stop(): Promise<void>;
	start(): Promise<void>;
}

export interface QueueCluster {
	dir: string;
	runtime: Runtime;
	postgres: Postgres;
	redis: Redis;
	main: QueueMain;
	workers: QueueWorker[];
	/** The last lines of every process's log, for a failure's report. */
	logTails(lines?: number): string;
	/** Stops everything the cluster started and removes its temporary folder. */
	stop(): Promise<void>;
}

export interface QueueClusterOptions {
	workers?: number;
	/**
	 * Runs against the database before any n8n process starts (with the main's user folder): the
	 * place to import credentials and workflows and to publish them, as n8n's CLI wants it.
	 */
	prepare?: (main: N8nInstance) => Promise<void>;
}

/** Resolves once `url` answers 200, polling it; rejects when `service` exits or time runs out. */
async function waitForReadiness(service: Service, url: string, timeoutMs: number): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (service.exited()) {
			throw new Error(`${service.name} exited before it was ready:\n${tail(service.output())}`);
		}
		const status = await fetch(url).then(
			(response) => response.status,
			() => 0,
		);
		if (status === 200) return;
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
	throw new Error(
		`${service.name} was not ready within ${timeoutMs / 1000} s:\n${tail(service.output())}`,
	);
}

const executionStart = /Worker started execution (\d+)/g;

export async function startQueueCluster(options: QueueClusterOptions = {}): Promise<QueueCluster> {
	const log = progress();
	const dir = mkdtempSync(join(tmpdir(), 'imbrace-queue-'));
	// IMBRACE_QUEUE_KEEP=1 keeps the logs and data for a look after the run.
	const teardown = new Teardown(dir, Boolean(process.env.IMBRACE_QUEUE_KEEP));
	try {
		const runtime = ensureRuntime(2);
		ensureDebianPackages();
		log('starting postgres and redis');
		const [postgres, redis] = await Promise.all([
			startPostgres(dir, teardown),
			startRedis(dir, teardown),
		]);
		log(`postgres on port ${postgres.port}, redis on port ${redis.port}, data in ${dir}`);

		// What every process of the cluster shares: the database, the queue and the key that
		// encrypts credentials (a worker decrypts what the main stored).
		const shared: NodeJS.ProcessEnv = {
			EXECUTIONS_MODE: 'queue',
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: postgres.host,
			DB_POSTGRESDB_PORT: String(postgres.port),
			DB_POSTGRESDB_DATABASE: postgres.database,
			DB_POSTGRESDB_USER: postgres.user,
			DB_POSTGRESDB_PASSWORD: '',
			QUEUE_BULL_REDIS_HOST: redis.host,
			QUEUE_BULL_REDIS_PORT: String(redis.port),
			N8N_ENCRYPTION_KEY: randomBytes(24).toString('hex'),
		};

		const mainInstance = createInstance(runtime, join(dir, 'main'), shared);
		log('package installed in the main user folder');
		await options.prepare?.(mainInstance);
		log('prepared');

		const mainPort = await freePort();
		const mainBrokerPort = await freePort();
		const mainUrl = `http://127.0.0.1:${mainPort}`;
		let mainService: Service | undefined;
		let mainStarts = 0;
		const main: QueueMain = {
			instance: mainInstance,
			url: mainUrl,
			service: () => mainService,
			async start() {
				if (mainService && !mainService.exited()) throw new Error('The main is running already');
				mainStarts += 1;
				const service = startService('main', runtime.node, [runtime.n8nBin, 'start'], {
					cwd: mainInstance.userFolder,
					env: {
						...mainInstance.env,
						N8N_PORT: String(mainPort),
						N8N_RUNNERS_BROKER_PORT: String(mainBrokerPort),
					},
					logFile: join(dir, `main-${mainStarts}.log`),
				});
				mainService = service;
				teardown.addService(service, 'SIGTERM', STOP_GRACE_MS);
				await waitForReadiness(service, `${mainUrl}/healthz/readiness`, READY_TIMEOUT_MS);
				// The end of n8n's start-up; n8n 2.41 then activates the published workflows in the
				// background (its publication service), which callers wait for as they need.
				await service.waitForOutput(/Editor is now accessible via/, READY_TIMEOUT_MS);
			},
			async stop() {
				await mainService?.stop('SIGTERM', STOP_GRACE_MS);
			},
		};

		const workerCount = options.workers ?? 2;
		const workers: QueueWorker[] = [];
		for (let index = 1; index <= workerCount; index++) {
			const name = `worker-${index}`;
			const instance = createInstance(runtime, join(dir, name), shared);
			log(`package installed in the ${name} user folder`);
			const healthPort = await freePort();
			const service = startService(name, runtime.node, [runtime.n8nBin, 'worker'], {
				cwd: instance.userFolder,
				env: {
					...instance.env,
					QUEUE_HEALTH_CHECK_ACTIVE: 'true',
					QUEUE_HEALTH_CHECK_PORT: String(healthPort),
					N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
					N8N_RUNNERS_BROKER_PORT: String(await freePort()),
				},
				logFile: join(dir, `${name}.log`),
			});
			teardown.addService(service, 'SIGTERM', STOP_GRACE_MS);
			workers.push({
				name,
				instance,
				service,
				healthUrl: `http://127.0.0.1:${healthPort}`,
				startedExecutions: () =>
					[...service.output().matchAll(executionStart)].map((match) => match[1]),
			});
		}

		log(`starting the main and ${workerCount} workers of n8n ${runtime.version}`);
		// All settled before going on, so that no start-up is left running (or failing) unwatched.
		const started = await Promise.allSettled([
			main.start(),
			...workers.map((worker) =>
				waitForReadiness(worker.service, `${worker.healthUrl}/healthz/readiness`, READY_TIMEOUT_MS),
			),
		]);
		const failed = started.find((result) => result.status === 'rejected');
		if (failed) throw failed.reason;
		log(`n8n is ready: main on ${mainUrl}, ${workers.map((worker) => worker.name).join(', ')}`);

		return {
			dir,
			runtime,
			postgres,
			redis,
			main,
			workers,
			logTails(lines = 30) {
				const services = [main.service(), ...workers.map((worker) => worker.service)];
				return services
					.filter((service): service is Service => service !== undefined)
					.map(
						(service) =>
							`--- ${service.name} (${service.logFile})\n${tail(service.output(), lines)}`,
					)
					.join('\n');
			},
			stop: () => teardown.run(),
		};
	} catch (error) {
		await teardown.run().catch((teardownError: Error) => console.error(teardownError.message));
		throw error;
	}
}
