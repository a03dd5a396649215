import type { IDataObject, IHttpRequestOptions } from 'n8n-workflow';

import { isJsonObject } from './errors';

/**
 * The inbox endpoints (inbox contract §9–§21). They have one path each, under `/platform/v1/…`
 * and `/channel-service/…`, whatever the credential's Routes: the credential passes them as they
 * are (routes.ts knows only the paths of §1–§8).
 */
export const INBOX_PATHS = {
	me: '/platform/v1/users/_me',
	businessUnits: '/platform/v1/business_units',
	teams: '/platform/v1/teams',
	users: '/platform/v1/users',
	channels: '/channel-service/v1/channels',
	contacts: '/channel-service/v1/contacts',
	contactSearch: '/channel-service/v1/contacts/_search',
	inbox: '/channel-service/v2/team_conversations',
	inboxSearch: '/channel-service/v1/team_conversations/_search',
	teamConversations: '/channel-service/v1/team_conversations',
	updateStatus: '/channel-service/v1/team_conversations/_update_status',
	assign: '/channel-service/v1/team_conversations/assign_team_member',
	unassign: '/channel-service/v1/team_conversations/remove_team_member',
	messageTemplates: '/channel-service/v1/message_templates',
	whatsappTemplates: '/channel-service/v2/whatsapp_templates',
} as const;

/** The node's names of the inbox views (§15), and the wire's: multi-word views have spaces. */
export const VIEW_VALUES: Record<string, string> = {
	all: 'all',
	yours: 'yours',
	team: 'team',
	repNeeded: 'rep needed',
	pending: 'pending',
	soonToBe: 'soon to be',
	overdue: 'overdue',
	closed: 'closed',
	spam: 'spam',
};

export const CONVERSATION_VIEWS = Object.keys(VIEW_VALUES);

/** The largest page of every inbox list (platform and channel-service alike). */
export const INBOX_PAGE_SIZE = 100;

export function rowsOf(value: unknown): IDataObject[] {
	return Array.isArray(value) ? value.filter(isJsonObject) : [];
}

/** One page of an inbox list and whether another may follow it. */
export interface InboxPage {
	rows: IDataObject[];
	more: boolean;
}

/**
 * Reads a page of a platform or channel-service list. The platform's `has_more` is
 * `count >= skip + limit`, true also when the page ends exactly at the last item: a page that is
 * short, or that reaches `count`, ends the list whatever `has_more` says (one request saved).
 */
export function readInboxPage(body: IDataObject, skip: number, size: number): InboxPage {
	const rows = rowsOf(body.data);
	const count = typeof body.count === 'number' ? body.count : undefined;
	const more =
		body.has_more === true &&
		rows.length >= size &&
		(count === undefined || skip + rows.length < count);
	return { rows, more };
}

/** The request for `size` rows of a list from `skip`. */
export function inboxPageRequest(
	request: IHttpRequestOptions,
	skip: number,
	size: number,
): IHttpRequestOptions {
	return { ...request, qs: { ...(request.qs as IDataObject), skip, limit: size } };
}

/**
 * Reads up to `limit` rows (Infinity: all) of an inbox list in pages of up to 100, leaving out a
 * row seen on an earlier page (lists sorted by activity move while they are read) and rows that
 * `keep` refuses.
 */
export async function readInboxList(
	request: IHttpRequestOptions,
	limit: number,
	call: (request: IHttpRequestOptions) => Promise<IDataObject>,
	keep?: (row: IDataObject) => boolean,
): Promise<IDataObject[]> {
	const rows: IDataObject[] = [];
	const seen = new Set<string>();
	for (let skip = 0; rows.length < limit; ) {
		// Filtered lists ask for full pages: how many rows a page keeps is not known beforehand.
		const size = keep ? INBOX_PAGE_SIZE : Math.min(INBOX_PAGE_SIZE, limit - rows.length);
		const page = readInboxPage(await call(inboxPageRequest(request, skip, size)), skip, size);
		for (const row of page.rows) {
			const id = String(row.id ?? row._id ?? '');
			if ((id && seen.has(id)) || (keep && !keep(row))) continue;
			seen.add(id);
			rows.push(row);
			if (rows.length >= limit) break;
		}
		skip += page.rows.length;
		if (!page.more) break;
	}
	return rows;
}

/** A template's variables are `{{1}}`, `{{2}}`, …: as many as its highest number. */
export function templateVariableCount(text: string): number {
	let highest = 0;
	for (const [, number] of text.matchAll(/\{\{\s*(\d+)\s*\}\}/g)) {
		highest = Math.max(highest, Number(number));
	}
	return highest;
}

/** The template's text with `{{n}}` replaced by `variables[n - 1]`. */
export function fillTemplate(text: string, variables: string[]): string {
	return text.replace(/\{\{\s*(\d+)\s*\}\}/g, (whole, number) => {
		const value = variables[Number(number) - 1];
		return value === undefined ? whole : value;
	});
}
