import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { INBOX_PAGE_SIZE, INBOX_PATHS } from '../transport/inbox';
import { pageThroughLists, read, requesterFor } from './lists';

/** Contacts (§14), newest first; a search goes to iMBRACE's (name, email or phone number). */
export async function searchContacts(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const requester = await requesterFor(this);
	const search = filter?.trim();
	return await pageThroughLists(
		[search ? INBOX_PATHS.contactSearch : INBOX_PATHS.contacts],
		paginationToken,
		async (url, skip) =>
			await read(
				requester,
				url,
				search
					? { type: 'text', q: search, skip, limit: INBOX_PAGE_SIZE }
					: { sort: '-created_at', skip, limit: INBOX_PAGE_SIZE },
			),
		(rows) =>
			rows.map((contact) => {
				const detail = contact.phone_number || contact.email;
				return {
					name: `${String(contact.display_name ?? contact.id)}${detail ? ` (${String(detail)})` : ''}`,
					value: String(contact.id),
				};
			}),
	);
}
