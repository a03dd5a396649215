// What the queue-mode cluster started, undone in reverse order, on success and on failure. Should
// the process that started it die first (Ctrl+C under Jest, whose test code gets a copy of
// `process` that never sees a signal; a crash; SIGKILL), reaper.mjs, a process of its own, stops
// the process groups listed in the cluster folder's processes.json and removes the folder.
import { spawn } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { ROOT } from '../n8n/runtime';
import type { Service } from './processes';

type Step = { name: string; undo: () => unknown };

export class Teardown {
	private readonly steps: Step[] = [];
	private readonly registry: string;
	private readonly groups: Array<{ pid: number; signal: NodeJS.Signals }> = [];
	private running: Promise<void> | undefined;
	private finished = false;

	/** `keep`: leave the folder in place (its logs and data) when done. */
	constructor(
		private readonly dir: string,
		keep = false,
	) {
		this.registry = join(dir, 'processes.json');
		this.writeRegistry();
		const reaper = spawn(
			process.execPath,
			[join(ROOT, 'scripts', 'queue', 'reaper.mjs'), String(process.pid), dir, keep ? '1' : '0'],
			{ detached: true, stdio: 'ignore' },
		);
		reaper.unref();
		this.add('temporary folder', () => {
			if (keep) console.log(`[queue] kept ${dir}`);
			else rmSync(dir, { recursive: true, force: true });
		});
	}

	/**
	 * Registers an undo step; the last one registered runs first. Once the teardown has begun,
	 * a late step (of a cluster still starting) is undone at once.
	 */
	add(name: string, undo: () => unknown): void {
		if (this.running) {
			void Promise.resolve()
				.then(undo)
				.catch((error: Error) => console.error(`[queue] ${name}: ${error.message}`));
			return;
		}
		this.steps.push({ name, undo });
	}

	/** Stops `service` at teardown with `signal`, and lists its process group for the reaper. */
	addService(service: Service, signal: NodeJS.Signals, graceMs: number): void {
		const pid = service.process.pid;
		if (pid !== undefined && !service.exited()) {
			this.groups.push({ pid, signal });
			this.writeRegistry();
			// A process that is gone leaves the list: its id may be given to another one.
			service.process.once('exit', () => {
				const index = this.groups.findIndex((group) => group.pid === pid);
				if (index >= 0) this.groups.splice(index, 1);
				this.writeRegistry();
			});
		}
		this.add(service.name, () => service.stop(signal, graceMs));
	}

	/** Runs every step once, each even when an earlier one failed, and reports the failures. */
	run(): Promise<void> {
		this.running ??= (async () => {
			const failures: string[] = [];
			for (const { name, undo } of this.steps.reverse()) {
				try {
					await undo();
				} catch (error) {
					failures.push(`${name}: ${(error as Error).message}`);
				}
			}
			this.steps.length = 0;
			// Without the list the reaper ends; the folder is gone already unless kept.
			this.finished = true;
			rmSync(this.registry, { force: true });
			if (failures.length) throw new Error(`Teardown failed:\n${failures.join('\n')}`);
		})();
		return this.running;
	}

	private writeRegistry() {
		if (this.finished || !existsSync(this.dir)) return;
		writeFileSync(this.registry, JSON.stringify(this.groups));
	}
}
