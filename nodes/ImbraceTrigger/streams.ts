import type { IDataObject, IPollFunctions } from 'n8n-workflow';

import { conversationMessages, messageSearch, organizationPath } from '../shared/endpoints';
import { apiRequest } from '../shared/transport';

/** How far one poll may go before it leaves the rest to the next poll. */
export interface Budget {
	/** Whether another request fits, given how many messages this poll has collected. */
	allowsMore(collected: number): boolean;
}

/** Where a conversation's stream stands: its messages are only ever added at the newest end. */
export interface ConversationCursor {
	key: string;
	/** How many of the conversation's messages have been handled (counted from the oldest). */
	position: number;
	/** The newest handled message, which must sit exactly at `position`. */
	lastId: string;
	at: string;
	/** The conversation's length when last seen: a backlog is read from where it starts. */
	length: number;
}

/** Where an organization's stream stands, in the index's `created_at` order. */
export interface OrganizationCursor {
	key: string;
	/** The newest `created_at` handled. */
	at: string;
	/** The handled messages stamped exactly `at`; later ones of that millisecond are still new. */
	ids: string[];
}

export interface Stream<C> {
	/** The newest messages, newest first (for a manual run). */
	newest(): Promise<IDataObject[]>;
	/** A cursor at the stream's current end: nothing before it will be emitted. */
	start(key: string): Promise<C>;
	/** The messages after the cursor, oldest first, and the cursor after them. */
	since(cursor: C, budget: Budget): Promise<{ messages: IDataObject[]; cursor: C }>;
}

/** A message's ID, whichever endpoint it came from. */
export function messageId(message: IDataObject): string {
	return String(message.id ?? message.public_id ?? message._id ?? '');
}

function createdAt(message: IDataObject): string {
	return String(message.created_at ?? '');
}

const LIST_PAGE = conversationMessages.maxPageSize;

/** A stop for a poll that keeps chasing arrivals without reading any. */
const MAX_REQUESTS_PER_POLL = 200;

/**
 * One conversation through the list endpoint, which answers newest first. New messages are
 * read oldest first by position: with the handled count kept, the oldest unread messages sit
 * just above it, whatever arrives meanwhile, and the handled message found exactly there
 * proves nothing was skipped.
 */
export function conversationStream(
	context: IPollFunctions,
	conversationId: string,
): Stream<ConversationCursor> {
	async function page(skip: number, limit: number) {
		const body = await apiRequest(
			context,
			{
				method: 'GET',
				url: '/v1/backend/conversation_messages',
				qs: { conversation_id: conversationId, limit, skip },
			},
			{ notFound: 'Conversation ID' },
		);
		const { rows } = conversationMessages.readPage(body, skip);
		return { rows, count: Number(body.count ?? 0) };
	}

	/**
	 * The slow way, taken only when positions no longer add up (a message was deleted): reads
	 * from the newest message down to the last handled one.
	 */
	async function scanFromNewest(cursor: ConversationCursor) {
		const unread: IDataObject[] = [];
		const seen = new Set<string>();
		let first: { rows: IDataObject[]; count: number } | undefined;
		for (let skip = 0; ; skip += LIST_PAGE) {
			const answer = await page(skip, LIST_PAGE);
			first ??= answer;
			const end = answer.rows.findIndex(
				(row) => messageId(row) === cursor.lastId || createdAt(row) <= cursor.at,
			);
			for (const row of end === -1 ? answer.rows : answer.rows.slice(0, end)) {
				if (!seen.has(messageId(row))) unread.push(row);
				seen.add(messageId(row));
			}
			if (end !== -1 || answer.rows.length < LIST_PAGE) break;
		}
		const newest = first.rows[0];
		return {
			messages: unread.reverse(),
			cursor: newest
				? {
						...cursor,
						position: first.count,
						length: first.count,
						lastId: messageId(newest),
						at: createdAt(newest),
					}
				: { ...cursor, position: first.count, length: first.count },
		};
	}

	/** Takes the slow way, keeping what this poll has read so far. */
	async function rescue(read: IDataObject[], cursor: ConversationCursor) {
		const rescued = await scanFromNewest(cursor);
		return { messages: [...read, ...rescued.messages], cursor: rescued.cursor };
	}

	return {
		async newest() {
			return (await page(0, LIST_PAGE)).rows;
		},

		async start(key) {
			const { rows, count } = await page(0, 1);
			return {
				key,
				position: count,
				length: count,
				lastId: rows[0] ? messageId(rows[0]) : '',
				at: rows[0] ? createdAt(rows[0]) : '',
			};
		},

		async since(start, budget) {
			const messages: IDataObject[] = [];
			let cursor = start;
			let count = start.length;
			let growth = 0; // how much the conversation grew between the last two answers
			for (let requests = 0; requests < MAX_REQUESTS_PER_POLL; requests++) {
				// The page that ends with the last handled message (the oldest unread ones), with
				// room for what may arrive before iMBRACE answers.
				const skip = Math.max(0, count - cursor.position - (LIST_PAGE - 1) + growth);
				const answer = await page(skip, LIST_PAGE);
				if (requests > 0) growth = Math.max(0, Math.min(LIST_PAGE - 2, answer.count - count));
				count = answer.count;
				const { rows } = answer;
				const boundary = count - cursor.position - skip; // the last handled message's row
				const reachedFirst = cursor.position === 0 && boundary === rows.length;
				if (boundary < 0) return await rescue(messages, cursor);
				// The last handled message lies below this page: aim again, now with the length.
				if (boundary >= rows.length && !reachedFirst) continue;
				if (!reachedFirst && messageId(rows[boundary]) !== cursor.lastId) {
					return await rescue(messages, cursor);
				}
				if (boundary > 0) {
					messages.push(...rows.slice(0, boundary).reverse());
					cursor = {
						...cursor,
						position: cursor.position + boundary,
						lastId: messageId(rows[0]),
						at: createdAt(rows[0]),
					};
				}
				if (count <= cursor.position || !budget.allowsMore(messages.length)) break;
			}
			return { messages, cursor: { ...cursor, length: count } };
		},
	};
}

const SEARCH_PAGE = messageSearch.maxPageSize;

/** More than this many messages in one millisecond and the cursor moves past it. */
const MAX_TIED_IDS = 1000;

function nextMillisecond(at: string): string {
	const time = Date.parse(at);
	return Number.isNaN(time) ? at : new Date(time + 1).toISOString();
}

/**
 * An organization through its search index, sorted by `created_at` ascending and filtered from
 * the cursor's millisecond on: what arrives during a poll lands after what it is reading.
 */
export function organizationStream(
	context: IPollFunctions,
	organizationId: string,
	search: { query: string; filter: string },
): Stream<OrganizationCursor> {
	async function page(body: IDataObject) {
		const answer = await apiRequest(
			context,
			{
				method: 'POST',
				url: organizationPath(organizationId, 'search'),
				body: { q: search.query, ...body },
			},
			{ notFound: 'Organization ID', invalid: 'Check the Filter of the trigger.' },
		);
		return messageSearch.readPage(answer, Number(body.offset ?? 0));
	}

	function filterFrom(at: string): string | undefined {
		const parts = [search.filter && `(${search.filter})`, at && `created_at >= "${at}"`];
		return parts.filter(Boolean).join(' AND ') || undefined;
	}

	return {
		async newest() {
			const body = { filter: filterFrom(''), sort: ['created_at:desc'], limit: 100, offset: 0 };
			return (await page(body)).rows;
		},

		async start(key) {
			const body = { filter: filterFrom(''), sort: ['created_at:desc'], limit: SEARCH_PAGE };
			const { rows } = await page({ ...body, offset: 0 });
			const at = rows[0] ? createdAt(rows[0]) : '';
			const ids = rows.filter((row) => createdAt(row) === at).map(messageId);
			return { key, at, ids };
		},

		async since(cursor, budget) {
			const handled = new Set(cursor.ids);
			const messages: IDataObject[] = [];
			let at = cursor.at;
			let ids = [...cursor.ids];
			for (let offset = 0; ; ) {
				const body = {
					filter: filterFrom(cursor.at),
					sort: ['created_at:asc'],
					limit: SEARCH_PAGE,
				};
				const { rows, more } = await page({ ...body, offset });
				for (const row of rows) {
					const id = messageId(row);
					if (handled.has(id) || createdAt(row) < cursor.at) continue;
					handled.add(id);
					messages.push(row);
					if (createdAt(row) > at) {
						at = createdAt(row);
						ids = [];
					}
					ids.push(id);
				}
				offset += rows.length;
				if (!more || rows.length === 0 || !budget.allowsMore(messages.length)) break;
			}
			return {
				messages,
				cursor:
					ids.length > MAX_TIED_IDS
						? { key: cursor.key, at: nextMillisecond(at), ids: [] }
						: { key: cursor.key, at, ids },
			};
		},
	};
}
