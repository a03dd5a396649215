/**
 * Tokens per answer of the iMBRACE node as an AI agent's tool, before and after tool mode: the
 * same reads of a sandbox conversation, run through n8n-core's engine once as the plain node (how
 * a tool answered before tool mode: the node's own output) and once as the `…Tool` type n8n builds
 * for an agent or the MCP Server Trigger.
 *
 *   npm run bench:tools
 *
 * It writes its section of bench/RESULTS.md (replacing the one there), after the sections that
 * `npm run bench` writes: run it after that.
 *
 * What a model reads is the JSON n8n makes of the items (n8n-core's tool invocation:
 * JSON.stringify of every item's json). Tokens are estimated as ceil(characters / 4) of that JSON:
 * deterministic, no tokenizer; real BPE counts of JSON full of IDs are usually higher.
 */
import '../../test/harness/setup-env';

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { INodeParameters } from 'n8n-workflow';
import * as prettier from 'prettier';

import { ROOT } from '../n8n/runtime';

import { runNode } from '../../test/harness/engine';
import { NODE_TYPE } from '../../test/harness/package';
import { findRoutes, sandboxCredentials } from '../../test/harness/sandbox';
import type { Sandbox } from '../../test/sandbox';
import { startSandbox } from '../../test/sandbox';

/** The estimate: a quarter of the characters, rounded up. */
export function estimateTokens(text: string): number {
	return Math.ceil(text.length / 4);
}

/** A long message every fifth: a pasted e-mail of about 3,000 characters. */
function conversationTexts(count: number): string[] {
	const paragraph =
		'Hello, I ordered the blue jacket in size M on the 3rd and it still has not arrived. The tracking page says it left the warehouse but nothing has changed since. Could you check with the courier and tell me when it will be delivered? ';
	return Array.from({ length: count }, (_, index) =>
		index % 5 === 4 ? paragraph.repeat(14).trim() : `Message ${index + 1}: is my order on its way?`,
	);
}

function addConversation(sandbox: Sandbox, count: number): string {
	const conversationId = sandbox.addConversation();
	sandbox.addMessages({
		conversationId,
		messages: conversationTexts(count).map((text) => ({ type: 'text', content: { text } })),
	});
	return conversationId;
}

/** The sandbox's own messages: "Message 1" and so on. */
function shortConversation(sandbox: Sandbox, count: number): string {
	const conversationId = sandbox.addConversation();
	sandbox.addMessages({ conversationId, count });
	return conversationId;
}

interface Case {
	label: string;
	tool: boolean;
	conversation: 'fifty' | 'fiftyShort' | 'fiveHundred';
	parameters: INodeParameters;
}

const CASES: Case[] = [
	{
		label: 'Before: Get Many, Limit 50, Simplify off, 50 short messages',
		tool: false,
		conversation: 'fiftyShort',
		parameters: { simplify: false },
	},
	{
		label: 'After: Get Many, tool defaults, 50 short messages',
		tool: true,
		conversation: 'fiftyShort',
		parameters: {},
	},
	{
		label: 'Before: Get Many, defaults (Limit 50, Simplify on)',
		tool: false,
		conversation: 'fifty',
		parameters: {},
	},
	{
		label: 'Before: Get Many, Limit 50, Simplify off (raw page)',
		tool: false,
		conversation: 'fifty',
		parameters: { simplify: false },
	},
	{
		label: 'Before: Get Many, Return All, Simplify off, 500 messages',
		tool: false,
		conversation: 'fiveHundred',
		parameters: { simplify: false, returnAll: true },
	},
	{
		label: 'After: Get Many, tool defaults (Answer Limit 10)',
		tool: true,
		conversation: 'fifty',
		parameters: {},
	},
	{
		label: 'After: Get Many, Answer Limit 50 (the same 50 messages)',
		tool: true,
		conversation: 'fifty',
		parameters: { answerLimit: 50 },
	},
	{
		label: 'After: Get Many, Return All, Answer Limit 100, 500 messages',
		tool: true,
		conversation: 'fiveHundred',
		parameters: { returnAll: true, answerLimit: 100, simplify: false },
	},
];

export interface Measured {
	label: string;
	items: number;
	characters: number;
	tokens: number;
}

export async function measureToolAnswers(): Promise<Measured[]> {
	const sandbox = await startSandbox();
	try {
		await findRoutes(sandbox);
		const conversations = {
			fifty: addConversation(sandbox, 50),
			fiftyShort: shortConversation(sandbox, 50),
			fiveHundred: addConversation(sandbox, 500),
		};
		const results: Measured[] = [];
		for (const { label, tool, conversation, parameters } of CASES) {
			const run = await runNode({
				nodeType: tool ? `${NODE_TYPE}Tool` : NODE_TYPE,
				parameters: {
					resource: 'message',
					operation: 'getMany',
					conversationId: conversations[conversation],
					...parameters,
				},
				credentials: sandboxCredentials(sandbox),
			});
			if (run.error) throw run.error;
			const answer = JSON.stringify(run.output.map((item) => item.json));
			results.push({
				label,
				items: run.output.length,
				characters: answer.length,
				tokens: estimateTokens(answer),
			});
		}
		return results;
	} finally {
		await sandbox.close();
	}
}

function table(results: Measured[]): string {
	const rows = results.map(
		({ label, items, characters, tokens }) =>
			`| ${label} | ${items} | ${characters.toLocaleString('en-US')} | ${tokens.toLocaleString('en-US')} |`,
	);
	return [
		'| Answer | Items | Characters | Tokens (chars / 4) |',
		'|---|---:|---:|---:|',
		...rows,
	].join('\n');
}

const SECTION_TITLE = "## 8. Tokens per answer as an AI agent's tool";

function section(results: Measured[]): string {
	const tokens = (label: string) => {
		const found = results.find((result) => result.label.startsWith(label));
		if (!found) throw new Error(`No result "${label}"`);
		return found.tokens;
	};
	const before = tokens('Before: Get Many, defaults');
	const after = tokens('After: Get Many, tool defaults (');
	const raw = tokens('Before: Get Many, Limit 50, Simplify off (raw');
	const sameFifty = tokens('After: Get Many, Answer Limit 50');
	const all = tokens('Before: Get Many, Return All');
	return `${SECTION_TITLE}

\`npm run bench:tools\` (scripts/bench/tool-answers.ts) reads sandbox conversations through
n8n-core's engine, once as the plain node (how the node answered as a tool before tool mode: its
own output, untrimmed) and once as the \`…Tool\` type n8n builds for an AI agent or the MCP Server
Trigger. What a model reads is the JSON n8n makes of the items (\`JSON.stringify\` of every item's
\`json\`, as n8n-core's tool invocation does); tokens are estimated as **ceil(characters / 4)** of
that JSON, deterministic and without a tokenizer (a real BPE count of JSON full of IDs is usually
higher). The 50-message conversation has a pasted e-mail of about 3,000 characters in every fifth
message, the others a short question; the short one is the sandbox's own "Message n" texts.

${table(results)}

The 11th item of a tool answer is the note that more were left out. With the defaults an answer
is ${(before / after).toFixed(1)} times smaller (${before.toLocaleString('en-US')} to ${after.toLocaleString('en-US')} tokens for the same read); the same 50 messages with
texts cut at 1,000 characters are ${Math.round((1 - sameFifty / raw) * 100)}% smaller than the raw page; Return All, unbounded
before (${all.toLocaleString('en-US')} tokens for 500 messages, more than most models' context), stops at 100 items
and the note. Simplify alone does not make these messages smaller: the sandbox's raw messages are
already small, and the simplified shape spells out its empty fields as \`null\`.
`;
}

/**
 * Puts the section into bench/RESULTS.md in place of its earlier version, or at the end, in the
 * repository's Prettier style (the file is checked with the rest).
 */
async function writeSection(text: string) {
	const file = join(ROOT, 'bench', 'RESULTS.md');
	const report = readFileSync(file, 'utf8');
	const start = report.indexOf(SECTION_TITLE);
	const next = start < 0 ? -1 : report.indexOf('\n## ', start + SECTION_TITLE.length);
	const head = start < 0 ? `${report.trimEnd()}\n\n` : report.slice(0, start);
	const tail = next < 0 ? '' : report.slice(next + 1);
	const joined = `${head}${text}${tail ? `\n${tail}` : ''}`;
	const options = await prettier.resolveConfig(file);
	writeFileSync(file, await prettier.format(joined, { ...options, filepath: file }));
}

if (require.main === module) {
	measureToolAnswers().then(
		async (results) => {
			console.log(table(results));
			await writeSection(section(results));
		},
		(error: unknown) => {
			console.error(error);
			process.exitCode = 1;
		},
	);
}
