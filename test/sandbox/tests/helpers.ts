/** Shared pieces of the sandbox's contract tests: a fetch wrapper and the answer shapes. */
import { request } from 'node:http';

import type { StoredMessage } from '../api/data';

export interface Answer<T> {
	status: number;
	headers: Headers;
	text: string;
	/** The parsed body when it is JSON; undefined otherwise. */
	json: T;
}

export interface CallOptions {
	/** Sent as x-access-token. */
	token?: string;
	/** Sent as x-api-key. */
	apiKey?: string;
	/** Sent as JSON. */
	body?: unknown;
	/** Sent verbatim (text or multipart form). */
	rawBody?: string | FormData;
	headers?: Record<string, string>;
}

export async function call<T = unknown>(
	baseUrl: string,
	method: string,
	path: string,
	options: CallOptions = {},
): Promise<Answer<T>> {
	const headers: Record<string, string> = { ...options.headers };
	if (options.token !== undefined) headers['x-access-token'] = options.token;
	if (options.apiKey !== undefined) headers['x-api-key'] = options.apiKey;
	let body: string | FormData | undefined = options.rawBody;
	if (options.body !== undefined) {
		body = JSON.stringify(options.body);
		headers['content-type'] = 'application/json';
	}
	const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
	const text = await response.text();
	let json: unknown;
	if ((response.headers.get('content-type') ?? '').startsWith('application/json') && text !== '') {
		json = JSON.parse(text);
	}
	return { status: response.status, headers: response.headers, text, json: json as T };
}

/**
 * Waits until `condition` holds, checking every few milliseconds: for what the server does on
 * its own time (a socket it sees closing, a request it has taken in). Fails after `timeoutMs`.
 */
export async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
	const deadline = performance.now() + timeoutMs;
	while (!condition()) {
		if (performance.now() > deadline) throw new Error(`Still waiting after ${timeoutMs} ms`);
		await new Promise((resolve) => setTimeout(resolve, 5));
	}
}

/** A multipart form: strings are fields, the others file parts. */
export function multipartForm(
	parts: Record<string, string | { data: Uint8Array; type: string; name: string }>,
): FormData {
	const data = new FormData();
	for (const [name, part] of Object.entries(parts)) {
		if (typeof part === 'string') data.append(name, part);
		else data.append(name, new Blob([part.data], { type: part.type }), part.name);
	}
	return data;
}

/** A request through node:http, which keeps header names exactly as given. */
export function rawGet(
	url: string,
	headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
	return new Promise((resolve, reject) => {
		const outgoing = request(url, { headers }, (response) => {
			const chunks: Buffer[] = [];
			response.on('data', (chunk: Buffer) => chunks.push(chunk));
			response.on('end', () =>
				resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
			);
		});
		outgoing.on('error', reject);
		outgoing.end();
	});
}

export interface ListEnvelope {
	object_name: string;
	data: StoredMessage[];
	nested: Record<string, unknown>;
	has_more: boolean;
	count: number;
	total: number;
}

export interface SearchDocument {
	_id: string;
	doc_name: string;
	public_id: string;
	organization_id: string;
	business_unit_id: string;
	conversation_id: string;
	from: string;
	type: string;
	content: Record<string, unknown>;
	created_at: string;
	updated_at: string;
}

export interface SearchEnvelope {
	success: boolean;
	message: {
		hits: SearchDocument[];
		query: string;
		processingTimeMs: number;
		limit: number;
		offset: number;
		estimatedTotalHits: number;
	};
}

export interface FetchEnvelope {
	success: boolean;
	message: { results: SearchDocument[]; offset: number; limit: number; total: number };
}

export interface ConversationAnswer {
	object_name: string;
	id: string;
	organization_id: string;
	business_unit_id: string;
	channel_id: string;
	channel_type: string;
	contact_id: string;
	status: string;
	name: string;
	timestamp: string;
	users: Array<{ object_name: string; id: string; display_name: string; avatar_url: string }>;
}

export type Counts = Record<string, number>;

export const MESSAGE_KEYS = [
	'object_name',
	'id',
	'organization_id',
	'business_unit_id',
	'conversation_id',
	'from',
	'type',
	'content',
	'created_at',
	'updated_at',
];

export const DOCUMENT_KEYS = [
	'_id',
	'doc_name',
	'public_id',
	'organization_id',
	'business_unit_id',
	'conversation_id',
	'from',
	'type',
	'content',
	'created_at',
	'updated_at',
];

export const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
export const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}';

export function sum(values: Iterable<number>): number {
	let total = 0;
	for (const value of values) total += value;
	return total;
}
