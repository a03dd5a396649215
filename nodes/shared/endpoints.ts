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

/** A Meilisearch answer under `message`: its rows, and the total that says whether more follow. */
function indexEndpoint(rowsKey: string, totalKey: string): ListEndpoint {
	return {
		maxPageSize: 1000,
		setPage(options, offset, size) {
			options.body = { ...(options.body as IDataObject), limit: size, offset };
		},
		readPage(body, offset) {
			const answer = envelopeOf(body);
			const rows = rowsOf(answer[rowsKey]);
			return { rows, more: offset + rows.length < Number(answer[totalKey] ?? 0) };
		},
	};
}

/** §7: hits, with an estimated total. */
export const messageSearch = indexEndpoint('hits', 'estimatedTotalHits');

/** §8: documents, newest first, with the total. */
export const messageFetch = indexEndpoint('results', 'total');

export function organizationPath(organizationId: string, action: 'search' | 'fetch'): string {
	return `/v1/backend/meilisearch/${encodeURIComponent(organizationId)}/${action}`;
}
