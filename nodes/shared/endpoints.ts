import type { IDataObject, IHttpRequestOptions } from 'n8n-workflow';

import { isJsonObject } from './errors';

/** How one of iMBRACE's list endpoints pages. */
export interface ListEndpoint {
	/** The largest page the endpoint serves. */
	maxPageSize: number;
	/** Puts the offset and the page size into the request. */
	setPage(options: IHttpRequestOptions, offset: number, size: number): void;
	/** The rows of one answer, and whether more follow them. */
	readPage(body: IDataObject, offset: number): { rows: IDataObject[]; more: boolean };
}

function rowsOf(value: unknown): IDataObject[] {
	return Array.isArray(value) ? value.filter(isJsonObject) : [];
}

function envelopeOf(body: IDataObject): IDataObject {
	return isJsonObject(body.message) ? body.message : {};
}

/** §5: newest first, `skip`/`limit` in the query, `has_more` in the answer. */
export const conversationMessages: ListEndpoint = {
	maxPageSize: 100,
	setPage(options, offset, size) {
		options.qs = { ...options.qs, limit: size, skip: offset };
	},
	readPage(body) {
		return { rows: rowsOf(body.data), more: body.has_more === true };
	},
};

function setBodyPage(options: IHttpRequestOptions, offset: number, size: number) {
	options.body = { ...(options.body as IDataObject), limit: size, offset };
}

/** §7: Meilisearch hits under `message`, with an estimated total. */
export const messageSearch: ListEndpoint = {
	maxPageSize: 1000,
	setPage: setBodyPage,
	readPage(body, offset) {
		const answer = envelopeOf(body);
		const rows = rowsOf(answer.hits);
		return { rows, more: offset + rows.length < Number(answer.estimatedTotalHits ?? 0) };
	},
};

/** §8: Meilisearch documents under `message`, newest first, with the total. */
export const messageFetch: ListEndpoint = {
	maxPageSize: 1000,
	setPage: setBodyPage,
	readPage(body, offset) {
		const answer = envelopeOf(body);
		const rows = rowsOf(answer.results);
		return { rows, more: offset + rows.length < Number(answer.total ?? 0) };
	},
};

export function organizationPath(organizationId: string, action: 'search' | 'fetch'): string {
	return `/v1/backend/meilisearch/${encodeURIComponent(organizationId)}/${action}`;
}
