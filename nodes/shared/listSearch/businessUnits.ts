import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { INBOX_PAGE_SIZE, INBOX_PATHS } from '../transport/inbox';
import { matchesFilter, pageThroughLists, read, requesterFor } from './lists';

/** The business units the caller is in (§10). iMBRACE has no search for them: names are matched here. */
export async function searchBusinessUnits(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const requester = await requesterFor(this);
	return await pageThroughLists(
		[INBOX_PATHS.businessUnits],
		paginationToken,
		async (url, skip) => await read(requester, url, { skip, limit: INBOX_PAGE_SIZE }),
		(rows) =>
			rows
				.filter((unit) => matchesFilter(filter, unit.name, unit.id))
				.map((unit) => ({ name: String(unit.name ?? unit.id), value: String(unit.id) })),
	);
}
