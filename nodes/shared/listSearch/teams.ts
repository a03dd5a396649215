import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { INBOX_PAGE_SIZE, INBOX_PATHS } from '../transport/inbox';
import { businessUnitIds, currentId, pageThroughLists, read, requesterFor } from './lists';

/**
 * Teams (§11) of the operation's business unit where one is set, else of every unit the caller is
 * in, one unit after another; iMBRACE searches their names.
 */
export async function searchTeams(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const requester = await requesterFor(this);
	const chosen = currentId(this, 'businessUnitId', 'bu_');
	const units = chosen
		? [chosen]
		: (await businessUnitIds(requester)).map((unit) => String(unit.id));
	const search = filter?.trim();
	return await pageThroughLists(
		units,
		paginationToken,
		async (unit, skip) =>
			await read(requester, INBOX_PATHS.teams, {
				type: 'business_unit_id',
				q: unit,
				...(search ? { search } : {}),
				skip,
				limit: INBOX_PAGE_SIZE,
			}),
		(rows) => rows.map((team) => ({ name: String(team.name ?? team.id), value: String(team.id) })),
	);
}
