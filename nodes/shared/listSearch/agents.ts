import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { INBOX_PAGE_SIZE, INBOX_PATHS } from '../transport/inbox';
import { currentId, pageThroughLists, read, requesterFor } from './lists';

/**
 * Active agents (§12), of the operation's team where one is set; iMBRACE searches their names
 * and emails. Bots are left out: a conversation is assigned to people.
 */
export async function searchAgents(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const requester = await requesterFor(this);
	const team = currentId(this, 'teamId', 't_');
	const search = filter?.trim();
	return await pageThroughLists(
		[INBOX_PATHS.users],
		paginationToken,
		async (url, skip) =>
			await read(requester, url, {
				status: 'active',
				...(search ? { search } : {}),
				...(team ? { team_ids: team } : {}),
				skip,
				limit: INBOX_PAGE_SIZE,
			}),
		(rows) =>
			rows
				.filter((user) => user.is_bot !== true)
				.map((user) => ({
					name: user.email
						? `${String(user.display_name ?? user.id)} (${String(user.email)})`
						: String(user.display_name ?? user.id),
					value: String(user.id),
				})),
	);
}
