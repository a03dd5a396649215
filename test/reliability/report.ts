import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { PACKAGE_ROOT } from '../harness/package';
import type { SoakFigures, SoakScope } from '../nodes/ImbraceTrigger/soak';
import type { VolumeSummary } from './volume';
import { VOLUME_CONVERSATIONS, VOLUME_FAULTS, VOLUME_SENDS } from './volume';

/**
 * bench/RELIABILITY.md, written from what the suite recorded. Everything in it is deterministic:
 * no timings, no ports, no generated IDs (they become placeholders), so that re-running the
 * suite leaves the committed file as it is.
 */

export const REPORT_PATH = join(PACKAGE_ROOT, 'bench', 'RELIABILITY.md');

export interface BadInputRow {
	input: string;
	operation: string;
	/** What the user sees: the error's message and description, or what the node output. */
	message: string;
	description?: string;
	caught: string;
	requests: number;
	keptRunning: boolean;
	good: string;
}

export interface FaultRow {
	fault: string;
	operation: string;
	message: string;
	description?: string;
	requests: string;
	recovered: boolean;
	retryRequests: string;
	effect?: string;
	retryEffect?: string;
}

export interface SecretFigures {
	tokens: string[];
	outputItems: number;
	errors: number;
	runDocuments: number;
	triggerItems: number;
	logFiles: number;
	logLines: number;
	leaks: number;
}

export interface VolumeRow extends VolumeSummary {
	cell: string;
}

export interface ReportData {
	badInputs: BadInputRow[];
	faults: FaultRow[];
	volume: VolumeRow[];
	soak: Partial<Record<SoakScope, SoakFigures>>;
	secrets?: SecretFigures;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** Takes out what changes from run to run: the sandbox's address and port, generated IDs. */
export function normalise(text: string, sandboxUrl: string): string {
	const port = sandboxUrl.replace(/^.*:/, '');
	return text
		.split(sandboxUrl)
		.join('<sandbox>')
		.split(`:${port}`)
		.join(':<port>')
		.replace(UUID, '<id>');
}

/** A code span that holds any text: a longer fence when the text has backticks, one line. */
export function code(text: string): string {
	const flat = text.replace(/\r?\n/g, ' ↵ ');
	const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
	const fence = '`'.repeat(longest + 1);
	const pad = longest > 0 || flat.startsWith(' ') || flat.endsWith(' ') ? ' ' : '';
	return `${fence}${pad}${flat}${pad}${fence}`;
}

function table(headers: string[], rows: string[][]): string {
	const cell = (text: string) => text.replace(/\|/g, '\\|');
	return [
		`| ${headers.map(cell).join(' | ')} |`,
		`| ${headers.map(() => '---').join(' | ')} |`,
		...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
	].join('\n');
}

const yesNo = (value: boolean) => (value ? 'yes' : 'no');
const number = (value: number) => value.toLocaleString('en-US');

function seen(message: string, description: string | undefined) {
	return description ? `${code(message)} — ${code(description)}` : code(message);
}

function summary(data: ReportData): string {
	const checked = data.badInputs.filter((row) => row.caught === 'before sending').length;
	const refused = data.badInputs.filter((row) => row.caught === 'by iMBRACE').length;
	const stopped = data.badInputs.filter((row) => !row.keptRunning).length;
	const recovered = data.faults.filter((row) => row.recovered).length;
	const failed = data.faults.filter((row) => !row.message.startsWith('no error')).length;
	const soak = Object.values(data.soak);
	const lost = soak.reduce((sum, figures) => sum + figures.lost, 0);
	const duplicated = soak.reduce((sum, figures) => sum + figures.duplicated, 0);
	const own = soak.reduce((sum, figures) => sum + figures.ownAdded, 0);
	const ownEmitted = soak.reduce((sum, figures) => sum + figures.ownEmitted, 0);
	return [
		`The suite (\`test/reliability\`, part of \`npm test\`) runs the built package through n8n-core's engine against the local iMBRACE sandbox.`,
		`It fed ${data.badInputs.length} bad inputs to the eight operations and the credential, each next to a good item with Continue On Fail:`,
		`${stopped === 0 ? 'none stopped the workflow' : `${stopped} stopped the workflow`},`,
		`${checked} were refused by the node before any request was sent, ${refused} were sent and refused by iMBRACE in exactly one request, and the rest were accepted or could not reach a host.`,
		`It injected every fault the sandbox knows into every operation, ${data.faults.length} cells, each without and with Retry On Fail: the node got through ${data.faults.length - failed} of them by itself, ${failed} reached the user as an error that says what happened and what to do, and with Retry On Fail ${recovered} of ${data.faults.length} ended well; no write was made twice.`,
		`It sent ${number(VOLUME_SENDS)} messages over ${VOLUME_CONVERSATIONS} conversations ${data.volume.length} times while one request in ten failed: ${number(data.volume.reduce((sum, row) => sum + row.lost + row.duplicated + row.outOfOrder, 0))} messages were lost, duplicated or out of order.`,
		`The trigger soak emitted ${soak.map((figures) => number(figures.emitted)).join(' and ')} messages for its two scopes, with ${lost} lost and ${duplicated} duplicated while 10% of requests failed; of the ${number(own)} messages sent with its own credential among them, it emitted ${number(ownEmitted)}.`,
		data.secrets
			? `No token appeared in ${number(data.secrets.outputItems + data.secrets.triggerItems)} output items, ${number(data.secrets.errors)} errors or ${number(data.secrets.logLines)} lines of n8n's log.`
			: '',
	]
		.filter(Boolean)
		.join(' ');
}

/** Behaviour worth knowing that is not a defect of the nodes, each backed by the tables above. */
function notes(data: ReportData, unpaired: string[]): string {
	const doubted = data.faults.filter((row) => /may have been/.test(row.message));
	const cells = (rows: FaultRow[]) =>
		rows.map((row) => `${row.operation} after “${row.fault}”`).join('; ');
	return [
		doubted.length
			? `- **A Create whose answer was lost fails, saying the conversation may have been created.** No endpoint lists a contact's conversations, so the node cannot look it up, and it never creates twice: neither it nor Retry On Fail repeats such a create (${cells(doubted)}; the _Effect_ columns show what iMBRACE holds). A Send whose answer was lost is looked up in its conversation instead, and sent again only if it is not there.`
			: '',
		unpaired.length
			? `- **Error items of list operations are not paired with their input item** (${unpaired.join(', ')}): with Continue On Fail, n8n-core's RoutingNode outputs a failed item as \`{ json: { error }, error }\` without \`pairedItem\`, and WorkflowExecute fills in pairings only when a node outputs as many items as it received (or one). When a list operation outputs several messages for one item and an error for another, a later node cannot trace the error item back (\`$('iMBRACE').item\`). The error still names its item (\`[item 0]\`, \`context.itemIndex\`). This is n8n's behaviour, which a declarative node cannot change; the README's "every output item is paired" holds for the items that succeed.`
			: '',
	]
		.filter(Boolean)
		.join('\n');
}

export function renderReport(data: ReportData, unpaired: string[] = []): string {
	const badRows = data.badInputs.map((row, index) => [
		String(index + 1),
		row.input,
		row.operation,
		seen(row.message, row.description),
		row.caught,
		String(row.requests),
		yesNo(row.keptRunning),
		row.good,
	]);
	const faultRows = data.faults.map((row) => [
		row.fault,
		row.operation,
		code(row.message),
		row.requests,
		row.effect ?? '–',
		yesNo(row.recovered),
		row.retryRequests,
		row.retryEffect ?? '–',
	]);

	const descriptions = new Map<string, { fault: string; operations: string[] }>();
	for (const row of data.faults) {
		if (row.message.startsWith('no error')) continue;
		const key = `${row.fault}\n${row.description ?? '(none)'}`;
		const entry = descriptions.get(key) ?? { fault: row.fault, operations: [] };
		entry.operations.push(row.operation);
		descriptions.set(key, entry);
	}
	const descriptionRows = [...descriptions.entries()].map(([key, entry]) => {
		const all = data.faults.filter((row) => row.fault === entry.fault).map((row) => row.operation);
		const others = all.filter((operation) => !entry.operations.includes(operation));
		return [
			entry.fault,
			code(key.split('\n')[1]),
			others.length === 0
				? 'all'
				: others.length < entry.operations.length
					? `all but ${others.join(', ')}`
					: entry.operations.join(', '),
		];
	});

	const volumeRows = data.volume.map((row) => [
		row.cell,
		number(row.delivered),
		number(row.lost),
		number(row.duplicated),
		number(row.outOfOrder),
		number(row.failed),
		number(row.notSent),
		number(row.injectedFaults),
		number(row.requests),
	]);
	const volumeFailures = data.volume.flatMap((row) =>
		row.failures.map((failure) => [
			row.cell,
			code(failure.message),
			number(failure.count),
			number(failure.delivered),
		]),
	);

	const scopes = Object.keys(data.soak) as SoakScope[];
	const figure = (name: string, value: (figures: SoakFigures) => string) => [
		name,
		...scopes.map((scope) => value(data.soak[scope]!)),
	];
	const soakRows = [
		figure('Messages added', (f) => number(f.added)),
		figure(
			"Messages sent with the trigger's own credential (emitted)",
			(f) => `${number(f.ownAdded)} (${number(f.ownEmitted)})`,
		),
		figure(
			'Bursts sharing one millisecond (largest)',
			(f) => `${number(f.sharedBursts)} (${number(f.largestSharedBurst)})`,
		),
		figure('Messages emitted', (f) => number(f.emitted)),
		figure('Lost', (f) => number(f.lost)),
		figure('Duplicated', (f) => number(f.duplicated)),
		figure('Emitted oldest first, in arrival order', (f) => yesNo(f.inOrder)),
		figure('Polls', (f) => number(f.polls)),
		figure('Failed polls', (f) => number(f.failedPolls)),
		figure('Requests', (f) => number(f.requests)),
		figure('Injected faults', (f) => number(f.injectedFaults)),
		figure("Trigger's stored state at the end (bytes of JSON)", (f) => number(f.stateBytes)),
	];

	const secrets = data.secrets;
	const secretRows = secrets
		? [
				['Tokens looked for', secrets.tokens.join(', ')],
				['Output items of the node (JSON)', number(secrets.outputItems)],
				['Items emitted by the trigger (JSON)', number(secrets.triggerItems)],
				['Errors (message, description, stack and every string they hold)', number(secrets.errors)],
				["Runs' execution data (JSON)", number(secrets.runDocuments)],
				[
					`Lines of n8n's log (level debug, ${number(secrets.logFiles)} file)`,
					number(secrets.logLines),
				],
				['Tokens found', number(secrets.leaks)],
			]
		: [];

	const sections = [
		'# Reliability',
		'<!-- Written by test/reliability/reliability.test.ts (npm test); do not edit by hand. -->',
		summary(data),
		'## Bad inputs',
		[
			'Each bad input ran as item 0 next to a good item 1 of the same operation, with **Continue On Fail**',
			"(`onError: continueRegularOutput`), values fed through expressions so that n8n's parameter checks",
			'in the editor cannot refuse them first. _Requests_ counts the requests the bad item caused',
			'(the run minus a run of the good item alone). _Caught_: **before sending** (the node refused it',
			'without a request), **by iMBRACE** (sent, and refused in one request), **not an error** (it ran),',
			"**no network** (the host could not be looked up). For the credential's rows both items share the",
			'credential, so the good item fails alike.',
		].join('\n'),
		table(
			[
				'#',
				'Input',
				'Operation',
				'What the user sees (message — description)',
				'Caught',
				'Requests',
				'Workflow kept running',
				'Good item',
			],
			badRows,
		),
		`Checked before any request (0 requests): ${data.badInputs
			.map((row, index) => (row.caught === 'before sending' ? String(index + 1) : ''))
			.filter(Boolean)
			.join(', ')}.`,
		'## Faults',
		[
			'Every fault the sandbox injects, aimed at the request of each operation (for Send with a binary',
			'PDF, at the upload), once with Retry On Fail off and once on (`maxTries: 2`,',
			'`waitBetweenTries: 1`). The fault applies to one request. The node repeats by itself what may',
			'be repeated (reads, a 503, a 429); a Send whose answer was lost is looked up (`check`) and sent',
			'again only if it is not there; a Create whose answer was lost fails with the doubt and is never',
			'repeated. _Requests_ lists the statuses the sandbox answered, in order (`dropped`: no answer).',
			'_Effect_ counts what a Create or Send actually created on the sandbox (counted there before',
			'and after).',
		].join('\n'),
		table(
			[
				'Fault',
				'Operation',
				'Without Retry On Fail: message',
				'Requests',
				'Effect',
				'With Retry On Fail: ended well',
				'Requests',
				'Effect',
			],
			faultRows,
		),
		'The descriptions that came with those messages:',
		table(['Fault', 'Description', 'Operations'], descriptionRows),
		'## Sending at volume',
		[
			`${number(VOLUME_SENDS)} Send items over ${VOLUME_CONVERSATIONS} conversations (item _n_ to conversation _n_ mod ${VOLUME_CONVERSATIONS}), while one`,
			'request in ten to the messages fails, drawn with equal chances from: ' +
				VOLUME_FAULTS.map((entry) => entry.name).join(', ') +
				'.',
			'_Lost_: reported as sent but not in iMBRACE; _Out of order_: conversations whose messages iMBRACE',
			'holds out of item order; _Not sent_: items after a failed one, which the node does not send when',
			'Continue On Fail is off (the node fails at the first failed item). Seeded, so the faults land on',
			'the same requests in every run.',
		].join('\n'),
		table(
			[
				'Settings',
				'Delivered',
				'Lost',
				'Duplicated',
				'Out of order',
				'Failed items',
				'Not sent',
				'Faults injected',
				'Requests',
			],
			volumeRows,
		),
		volumeFailures.length
			? 'What the failed items said (_In iMBRACE_: how many of them iMBRACE holds anyway):'
			: 'No item failed.',
		volumeFailures.length
			? table(['Settings', 'Message', 'Items', 'In iMBRACE'], volumeFailures)
			: '',
		'## Trigger soak',
		[
			`${number(data.soak.conversation?.added ?? 0)} messages per scope arrive in random bursts of 1 to 80`,
			'(four in ten sharing one millisecond, some arriving while a poll pages), and one request in ten',
			"fails at random (500, 502 and 503 pages, 429, dropped connections, malformed JSON), through n8n's",
			'PollTriggerExecutor with legacy cursors; faults stop once all messages are in, and polling goes',
			'on until a poll emits nothing. Seeded, so the figures are the same on every run.',
		].join('\n'),
		table(
			[
				'Figure',
				...scopes.map((scope) =>
					scope === 'conversation' ? 'One conversation' : 'Whole organization',
				),
			],
			soakRows,
		),
		'## Secret check',
		[
			"Every token the suite used was looked for, verbatim, in everything a user or operator sees. n8n's",
			'log is read after a marker written through its logger has reached the file, so every earlier line',
			'is in it.',
		].join('\n'),
		table(['Checked', 'Count'], secretRows),
		'## Notes',
		notes(data, unpaired),
	];
	return `${sections.join('\n\n')}\n`;
}

/** Formats with the project's Prettier settings, so that `npm run format` leaves it unchanged. */
export function formatMarkdown(markdown: string, path: string): string {
	return execFileSync(
		process.execPath,
		[
			join(PACKAGE_ROOT, 'node_modules', 'prettier', 'bin', 'prettier.cjs'),
			'--stdin-filepath',
			path,
		],
		{ cwd: PACKAGE_ROOT, input: markdown, encoding: 'utf8' },
	);
}

/** Writes the report unless it is already exactly that. */
export function writeReport(markdown: string, path = REPORT_PATH): void {
	let current: string | undefined;
	try {
		current = readFileSync(path, 'utf8');
	} catch {
		current = undefined;
	}
	if (current === markdown) return;
	mkdirSync(dirname(path), { recursive: true });
	writeFileSync(path, markdown);
}
