import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { INBOX_PAGE_SIZE, INBOX_PATHS } from '../transport/inbox';
import { businessUnitIds, pageThroughLists, read, requesterFor } from './lists';

/**
 * Conversations: the inbox (view all, §15) of every business unit the caller is in, one unit
 * after another; a search goes to §15's search in each unit (any status). The value is the
 * `conv_` ID every operation takes.
 */
export async function searchConversations(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const requester = await requesterFor(this);
	const units = (await businessUnitIds(requester)).map((unit) => String(unit.id));
	const search = filter?.trim();
	const seen = new Set<string>();
	return await pageThroughLists(
		units,
		paginationToken,
		async (unit, skip) =>
			search
				? await read(requester, INBOX_PATHS.inboxSearch, {
						business_unit_id: unit,
						type: 'text',
						q: search,
						skip,
						limit: INBOX_PAGE_SIZE,
					})
				: await read(requester, INBOX_PATHS.inbox, {
						type: 'business_unit_id',
						q: unit,
						view: 'all',
						skip,
						limit: INBOX_PAGE_SIZE,
					}),
		(rows) =>
			rows
				// One entry per conversation, though several of the caller's teams may hold it.
				.filter((row: IDataObject) => {
					const id = String(row.conversation_id ?? '');
					if (!id || seen.has(id)) return false;
					seen.add(id);
					return true;
				})
				.map((row) => ({
					name: `${String(row.name ?? row.conversation_id)} (${String(row.channel_type ?? '')}, ${String(row.status ?? '')})`,
					value: String(row.conversation_id),
				})),
	);
}
