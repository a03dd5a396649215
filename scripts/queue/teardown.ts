// What the queue-mode cluster started, undone in reverse order: on success, on failure, and on
// Ctrl+C or SIGTERM (the processes run in process groups of their own, so the terminal's signal
// does not reach them; this does).

type Step = { name: string; undo: () => unknown };

export class Teardown {
	private readonly steps: Step[] = [];
	private running: Promise<void> | undefined;
	private readonly onSignal = (signal: NodeJS.Signals) => {
		console.error(`\n[queue] ${signal}: stopping everything the queue-mode test started`);
		void this.run().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
	};

	constructor() {
		process.once('SIGINT', this.onSignal);
		process.once('SIGTERM', this.onSignal);
	}

	/** Registers an undo step; the last one registered runs first. */
	add(name: string, undo: () => unknown): void {
		this.steps.push({ name, undo });
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
			process.removeListener('SIGINT', this.onSignal);
			process.removeListener('SIGTERM', this.onSignal);
			if (failures.length) throw new Error(`Teardown failed:\n${failures.join('\n')}`);
		})();
		return this.running;
	}
}
