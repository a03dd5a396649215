import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';

/**
 * The node as an AI agent's tool (an agent's tools, the MCP Server Trigger). n8n hands every
 * output item to the model as JSON, untrimmed, so the node keeps its own answers small there.
 *
 * Tool mode is read from the node's type: n8n runs a node used as a tool under a type named
 * `<type>Tool`, on every path (the agent's engine requests, where `isToolExecution()` is false,
 * and the MCP Server Trigger's tools). The `@tool` of displayOptions is the same test.
 */
export function isToolNode(node: INode): boolean {
	return node.type.endsWith('Tool');
}

/** The Answer Limit of a list in tool mode: the most items it answers, by default. */
export const TOOL_DEFAULT_LIMIT = 10;
/** The largest Answer Limit: the most items a list ever answers in tool mode. */
export const TOOL_MAX_ITEMS = 100;
/** Texts longer than this are cut in tool mode. */
export const TOOL_MAX_TEXT = 1000;

/** A text cut to TOOL_MAX_TEXT characters, with a marker that says how much was left out. */
export function cutText(text: string): string {
	if (text.length <= TOOL_MAX_TEXT) return text;
	const left = text.length - TOOL_MAX_TEXT;
	return `${text.slice(0, TOOL_MAX_TEXT)}… [cut: ${left.toLocaleString('en-US')} more characters]`;
}

function cutTexts(value: unknown): unknown {
	if (typeof value === 'string') return cutText(value);
	if (Array.isArray(value)) return value.map(cutTexts);
	if (typeof value === 'object' && value !== null) {
		return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, cutTexts(inner)]));
	}
	return value;
}

/** An answer's items with every long text in them cut (see cutText). */
export function leanItems(items: INodeExecutionData[]): INodeExecutionData[] {
	return items.map((item) => ({ ...item, json: cutTexts(item.json) as IDataObject }));
}

/** How many rows a list reads in tool mode, and how many it answers. */
export interface ToolListBounds {
	/** The rows to read: one more than `keep` when the Answer Limit may cut the list. */
	read: number;
	keep: number;
	/** Whether the Answer Limit, rather than the asked Limit, may cut the list. */
	bounded: boolean;
}

/** The Answer Limit as a whole number from 1 to TOOL_MAX_ITEMS (a model may pass anything). */
export function answerLimitOf(value: unknown): number {
	const limit = Math.floor(Number(value));
	if (!Number.isFinite(limit) || limit < 1) return TOOL_DEFAULT_LIMIT;
	return Math.min(limit, TOOL_MAX_ITEMS);
}

/** `limit` is the asked Limit, Infinity with Return All. */
export function toolListBounds(limit: number, answerLimit: number): ToolListBounds {
	if (limit <= answerLimit) return { read: limit, keep: limit, bounded: false };
	return { read: answerLimit + 1, keep: answerLimit, bounded: true };
}

/**
 * The note that ends a bounded list: a last item of its own, so that every other item keeps the
 * list's shape and the model reads the note where the list stops.
 */
export function leftOutNote(kept: number, what: string): IDataObject {
	return {
		note: `Only the first ${kept} ${what} are shown; more were left out (this tool answers at most ${kept} items).`,
	};
}

/** A list's rows bounded as `bounds` says, with the note when the Answer Limit left rows out. */
export function toolRows(rows: IDataObject[], bounds: ToolListBounds, what: string): IDataObject[] {
	const kept = rows.slice(0, bounds.keep);
	if (!bounds.bounded || rows.length <= bounds.keep) return kept;
	return [...kept, leftOutNote(bounds.keep, what)];
}

/** A list's answer in tool mode: bounded (see toolRows), its long texts cut. */
export function toolList(
	items: INodeExecutionData[],
	bounds: ToolListBounds,
	what: string,
): INodeExecutionData[] {
	const rows = toolRows(
		items.map((item) => item.json),
		bounds,
		what,
	);
	return leanItems(rows.map((json) => ({ json })));
}

/** An error as the model reads it: only its message reaches the model, so the fix goes there. */
export function forModel<T extends Error & { description?: string | null }>(
	node: INode,
	error: T,
): T {
	const { description } = error;
	if (!isToolNode(node) || !description || error.message.includes(description)) return error;
	error.message = `${error.message}. ${description}`;
	return error;
}
