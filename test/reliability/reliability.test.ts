import { readFileSync } from 'node:fs';

import type { INode, INodeExecutionData, IPairedItemData } from 'n8n-workflow';

import { runNode } from '../harness/engine';
import type { NodeRun } from '../harness/engine';
import { useSandbox } from '../harness/sandbox';
import type { RecordedRequest, Sandbox } from '../sandbox';
import type { BadInput, CaseContext, Expectation, Observed } from './bad-inputs';
import { BAD_INPUTS, WRONG_TOKEN } from './bad-inputs';
import type { FaultKind, FaultedOperation } from './faults';
import { FAULT_KINDS, FAULTED_OPERATIONS, TIMEOUT_MS } from './faults';
import type { ReportData } from './report';
import { REPORT_PATH, formatMarkdown, normalise, renderReport, writeReport } from './report';
import { SecretScanner, flushLog, logFiles } from './secrets';
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

function statuses(requests: RecordedRequest[], operation: FaultedOperation): string {
	const upload = operation.path.endsWith('/_fileupload');
	return requests
		.map((request) => {
			const status = request.status === 0 ? 'dropped' : String(request.status);
			if (!upload) return status;
			return `${request.path === operation.path ? 'upload' : 'send'} ${status}`;
		})
		.join(', ');
}

function effect(created: number | undefined, operation: FaultedOperation): string | undefined {
	if (!operation.creates || created === undefined) return undefined;
	const { noun } = operation.creates;
	return created === 0 ? 'none created' : `${created} ${noun}${created === 1 ? '' : 's'} created`;
}

/** Requests that iMBRACE carried out (answered 200, even if the answer was cut or came late). */
function carriedOut(requests: RecordedRequest[], operation: FaultedOperation): number {
	const upload = operation.path.endsWith('/_fileupload');
	return requests.filter(
		(request) => request.status === 200 && (!upload || request.path !== operation.path),
	).length;
}

describe('Reliability', () => {
	const fixture = useSandbox();
	const data: ReportData = { badInputs: [], faults: [], soak: {} };
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
			const requests = sandbox.requests().length - goodRequests;
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
					: requests === 1
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
				// Refused by iMBRACE: exactly one request.
				if (row?.caught === CAUGHT.refused)
					expect([index + 1, row.requests]).toEqual([index + 1, 1]);
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
				const upload = operation.path.endsWith('/_fileupload');
				const parameters = {
					...operation.parameters(sandbox),
					...(delayed ? { requestOptions: { timeout: TIMEOUT_MS } } : {}),
				};

				/** One run with the fault; `settled` says how many requests it makes in the end. */
				const attempt = async (settings: Partial<INode>, settled: (run: NodeRun) => number) => {
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
					if (delayed) await recorded(sandbox, settled(run));
					const log = sandbox.requests();
					const after = await operation.creates?.count(sandbox);
					const created = after === undefined ? undefined : after - Number(before);
					return { run, requests: log, created };
				};

				// A timed-out upload is answered later; a send follows only an upload that succeeded.
				const plain = await attempt({}, (run) => (upload && !run.error ? 2 : 1));
				const retried = await attempt(RETRY_ON_FAIL, () => (upload ? 3 : 2));
				secrets.scanRun(`fault ${kind.name} / ${operation.name}`, plain.run);
				secrets.scanRun(`fault ${kind.name} / ${operation.name}, retried`, retried.run);

				const status = kind.status === 0 ? 'dropped' : String(kind.status);
				const expected = upload
					? { plain: [`upload ${status}`], retried: [`upload ${status}`, 'upload 200', 'send 200'] }
					: { plain: [status], retried: [status, '200'] };
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
					requests: statuses(plain.requests, operation),
					effect: effect(plain.created, operation),
					recovered: retried.run.error === undefined && retried.run.output.length > 0,
					retryRequests: statuses(retried.requests, operation),
					retryEffect: effect(retried.created, operation),
				});

				expect(plain.run.error?.message).toBe(kind.message(sandbox.url));
				expect(plain.run.error?.description).toMatch(/\S/);
				expect(statuses(plain.requests, operation).split(', ')).toEqual(expected.plain);
				expect(retried.run.error).toBeUndefined();
				expect(retried.run.output.length).toBeGreaterThan(0);
				expect(retried.run.output.every((item) => !item.error)).toBe(true);
				expect(statuses(retried.requests, operation).split(', ')).toEqual(expected.retried);
				// What the sandbox holds agrees with the requests it carried out.
				if (operation.creates) {
					expect(plain.created).toBe(carriedOut(plain.requests, operation));
					expect(retried.created).toBe(carriedOut(retried.requests, operation));
				}
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
		const tests = BAD_INPUTS.length + 1 + FAULT_KINDS.length * FAULTED_OPERATIONS.length + 2 + 1;
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
