import type {
	DeclarativeRestApiSettings,
	IDataObject,
	IExecutePaginationFunctions,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	INodeExecutionData,
	INodePropertyRouting,
	PreSendAction,
} from 'n8n-workflow';

import type { ListEndpoint } from '../transport/endpoints';
import { readList } from '../transport/endpoints';
import type { FailureHints } from '../transport/errors';
import { responseError } from '../transport/errors';
import { nodeRunOf } from './nodeRun';
import type { Endpoint } from '../transport/routes';
import { endpointPath } from '../transport/routes';
import { simplifyMessage } from '../simplify';
import type { Write } from '../transport/requester';
import { Requester, gatewayOf } from '../transport/requester';
import { limitOf } from '../fields/validation';
import {
	answerLimitOf,
	forModel,
	isToolNode,
	leanItems,
	toolList,
	toolListBounds,
} from '../toolMode';

/**
 * How the iMBRACE node's declarative operations are run. n8n builds each item's request from the
 * parameters and runs the operation's checks (preSend); the request itself is made in n8n's
 * pagination hook, the one hook that owns the call, by a Requester that keeps the items in order
 * (nodeRun.ts) and deals with failures (transport/requester.ts).
 */

/** A write operation: which lane (conversation, contact) its items queue in, and how to confirm. */
export interface WriteOperation extends Omit<Write, 'confirm'> {
	/** The lane of an item, from the request n8n built (before the operation's checks). */
	lane(request: IHttpRequestOptions): string;
	/** Looks whether the item's write, begun at `startedAt`, went through after its answer was lost. */
	confirm?(
		this: IExecuteSingleFunctions,
		requester: Requester,
		request: IHttpRequestOptions,
		startedAt: number,
	): Promise<IDataObject | undefined>;
}

/** A Requester for the item, sharing its node run's gateway (looked up once) and its slots. */
export async function requesterOf(context: IExecuteSingleFunctions): Promise<Requester> {
	const run = nodeRunOf(context);
	run.gateway ??= gatewayOf(context);
	return new Requester(context, await run.gateway, { slots: run.slots });
}

function fingerprintOf(context: IExecuteSingleFunctions, request: IHttpRequestOptions): string {
	const binary = context.getInputData().binary ?? {};
	const files = Object.entries(binary).map(([name, file]) => [
		name,
		file.id ?? file.fileName,
		file.fileSize,
		file.mimeType,
	]);
	return JSON.stringify([request.method, request.url, request.qs, request.body, files]);
}

/**
 * The first preSend of every operation. It runs, for each item in turn, before n8n starts the
 * next item, so the item's place in its lane is taken here, in item order, before any await.
 */
function takePlace(write: WriteOperation | undefined): PreSendAction {
	return async function (this: IExecuteSingleFunctions, request: IHttpRequestOptions) {
		nodeRunOf(this).start(
			this.getItemIndex(),
			write && write.lane(request),
			write && fingerprintOf(this, request),
		);
		return request;
	};
}

/** An operation's check: when it fails, the item's turn in its lane ends with it. */
function guarded(check: PreSendAction): PreSendAction {
	return async function (this: IExecuteSingleFunctions, request: IHttpRequestOptions) {
		let failed = true;
		try {
			const checked = await check.call(this, request);
			failed = false;
			return checked;
		} catch (error) {
			throw forModel(this.getNode(), error as Error);
		} finally {
			if (failed) nodeRunOf(this).finish(this, true);
		}
	};
}

/** Output items, each paired with the input item they answer. */
function pairedWith(context: IExecuteSingleFunctions, items: INodeExecutionData[]) {
	const pairedItem = { item: context.getItemIndex() };
	return items.map((item) => ({ ...item, pairedItem }));
}

/** Runs one item's requests in its turn, and ends the turn whatever happens. */
async function inTurn(
	context: IExecutePaginationFunctions,
	work: (requester: Requester) => Promise<INodeExecutionData[]>,
): Promise<INodeExecutionData[]> {
	const run = nodeRunOf(context);
	let failed = true;
	try {
		await run.turn(context);
		const items = pairedWith(context, await work(await requesterOf(context)));
		failed = false;
		return items;
	} catch (error) {
		throw forModel(context.getNode(), error as Error);
	} finally {
		run.finish(context, failed);
	}
}

/**
 * The one request n8n built (a write, or a read of one object). A write whose answer was lost is
 * confirmed as its operation says, and what it stored shows who the token sends as.
 */
function singleRequest(confirm: WriteOperation['confirm']): Perform {
	return async function ({ requester, request, hints, write }) {
		const startedAt = Date.now();
		const body = await requester.call({
			request,
			hints,
			write: write?.(
				confirm && (async () => await confirm.call(this, requester, request, startedAt)),
			),
		});
		if (write) requester.learnFromSent(body);
		return [body];
	};
}

/**
 * Runs a list operation: asks for no more than `limit` needs, or walks every page with Return
 * All, in pages as large as the endpoint allows, and stops as soon as the answer says it is done.
 */
function pageThrough(endpoint: ListEndpoint, hints: FailureHints) {
	return async function (
		this: IExecutePaginationFunctions,
		requestData: DeclarativeRestApiSettings.ResultOptions,
	): Promise<INodeExecutionData[]> {
		const returnAll = this.getNodeParameter('returnAll', false) as boolean;
		const limit = returnAll ? Infinity : Number(limitOf(this.getNodeParameter('limit', 50)));
		// As a tool: simplified, and bounded even with Return All (see toolMode.ts).
		const tool = isToolNode(this.getNode());
		const bounds = tool
			? toolListBounds(limit, answerLimitOf(this.getNodeParameter('answerLimit', 0)))
			: undefined;
		const simplify = tool || (this.getNodeParameter('simplify', false) as boolean);
		const request = requestData.options as IHttpRequestOptions;
		return await inTurn(this, async (requester) => {
			const { rows } = await readList(
				endpoint,
				request,
				bounds?.read ?? limit,
				async (page) => await requester.call({ request: page, hints }),
			);
			const items = rows.map((row) => ({ json: simplify ? simplifyMessage(row) : row }));
			return bounds ? toolList(items, bounds, endpoint.itemsName ?? 'items') : items;
		});
	};
}

/** What a multi-request operation (`perform`) is handed for one item. */
export interface Performance {
	requester: Requester;
	/** The request n8n built from the parameters, checked: its fields and request options. */
	request: IHttpRequestOptions;
	hints: FailureHints;
	/**
	 * The operation's write, for one of its requests, with how to confirm it after a lost answer;
	 * undefined for a read-only operation.
	 */
	write?: (confirm?: () => Promise<IDataObject | undefined>) => Write;
}

/** An operation made of several requests (a lookup, then a write): answers its output items. */
export type Perform = (
	this: IExecutePaginationFunctions,
	performance: Performance,
) => Promise<IDataObject[]>;

/**
 * Runs a `perform` operation in the item's turn. A write operation keeps Retry On Fail's memory
 * as a single write does: what an earlier try delivered is answered again without a request, and
 * an item whose write may have been made is not tried again.
 */
function performInTurn(perform: Perform, hints: FailureHints, write: WriteOperation | undefined) {
	return async function (
		this: IExecutePaginationFunctions,
		requestData: DeclarativeRestApiSettings.ResultOptions,
	): Promise<INodeExecutionData[]> {
		const request = requestData.options as IHttpRequestOptions;
		return await inTurn(this, async (requester) => {
			const run = nodeRunOf(this);
			const itemIndex = this.getItemIndex();
			const delivered = write && run.recall(itemIndex);
			if (delivered) return delivered;
			const doubted = write && run.doubted(itemIndex);
			if (doubted) throw doubted;
			const rows = await perform.call(this, {
				requester,
				request,
				hints,
				write:
					write &&
					((confirm) => ({
						what: write.what,
						done: write.done,
						confirm,
						onDoubt: (error) => run.doubt(itemIndex, error),
					})),
			});
			const items = rows.map((json) => ({ json }));
			if (write) run.remember(itemIndex, items);
			return isToolNode(this.getNode()) ? leanItems(items) : items;
		});
	};
}

export interface OperationOptions {
	/** What it calls: `url` names the endpoint (transport/routes.ts); search and fetch set it in a check. */
	endpoint?: Endpoint;
	method: 'GET' | 'POST';
	qs?: IDataObject;
	/** Checks made before anything is sent (preSend), in order. */
	checks?: PreSendAction[];
	hints?: FailureHints;
	list?: ListEndpoint;
	/** An operation of several requests, instead of the one request n8n built. */
	perform?: Perform;
	write?: WriteOperation;
}

/**
 * The routing of one operation: its request, the checks made before it is sent, and the way it
 * is sent. Every request goes through n8n's pagination hook (see above).
 */
export function operationRouting(options: OperationOptions): INodePropertyRouting {
	const { endpoint, method, qs, checks = [], hints = {}, list, perform, write } = options;
	return {
		request: {
			method,
			...(endpoint ? { url: endpointPath(endpoint) } : {}),
			...(qs ? { qs } : {}),
		},
		send: { paginate: true, preSend: [takePlace(write), ...checks.map(guarded)] },
		operations: {
			pagination: list
				? pageThrough(list, hints)
				: performInTurn(perform ?? singleRequest(write?.confirm), hints, write),
		},
	};
}

/** An answer that is JSON but not what the operation expects, as an error on the item. */
export function unexpectedAnswer(context: IExecuteSingleFunctions, body: IDataObject) {
	return responseError(
		context.getNode(),
		{ statusCode: 200, body },
		{ itemIndex: context.getItemIndex() },
	);
}
