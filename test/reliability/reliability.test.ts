import { readFileSync } from 'node:fs';

import type { INode, INodeExecutionData, IPairedItemData } from 'n8n-workflow';

import { runNode } from '../harness/engine';
import type { NodeRun } from '../harness/engine';
import { useSandbox } from '../harness/sandbox';
import type { Sandbox } from '../sandbox';
import type { BadInput, CaseContext, Expectation, Observed } from './bad-inputs';
import { BAD_INPUTS, WRONG_TOKEN } from './bad-inputs';
import type { FaultKind, FaultedOperation } from './faults';
import { FAULT_KINDS, FAULTED_OPERATIONS, TIMEOUT_MS, expectedCell, label } from './faults';
import type { ReportData } from './report';
import { REPORT_PATH, formatMarkdown, normalise, renderReport, writeReport } from './report';
import { SecretScanner, flushLog, logFiles } from './secrets';
import type { VolumeCell } from './volume';
import { VOLUME_CELLS, VOLUME_CONVERSATIONS, VOLUME_SENDS, runVolume } from './volume';
import { SOAK_MESSAGES, runSoak } from '../nodes/ImbraceTrigger/soak';
import type { SoakScope } from '../nodes/ImbraceTrigger/soak';

/**
 * The reliability suite: bad inputs, injected faults, a trigger soak and a check for leaked
 * tokens, all through n8n-core's engine against the sandbox. One file, run in order, so that
 * bench/RELIABILITY.md is written once, at the end, from everything it recorded.
 */

const CONTINUE_ON_FAIL: Partial<INode> = { onError: 'continueRegularOutput' };
const RETRY_ON_FAIL: Partial<INode> = { retryOnFail: true, maxTries: 2, waitBetweenTries: 1 };

/** How each outcome reads in the report's Caught column. */
const CAUGHT: Record<Observed['caught'], string> = {
	checked: 'before sending',
	refused: 'by iMBRACE',
	accepted: 'not an error',
	unreachable: 'no network',
	other: 'otherwise',
};

/** The outcomes a bad input may rightly have. */
function allowed(badInput: BadInput): Expectation[] {
	return Array.isArray(badInput.expect) ? badInput.expect : [badInput.expect];
}

const NETWORK_CODES = ['ENOTFOUND', 'EAI_AGAIN'];

const number = (value: number) => value.toLocaleString('en-US');

/** The input item an output item belongs to: its pairing, or the item its error names. */
function itemOf(item: INodeExecutionData): number | undefined {
	const paired = item.pairedItem;
	if (typeof paired === 'number') return paired;
	if (Array.isArray(paired)) return paired[0]?.item;
	if (paired) return (paired as IPairedItemData).item;
	const index = item.error?.context?.itemIndex;
	return typeof index === 'number' ? index : undefined;
}

/** Resolves once the sandbox has recorded `count` requests (a delayed one is recorded late). */
async function recorded(sandbox: Sandbox, count: number, boundMs = 5000): Promise<void> {
	if (sandbox.requests().length >= count) return;
	await new Promise<void>((resolve) => {
		const stop = sandbox.onRequest(() => {
			if (sandbox.requests().length >= count) done();
		});
		const bound = setTimeout(done, boundMs);
		function done() {
			clearTimeout(bound);
			stop();
			resolve();
		}
	});
}

function effect(created: number | undefined, operation: FaultedOperation): string | undefined {
	if (!operation.creates || created === undefined) return undefined;
	const { noun } = operation.creates;
	return created === 0 ? 'none created' : `${created} ${noun}${created === 1 ? '' : 's'} created`;
}

describe('Reliability', () => {
	const fixture = useSandbox();
	const data: ReportData = { badInputs: [], faults: [], volume: [], soak: {} };
	const tokens = () => {
		const { agent, secondAgent, contact, apiKey, otherOrgAgent } = fixture.sandbox.tokens;
		return [agent, secondAgent, contact, apiKey, otherOrgAgent, WRONG_TOKEN];
	};
	const secrets = new SecretScanner(tokens);
	const context = (): CaseContext => ({
		sandbox: fixture.sandbox,
		credentials: (overrides) => fixture.credentials(overrides),
	});
	const shown = (text: string) => normalise(text, fixture.sandbox.url);
	/** Operations whose error items come out without a pairing to their input item. */
	const unpaired = new Set<string>();
	/** Tests that got through all their assertions: the report is written only if all did. */
	let passed = 0;

	describe('bad inputs', () => {
		it.each(
			BAD_INPUTS.map(
				(badInput, index) =>
					[`${index + 1}. ${badInput.operation}: ${badInput.input}`, index + 1, badInput] as const,
			),
		)('%s', async (_title, number: number, badInput: BadInput) => {
			const { sandbox } = fixture;
			const built = badInput.build(context());
			const run = (items: INodeExecutionData[]) =>
				runNode({
					parameters: built.parameters,
					items,
					credentials: built.credentials,
					settings: CONTINUE_ON_FAIL,
				});

			// The good item alone, then both: the difference is what the bad item caused.
			sandbox.clearRequests();
			const alone = await run([built.good]);
			const goodRequests = sandbox.requests().length;
			sandbox.clearRequests();
			const both = await run([built.bad, built.good]);
			// A credential both items share fails them alike, with the same requests.
			const requests = built.sharedFailure
				? sandbox.requests().length
				: sandbox.requests().length - goodRequests;
			secrets.scanRun(`bad input ${number} (good item alone)`, alone);
			secrets.scanRun(`bad input ${number}`, both);

			expect(both.run.data.resultData.runData['iMBRACE']).toHaveLength(1);
			expect(both.output.map(itemOf)).not.toContain(undefined);
			const bad = both.output.filter((item) => itemOf(item) === 0);
			const good = both.output.filter((item) => itemOf(item) === 1);
			const failure = bad.find((item) => item.error)?.error;
			for (const item of both.output) {
				if (item.error && !item.pairedItem) unpaired.add(badInput.operation);
			}

			const caught: Observed['caught'] = failure
				? requests === 0
					? NETWORK_CODES.includes(String((failure as { httpCode?: unknown }).httpCode))
						? 'unreachable'
						: 'checked'
					: requests <= 2
						? 'refused'
						: 'other'
				: 'accepted';
			const observed: Observed = {
				caught,
				message: shown(
					failure?.message ??
						badInput.outcome?.(bad) ??
						`no error: ${bad.length} item${bad.length === 1 ? '' : 's'}`,
				),
				description: failure?.description ? shown(failure.description) : undefined,
				requests,
			};
			const goodShown = built.sharedFailure
				? good.length === 1 && good[0].error?.message === failure?.message
					? 'failed alike (same credential)'
					: 'differs'
				: good.length > 0 && good.every((item) => !item.error)
					? `ran (${good.length} item${good.length === 1 ? '' : 's'})`
					: 'failed';
			data.badInputs[number - 1] = {
				input: badInput.input,
				operation: badInput.operation,
				message: observed.message,
				description: observed.description,
				caught: CAUGHT[caught],
				requests,
				keptRunning: both.error === undefined,
				good: goodShown,
			};

			// The workflow goes on, the good item with it, and the bad one fails as expected.
			expect(both.error).toBeUndefined();
			expect(goodShown).toEqual(
				built.sharedFailure ? 'failed alike (same credential)' : expect.stringMatching(/^ran/),
			);
			expect(allowed(badInput)).toContain(caught);
			if (failure) {
				expect(failure.message).toMatch(/\S/);
				expect(bad).toHaveLength(1);
				expect(bad[0].json).toEqual({ error: failure.message });
			} else {
				expect(bad.length).toBeGreaterThan(0);
			}
			passed++;
		});

		it('refuses before sending every input that can be checked without iMBRACE', () => {
			expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(30);
			for (const [index, badInput] of BAD_INPUTS.entries()) {
				const row = data.badInputs[index];
				// Checkable: 0 requests.
				if (badInput.expect === 'checked')
					expect([index + 1, row?.requests]).toEqual([index + 1, 0]);
				// Refused by iMBRACE: one request, or two where the credential's routes were checked.
				if (row?.caught === CAUGHT.refused)
					expect([index + 1, row.requests <= 2]).toEqual([index + 1, true]);
			}
			expect(data.badInputs.filter((row) => row && !row.keptRunning)).toEqual([]);
			passed++;
		});
	});

	describe('faults', () => {
		const cells = FAULT_KINDS.flatMap((kind) =>
			FAULTED_OPERATIONS.map((operation) => [kind.name, operation.name, kind, operation] as const),
		);

		it.each(cells)(
			'%s / %s',
			async (_kindName, _operationName, kind: FaultKind, operation: FaultedOperation) => {
				const { sandbox } = fixture;
				const delayed = kind.fault.kind === 'delay';
				const parameters = {
					...operation.parameters(sandbox),
					...(delayed ? { requestOptions: { timeout: TIMEOUT_MS } } : {}),
				};
				const expected = expectedCell(kind, operation);

				/** One run with the fault; `settled` is how many requests it makes in the end. */
				const attempt = async (settings: Partial<INode>, settled: number) => {
					sandbox.clearFaults();
					const before = await operation.creates?.count(sandbox);
					sandbox.clearRequests();
					sandbox.injectFault({
						...kind.fault,
						match: { method: operation.method, path: operation.path },
					});
					const run: NodeRun = await runNode({
						parameters,
						items: operation.items?.(),
						credentials: fixture.credentials(),
						settings,
					});
					// A delayed request that timed out is still answered (and recorded) later.
					if (delayed) await recorded(sandbox, settled);
					const log = sandbox.requests();
					const after = await operation.creates?.count(sandbox);
					const created = after === undefined ? undefined : after - Number(before);
					return { run, requests: log, created };
				};

				const plain = await attempt({}, expected.plain.length);
				const retried = await attempt(RETRY_ON_FAIL, expected.retried.length);
				secrets.scanRun(`fault ${kind.name} / ${operation.name}`, plain.run);
				secrets.scanRun(`fault ${kind.name} / ${operation.name}, retried`, retried.run);

				data.faults.push({
					fault: kind.name,
					operation: operation.name,
					message: shown(
						plain.run.error?.message ??
							`no error (${plain.run.output.length} item${plain.run.output.length === 1 ? '' : 's'})`,
					),
					description: plain.run.error?.description
						? shown(plain.run.error.description)
						: undefined,
					requests: plain.requests.map(label).join(', '),
					effect: effect(plain.created, operation),
					recovered: retried.run.error === undefined && retried.run.output.length > 0,
					retryRequests: retried.requests.map(label).join(', '),
					retryEffect: effect(retried.created, operation),
				});

				expect(plain.requests.map(label)).toEqual(expected.plain);
				expect(retried.requests.map(label)).toEqual(expected.retried);
				expect(plain.run.error !== undefined).toBe(expected.fails);
				expect(retried.run.error !== undefined).toBe(expected.failsRetried);
				if (plain.run.error) {
					expect(plain.run.error.message).toBe(
						operation.write === 'doubted' && kind.treatment === 'lost'
							? `The conversation may have been created, but iMBRACE's answer was lost (${kind.message(sandbox.url)})`
							: kind.message(sandbox.url),
					);
					expect(plain.run.error.description).toMatch(/\S/);
				} else {
					expect(plain.run.output.length).toBeGreaterThan(0);
					expect(plain.run.output.every((item) => !item.error)).toBe(true);
				}
				// What the sandbox holds: never a write twice.
				expect(plain.created).toBe(expected.created);
				expect(retried.created).toBe(expected.createdRetried);
				passed++;
			},
		);
	});

	describe('volume', () => {
		it.each(VOLUME_CELLS.map((cell) => [cell.name, cell] as const))(
			`${number(VOLUME_SENDS)} sends over ${VOLUME_CONVERSATIONS} conversations with 10% mixed faults, %s`,
			async (_name, cell: VolumeCell) => {
				const figures = await runVolume(fixture.sandbox, fixture.credentials(), cell.settings);
				secrets.scanRun(`volume: ${cell.name}`, figures.run);
				data.volume.push({ cell: cell.name, ...figures.summary });

				expect(figures.summary.lost).toBe(0);
				expect(figures.summary.duplicated).toBe(0);
				expect(figures.summary.outOfOrder).toBe(0);
				expect(figures.summary.injectedFaults).toBeGreaterThan(VOLUME_SENDS * 0.08);
				expect(figures.summary.unaccounted).toBe(0);
				passed++;
			},
		);
	});

	describe('trigger soak', () => {
		it.each<SoakScope>(['conversation', 'organization'])(
			`emits all ${SOAK_MESSAGES} messages once each, watching the %s`,
			async (scope) => {
				const figures = await runSoak(fixture.sandbox, fixture.credentials(), {
					scope,
					onPoll(label, outcome) {
						if (outcome.error) secrets.scanError(label, outcome.error);
						secrets.scanItems(label, outcome.emitted ?? [], true);
					},
				});
				data.soak[scope] = figures;

				expect(figures.added).toBe(SOAK_MESSAGES);
				expect(figures.emitted).toBe(SOAK_MESSAGES);
				expect(figures.lost).toBe(0);
				expect(figures.duplicated).toBe(0);
				expect(figures.inOrder).toBe(true);
				expect(figures.failedPolls).toBeGreaterThan(0);
				expect(figures.injectedFaults).toBeGreaterThan(figures.requests * 0.05);
				passed++;
			},
		);
	});

	describe('secrets', () => {
		it("finds no token in any output item, error, run data or line of n8n's log", async () => {
			const location = process.env.N8N_LOG_FILE_LOCATION;
			if (!location)
				throw new Error('N8N_LOG_FILE_LOCATION is not set (test/harness/setup-env.ts)');
			await flushLog(location, 'reliability suite: secret check');

			const files = logFiles(location);
			let lines = 0;
			for (const file of files) {
				for (const [index, line] of readFileSync(file, 'utf8').split('\n').entries()) {
					if (!line) continue;
					lines++;
					for (const token of tokens()) {
						if (line.includes(token)) secrets.leaks.push({ where: `${file}:${index + 1}`, token });
					}
				}
			}
			data.secrets = {
				tokens: [
					'agent',
					'second agent',
					'contact',
					'API key',
					'other organization',
					'wrong token',
				],
				outputItems: secrets.outputItems,
				errors: secrets.errors,
				runDocuments: secrets.runDocuments,
				triggerItems: secrets.triggerItems,
				logFiles: files.length,
				logLines: lines,
				leaks: secrets.leaks.length,
			};

			expect(secrets.leaks).toEqual([]);
			expect(secrets.outputItems).toBeGreaterThan(0);
			expect(secrets.errors).toBeGreaterThan(0);
			expect(lines).toBeGreaterThan(secrets.runDocuments);
			passed++;
		});
	});

	afterAll(() => {
		const tests =
			BAD_INPUTS.length +
			1 +
			FAULT_KINDS.length * FAULTED_OPERATIONS.length +
			VOLUME_CELLS.length +
			2 +
			1;
		const complete = passed === tests && data.secrets?.leaks === 0;
		// A partial run (a filter, a failed test) leaves the committed report alone.
		if (!complete) return;
		const markdown = formatMarkdown(renderReport(data, [...unpaired]), REPORT_PATH);
		for (const token of tokens()) {
			if (markdown.includes(token)) throw new Error('The report would contain a token');
		}
		writeReport(markdown);
	});
});
