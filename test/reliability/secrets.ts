import { readFileSync, readdirSync, watch } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';

import type { INodeExecutionData } from 'n8n-workflow';
import { LoggerProxy } from 'n8n-workflow';

import type { NodeRun } from '../harness/engine';

/** Where a token was found, for the failure message. */
export interface Leak {
	where: string;
	token: string;
}

/** Every string reachable from an error: message, description, stack, cause chain, context… */
export function stringsOf(value: unknown, depth = 0, seen = new Set<object>()): string[] {
	if (typeof value === 'string') return [value];
	if (typeof value !== 'object' || value === null || depth > 6 || seen.has(value)) return [];
	seen.add(value);
	const strings: string[] = [];
	for (const key of Object.getOwnPropertyNames(value)) {
		let inner: unknown;
		try {
			inner = (value as Record<string, unknown>)[key];
		} catch {
			continue;
		}
		strings.push(...stringsOf(inner, depth + 1, seen));
	}
	return strings;
}

/**
 * Looks for the suite's tokens in everything a user or an operator can see: output items, errors
 * (message, description, stack and whatever they carry), the run data n8n stores, n8n's log.
 */
export class SecretScanner {
	readonly leaks: Leak[] = [];
	outputItems = 0;
	errors = 0;
	runDocuments = 0;
	triggerItems = 0;

	constructor(private readonly tokens: () => string[]) {}

	private check(where: string, text: string) {
		for (const token of this.tokens()) {
			if (token && text.includes(token)) this.leaks.push({ where, token });
		}
	}

	scanError(where: string, error: unknown) {
		this.errors++;
		if (error instanceof Error) {
			// Named first: the parts a user reads.
			this.check(`${where}: message`, error.message);
			this.check(`${where}: stack`, String(error.stack));
			this.check(`${where}: description`, String((error as { description?: unknown }).description));
		}
		this.check(`${where}: error`, stringsOf(error).join('\n'));
	}

	scanItems(where: string, items: INodeExecutionData[], trigger = false) {
		for (const [index, item] of items.entries()) {
			if (trigger) this.triggerItems++;
			else this.outputItems++;
			this.check(`${where}: item ${index}`, JSON.stringify(item.json));
			if (item.error) this.scanError(`${where}: item ${index}`, item.error);
		}
	}

	scanRun(where: string, run: NodeRun) {
		this.runDocuments++;
		this.check(`${where}: run data`, JSON.stringify(run.run));
		this.scanItems(where, [...run.output, ...run.errorOutput]);
		if (run.error) this.scanError(`${where}: workflow error`, run.error);
	}
}

/** n8n's log file and the files winston rotates it into (n8n1.log, …). */
export function logFiles(location: string): string[] {
	const stem = basename(location, extname(location));
	return readdirSync(dirname(location))
		.filter((name) => name.startsWith(stem) && name.endsWith(extname(location)))
		.sort()
		.map((name) => join(dirname(location), name));
}

/**
 * Writes a marker through n8n's logger and resolves once the log file holds it: winston writes
 * in order, so every line logged before the marker is in the file by then. Waits on file-system
 * events, not on a clock; `boundMs` only turns a log that never arrives into a failure.
 */
export async function flushLog(location: string, marker: string, boundMs = 15_000): Promise<void> {
	const holdsMarker = () => {
		try {
			return logFiles(location).some((file) => readFileSync(file, 'utf8').includes(marker));
		} catch {
			return false;
		}
	};
	LoggerProxy.info(marker);
	if (holdsMarker()) return;
	await new Promise<void>((resolve, reject) => {
		const watcher = watch(dirname(location), () => {
			if (holdsMarker()) finish();
		});
		const bound = setTimeout(() => {
			watcher.close();
			reject(new Error(`n8n's log ${location} did not receive "${marker}"`));
		}, boundMs);
		function finish() {
			clearTimeout(bound);
			watcher.close();
			resolve();
		}
		// The write may have landed between the first look and the watcher starting.
		if (holdsMarker()) finish();
	});
}
