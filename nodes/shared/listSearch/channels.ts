import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { INBOX_PATHS } from '../transport/inbox';
import { rowsOf } from '../transport/inbox';
import { matchesFilter, read, requesterFor } from './lists';

/**
 * The organization's channels (§13), in one answer (iMBRACE does not page them); inactive and
 * deleted ones are left out, names matched here.
 */
export async function searchChannels(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	const requester = await requesterFor(this);
	const channels = rowsOf((await read(requester, INBOX_PATHS.channels)).data);
	return {
		results: channels
			.filter((channel) => channel.active !== false && channel.is_deleted !== true)
			.filter((channel) => matchesFilter(filter, channel.name, channel.type, channel._id))
			.map((channel) => ({
				name: `${String(channel.name ?? channel._id)} (${String(channel.type ?? 'channel')})`,
				value: String(channel._id ?? channel.id),
			})),
	};
}
