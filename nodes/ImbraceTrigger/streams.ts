import type { IDataObject } from 'n8n-workflow';

import {
	conversationMessages,
	messageFetch,
	messageId,
	messageSearch,
} from '../shared/transport/endpoints';
import { endpointPath } from '../shared/transport/routes';
import type { Requester } from '../shared/transport/requester';

/** How far one poll may go before it leaves the rest to the next poll. */
export interface Budget {
	/** Whether another request fits, given how many messages this poll has collected. */
	allowsMore(collected: number): boolean;
}

/**
 * Where a stream stands. A stream is a list that iMBRACE answers newest first with an exact
 * count of its messages, which only grows at its newest end: the messages of one conversation
 * (§5), or the organization's messages that match the filter (§8, which has no 1,000-hit cap and
 * needs no string comparison, so it works on every generation of iMBRACE's message index).
 */
export interface StreamCursor {
	key: string;
	/** How many of the list's messages have been handled (counted from the oldest). */
	position: number;
	/** The newest handled message, which must sit exactly at `position`. */
	lastId: string;
	at: string;
	/** The list's length when last seen: a backlog is read from where it starts. */
	length: number;
}

export interface Stream {
	/** The newest matching messages, newest first (for a manual run). */
	newest(): Promise<IDataObject[]>;
	/** A cursor at the stream's current end: nothing before it will be emitted. */
	start(key: string): Promise<StreamCursor>;
	/** The messages after the cursor, oldest first, and the cursor after them. */
	since(
		cursor: StreamCursor,
		budget: Budget,
	): Promise<{ messages: IDataObject[]; cursor: StreamCursor }>;
}

function createdAt(message: IDataObject): string {
	return String(message.created_at ?? '');
}

/** A stop for a poll that keeps chasing arrivals without reading any. */
const MAX_REQUESTS_PER_POLL = 200;

/** One page of a newest-first list: its messages, and how many the whole list has. */
type Pager = (skip: number, limit: number) => Promise<{ rows: IDataObject[]; count: number }>;

/**
 * New messages are read oldest first by position: with the handled count kept, the oldest unread
 * messages sit just above it, whatever arrives meanwhile, and the handled message found exactly
 * there proves that nothing was skipped.
 */
function positionalStream(
	page: Pager,
	pageSize: number,
	newest: () => Promise<IDataObject[]>,
	select: (messages: IDataObject[]) => Promise<IDataObject[]> = async (messages) => messages,
): Stream {
	/**
	 * The slow way, taken only when positions no longer add up (a message was deleted, or one was
	 * indexed late): reads from the newest message down to the last handled one.
	 */
	async function scanFromNewest(cursor: StreamCursor) {
		const unread: IDataObject[] = [];
		const seen = new Set<string>();
		let first: { rows: IDataObject[]; count: number } | undefined;
		for (let skip = 0; ; skip += pageSize) {
			const answer = await page(skip, pageSize);
			first ??= answer;
			const end = answer.rows.findIndex(
				(row) => messageId(row) === cursor.lastId || createdAt(row) <= cursor.at,
			);
			for (const row of end === -1 ? answer.rows : answer.rows.slice(0, end)) {
				if (!seen.has(messageId(row))) unread.push(row);
				seen.add(messageId(row));
			}
			if (end !== -1 || answer.rows.length < pageSize) break;
		}
		const top = first.rows[0];
		return {
			messages: unread.reverse(),
			cursor: top
				? {
						...cursor,
						position: first.count,
						length: first.count,
						lastId: messageId(top),
						at: createdAt(top),
					}
				: { ...cursor, position: first.count, length: first.count },
		};
	}

	/** Takes the slow way, keeping what this poll has read so far. */
	async function rescue(read: IDataObject[], cursor: StreamCursor) {
		const rescued = await scanFromNewest(cursor);
		return { messages: [...read, ...rescued.messages], cursor: rescued.cursor };
	}

	async function read(start: StreamCursor, budget: Budget) {
		// A cursor whose position is not known (see poll.ts, storedCursor).
		if (start.position < 0) return await scanFromNewest(start);
		const messages: IDataObject[] = [];
		let cursor = start;
		let count = start.length;
		let growth = 0; // how much the list grew between the last two answers
		for (let requests = 0; requests < MAX_REQUESTS_PER_POLL; requests++) {
			// The page that ends with the last handled message (the oldest unread ones), with room
			// for what may arrive before iMBRACE answers.
			const skip = Math.max(0, count - cursor.position - (pageSize - 1) + growth);
			const answer = await page(skip, pageSize);
			if (requests > 0) growth = Math.max(0, Math.min(pageSize - 2, answer.count - count));
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
	}

	return {
		newest,

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

		async since(cursor, budget) {
			const { messages, cursor: next } = await read(cursor, budget);
			return { messages: messages.length ? await select(messages) : [], cursor: next };
		},
	};
}

/** One conversation, through its list of messages (§5). */
export function conversationStream(requester: Requester, conversationId: string): Stream {
	const page: Pager = async (skip, limit) => {
		const body = await requester.call({
			request: {
				method: 'GET',
				url: endpointPath('messages'),
				qs: { conversation_id: conversationId, limit, skip },
			},
			hints: { notFound: 'Conversation ID' },
		});
		return { rows: conversationMessages.readPage(body, skip).rows, count: Number(body.count ?? 0) };
	};
	const pageSize = conversationMessages.maxPageSize;
	return positionalStream(page, pageSize, async () => (await page(0, pageSize)).rows);
}

/** Messages checked against the query at once: their times must fit one filter. */
const QUERY_CHECK_BATCH = 250;

/**
 * An organization, through its index. The filter's messages are followed by position in §8's
 * list; a query is applied to each batch of new messages by a search (§7) narrowed to their
 * exact times, which every generation of the index compares.
 */
export function organizationStream(
	requester: Requester,
	organizationId: string,
	watched: { query: string; filter: string },
): Stream {
	const hints = { notFound: 'Organization ID', invalid: 'Check the Filter of the trigger.' };
	const index = async (action: 'search' | 'fetch', body: IDataObject) =>
		await requester.call({
			request: { method: 'POST', url: endpointPath(action, organizationId), body },
			hints,
		});
	// The documents route needs a filter; every message has a `created_at`.
	const filter = watched.filter || 'created_at EXISTS';
	const page: Pager = async (skip, limit) => {
		const body = await index('fetch', { filter, limit, offset: skip });
		const { rows } = messageFetch.readPage(body, skip);
		return { rows, count: Number((body.message as IDataObject | undefined)?.total ?? 0) };
	};
	const matchingQuery = async (messages: IDataObject[]) => {
		const matching = new Set<string>();
		for (let start = 0; start < messages.length; start += QUERY_CHECK_BATCH) {
			const times = new Set(messages.slice(start, start + QUERY_CHECK_BATCH).map(createdAt));
			const atTimes = `created_at IN [${[...times].map((time) => JSON.stringify(time)).join(', ')}]`;
			const body = await index('search', {
				q: watched.query,
				filter: watched.filter ? `(${watched.filter}) AND ${atTimes}` : atTimes,
				limit: messageSearch.maxPageSize,
				offset: 0,
			});
			for (const hit of messageSearch.readPage(body, 0).rows) matching.add(messageId(hit));
		}
		return messages.filter((message) => matching.has(messageId(message)));
	};
	const newest = async () => {
		const body = await index('search', {
			q: watched.query,
			...(watched.filter ? { filter: watched.filter } : {}),
			sort: ['created_at:desc'],
			limit: 100,
			offset: 0,
		});
		return messageSearch.readPage(body, 0).rows;
	};
	return positionalStream(
		page,
		messageFetch.maxPageSize,
		newest,
		watched.query.trim() ? matchingQuery : undefined,
	);
}
