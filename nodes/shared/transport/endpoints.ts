import type { IDataObject, IHttpRequestOptions } from 'n8n-workflow';

import { isJsonObject } from './errors';

/** One page of a list endpoint's answer. */
export interface Page {
	rows: IDataObject[];
	/** Whether more rows follow this page. */
	more: boolean;
	/** Whether the answer stopped at the index's 1,000-hit cap, with more matches past it. */
	capped?: boolean;
}

/** How one of iMBRACE's list endpoints pages. */
export interface ListEndpoint {
	/** The largest page the endpoint serves. */
	maxPageSize: number;
	/** What its rows are, in plain words, e.g. `messages` (a tool's note on a bounded list says it). */
	itemsName?: string;
	/** The request for `size` rows from `offset`. */
	pageRequest(request: IHttpRequestOptions, offset: number, size: number): IHttpRequestOptions;
	readPage(body: IDataObject, offset: number): Page;
	/**
	 * Past a cap: the request for the rows after `last` (a window on time, read from offset 0),
	 * or undefined when the endpoint cannot go further.
	 */
	nextWindow?(request: IHttpRequestOptions, last: IDataObject): IHttpRequestOptions | undefined;
}

function rowsOf(value: unknown): IDataObject[] {
	return Array.isArray(value) ? value.filter(isJsonObject) : [];
}

function envelopeOf(body: IDataObject): IDataObject {
	return isJsonObject(body.message) ? body.message : {};
}

/** §5: newest first, `skip`/`limit` in the query, `has_more` in the answer. */
export const conversationMessages: ListEndpoint = {
	itemsName: 'messages',
	maxPageSize: 100,
	pageRequest(request, offset, size) {
		return { ...request, qs: { ...request.qs, limit: size, skip: offset } };
	},
	readPage(body) {
		return { rows: rowsOf(body.data), more: body.has_more === true };
	},
};

/** Meilisearch answers no hit past the 1,000th of a search (its default maxTotalHits). */
const SEARCH_HIT_CAP = 1000;

function indexPage(request: IHttpRequestOptions, offset: number, size: number) {
	return { ...request, body: { ...(request.body as IDataObject), limit: size, offset } };
}

/** §7: hits, with an estimated total that stops at the cap. */
export const messageSearch: ListEndpoint = {
	itemsName: 'messages',
	maxPageSize: 1000,
	pageRequest: indexPage,
	readPage(body, offset) {
		const answer = envelopeOf(body);
		const rows = rowsOf(answer.hits);
		const total = Number(answer.estimatedTotalHits ?? 0);
		return {
			rows,
			more: offset + rows.length < total,
			capped: total >= SEARCH_HIT_CAP && offset + rows.length >= SEARCH_HIT_CAP,
		};
	},
	/**
	 * Sorted by time, the search goes on past the cap from the last hit's millisecond (its other
	 * hits come again and are passed over). An index that cannot compare strings (Meilisearch
	 * before 1.15) answers such a window with nothing, which ends the search there.
	 */
	nextWindow(request, last) {
		const body = request.body as IDataObject;
		const order = Array.isArray(body.sort) ? String(body.sort[0]) : '';
		const at = last.created_at;
		if (typeof at !== 'string' || !/^created_at:(asc|desc)$/.test(order)) return undefined;
		const bound = `created_at ${order.endsWith('desc') ? '<=' : '>='} ${JSON.stringify(at)}`;
		const filter =
			typeof body.filter === 'string' && body.filter ? `(${body.filter}) AND ${bound}` : bound;
		return { ...request, body: { ...body, filter } };
	},
};

/** §8: documents, newest first, with the exact total (no cap). */
export const messageFetch: ListEndpoint = {
	itemsName: 'messages',
	maxPageSize: 1000,
	pageRequest: indexPage,
	readPage(body, offset) {
		const answer = envelopeOf(body);
		const rows = rowsOf(answer.results);
		return { rows, more: offset + rows.length < Number(answer.total ?? 0) };
	},
};

/** A message's ID, whichever endpoint it came from. */
export function messageId(message: IDataObject): string {
	return String(message.id ?? message.public_id ?? message._id ?? '');
}

/** What a list read brought: its rows, and whether the index's cap cut it short. */
export interface ListRead {
	rows: IDataObject[];
	/** The answer stopped at the cap with more matches past it, and no window could go on. */
	cut: boolean;
}

/**
 * Reads up to `limit` rows (Infinity: all) in pages as large as the endpoint allows, stopping as
 * soon as the answer says it is done; past a cap it goes on by windows where the endpoint can.
 */
export async function readList(
	endpoint: ListEndpoint,
	request: IHttpRequestOptions,
	limit: number,
	call: (request: IHttpRequestOptions) => Promise<IDataObject>,
): Promise<ListRead> {
	const rows: IDataObject[] = [];
	const taken = new Set<string>();
	let window = request;
	let windowed = false;
	let cut = false;
	for (let offset = 0; rows.length < limit; ) {
		const size = Math.min(endpoint.maxPageSize, limit - rows.length);
		const page = endpoint.readPage(await call(endpoint.pageRequest(window, offset, size)), offset);
		let added = 0;
		for (const row of page.rows.slice(0, size)) {
			// Windows start again at their first millisecond: what was taken comes again.
			if (windowed && taken.has(messageId(row))) continue;
			taken.add(messageId(row));
			rows.push(row);
			added++;
		}
		// A window always holds the row it starts from; none at all means the index cannot compare
		// times (before Meilisearch 1.15), so what lies past the cap is out of reach.
		if (windowed && offset === 0 && page.rows.length === 0) cut = true;
		offset += page.rows.length;
		if (page.more && page.rows.length > 0) continue;
		const last = rows.at(-1);
		if (!page.capped || !last || rows.length >= limit) break;
		const next = endpoint.nextWindow?.(request, last);
		if (!next) cut = true;
		if (!next || (windowed && added === 0)) break;
		window = next;
		windowed = true;
		offset = 0;
	}
	return { rows: rows.slice(0, limit), cut };
}
