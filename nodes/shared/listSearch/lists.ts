import type {
	IDataObject,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	INodeListSearchItems,
	INodeListSearchResult,
} from 'n8n-workflow';

import { INBOX_PAGE_SIZE, INBOX_PATHS, readInboxPage } from '../transport/inbox';
import { Requester, gatewayOf } from '../transport/requester';

/**
 * What every "From list" picker shares: its requests (through the node's Requester, so 429s are
 * waited out and failures become errors n8n shows), its page token and the IDs the operation has
 * set already.
 */

/** Where a picker's next page starts: which of its lists (a business unit's) and how far in. */
interface Position {
	list: number;
	skip: number;
}

export function positionOf(token: string | undefined): Position {
	if (!token) return { list: 0, skip: 0 };
	try {
		const { list, skip } = JSON.parse(token) as Position;
		return { list: Number(list) || 0, skip: Number(skip) || 0 };
	} catch {
		return { list: 0, skip: 0 };
	}
}

export async function requesterFor(context: ILoadOptionsFunctions): Promise<Requester> {
	return new Requester(context, await gatewayOf(context));
}

/** One GET of an inbox path; a failure throws (n8n shows it in the picker). */
export async function read(
	requester: Requester,
	url: string,
	qs: IDataObject = {},
): Promise<IDataObject> {
	const request: IHttpRequestOptions = { method: 'GET', url, qs, arrayFormat: 'repeat' };
	return await requester.call({ request, hints: { inbox: true } });
}

/**
 * The ID the operation has set in another parameter, where it is a plain value (an expression
 * cannot be worked out while the workflow is not running): undefined when there is none.
 */
export function currentId(
	context: ILoadOptionsFunctions,
	name: string,
	prefix: string,
): string | undefined {
	let value: unknown;
	try {
		value = context.getCurrentNodeParameter(name);
	} catch {
		return undefined;
	}
	if (typeof value === 'object' && value !== null) value = (value as IDataObject).value;
	if (typeof value !== 'string' || value.startsWith('=')) return undefined;
	const match = new RegExp(`${prefix}[A-Za-z0-9_-]+`).exec(value);
	return match?.[0];
}

/** The business units the caller is in (§10), every page. */
export async function businessUnitIds(requester: Requester): Promise<IDataObject[]> {
	const units: IDataObject[] = [];
	for (let skip = 0; ; ) {
		const page = readInboxPage(
			await read(requester, INBOX_PATHS.businessUnits, { skip, limit: INBOX_PAGE_SIZE }),
			skip,
			INBOX_PAGE_SIZE,
		);
		units.push(...page.rows);
		skip += page.rows.length;
		if (!page.more) return units;
	}
}

/** Whether a name contains the search text (case-insensitive); every name when there is none. */
export function matchesFilter(filter: string | undefined, ...names: unknown[]): boolean {
	const wanted = (filter ?? '').trim().toLowerCase();
	return (
		!wanted ||
		names.some((name) =>
			String(name ?? '')
				.toLowerCase()
				.includes(wanted),
		)
	);
}

/**
 * Reads one page (up to 100) of the `lists.length` lists in turn, from the token's position: the
 * results of that page and the token of the next, none after the last page of the last list.
 */
export async function pageThroughLists<T>(
	lists: T[],
	token: string | undefined,
	readPage: (list: T, skip: number) => Promise<IDataObject>,
	toResults: (rows: IDataObject[]) => INodeListSearchItems[],
): Promise<INodeListSearchResult> {
	const { list, skip } = positionOf(token);
	if (list >= lists.length) return { results: [] };
	const page = readInboxPage(await readPage(lists[list], skip), skip, INBOX_PAGE_SIZE);
	const next = page.more
		? { list, skip: skip + page.rows.length }
		: list + 1 < lists.length
			? { list: list + 1, skip: 0 }
			: undefined;
	return {
		results: toResults(page.rows),
		...(next ? { paginationToken: JSON.stringify(next) } : {}),
	};
}
