// The long-running processes of the queue-mode cluster (Postgres, Redis, n8n main and workers):
// started in their own process group, logged to a file, stopped by signal with a bounded wait.
import { spawn } from 'node:child_process';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';

const handedOut = new Set<number>();

/**
 * A TCP port on 127.0.0.1 that nothing listens on: the kernel picks it, and this process never
 * hands the same port out twice (the kernel could, once the probe has closed it).
 */
export async function freePort(): Promise<number> {
	for (;;) {
		const port = await new Promise<number>((resolve, reject) => {
			const probe = createServer();
			probe.once('error', reject);
			probe.listen(0, '127.0.0.1', () => {
				const address = probe.address();
				probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
			});
		});
		if (port && !handedOut.has(port)) {
			handedOut.add(port);
			return port;
		}
	}
}

export interface Service {
	name: string;
	process: ChildProcess;
	logFile: string;
	/** Everything the process printed so far (also in `logFile`). */
	output(): string;
	/** Whether the process has exited. */
	exited(): boolean;
	/** Resolves once `pattern` appears in the output; rejects if the process exits or time runs out. */
	waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray>;
	/**
	 * Sends `signal` to the process group, and SIGKILL when it has not exited after `graceMs`;
	 * resolves once it has exited.
	 */
	stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

/**
 * Starts `command` in a process group of its own (so that stopping it also stops the children
 * it starts, such as n8n's task runner), with its output appended to `logFile`.
 */
export function startService(
	name: string,
	command: string,
	args: string[],
	options: SpawnOptions & { logFile: string },
): Service {
	const { logFile, ...spawnOptions } = options;
	writeFileSync(logFile, `$ ${command} ${args.join(' ')}\n`);
	const child = spawn(command, args, { ...spawnOptions, detached: true, stdio: 'pipe' });
	let output = '';
	const waiters = new Set<() => void>();
	const collect = (chunk: Buffer) => {
		output += chunk.toString();
		appendFileSync(logFile, chunk);
		for (const waiter of waiters) waiter();
	};
	child.stdout?.on('data', collect);
	child.stderr?.on('data', collect);
	const exit = new Promise<void>((resolve) => {
		child.once('exit', (code, signal) => {
			appendFileSync(logFile, `\n[exited: ${signal ?? `code ${code}`}]\n`);
			resolve();
			for (const waiter of waiters) waiter();
		});
		child.once('error', (error) => {
			output += `\n${error.message}\n`;
			resolve();
			for (const waiter of waiters) waiter();
		});
	});
	const exited = () =>
		child.exitCode !== null || child.signalCode !== null || child.pid === undefined;

	return {
		name,
		process: child,
		logFile,
		output: () => output,
		exited,
		waitForOutput(pattern, timeoutMs) {
			return new Promise((resolve, reject) => {
				const check = () => {
					const match = pattern.exec(output);
					if (match) return finish(() => resolve(match));
					if (exited()) {
						return finish(() =>
							reject(new Error(`${name} exited before printing ${pattern}:\n${tail(output)}`)),
						);
					}
				};
				const timer = setTimeout(
					() =>
						finish(() =>
							reject(
								new Error(
									`${name} did not print ${pattern} within ${timeoutMs / 1000} s:\n${tail(output)}`,
								),
							),
						),
					timeoutMs,
				);
				const finish = (settle: () => void) => {
					clearTimeout(timer);
					waiters.delete(check);
					settle();
				};
				waiters.add(check);
				check();
			});
		},
		async stop(signal = 'SIGTERM', graceMs = 30_000) {
			if (exited()) return;
			const signalGroup = (which: NodeJS.Signals) => {
				try {
					process.kill(-child.pid!, which);
				} catch {
					// The group is gone already.
				}
			};
			signalGroup(signal);
			const timer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
			await exit;
			clearTimeout(timer);
			// Children that outlive the leader (n8n's task runner) go with the rest of the group.
			signalGroup('SIGKILL');
		},
	};
}

/** The last lines of a log, for error messages. */
export function tail(text: string, lines = 40): string {
	return text.split('\n').slice(-lines).join('\n');
}

/** The last lines of a log file, or a note that it cannot be read. */
export function tailOfFile(file: string, lines = 40): string {
	try {
		return tail(readFileSync(file, 'utf8'), lines);
	} catch (error) {
		return `(cannot read ${file}: ${(error as Error).message})`;
	}
}
