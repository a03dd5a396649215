/**
 * The sandbox's HTTP server: request reading, faults, recording, the /__sandbox control
 * endpoints and the in-process hooks. The Conversations API itself lives in api.ts.
 */
import { STATUS_CODES, createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import {
	ConversationsApi,
	JSON_CONTENT_TYPE,
	MEILI_GENERATIONS,
	ROUTE_MODES,
	jsonResponse,
	summariseMultipart,
} from './api';
import type { ApiRequest, ApiResponse, SandboxMode } from './api';
import {
	BOT_USER_ID,
	CONVERSATION_STATUSES,
	MESSAGE_TYPES,
	MonotonicClock,
	conversationToApi,
	createSeedStore,
	messageToApi,
} from './data';
import type { SandboxIds, SandboxStore, SandboxTokens, StoredMessage } from './data';
import { multipartBoundary, parseMultipart } from './multipart';

export interface SandboxOptions {
	/** 0 or absent: a free port. */
	port?: number;
	/** Default 127.0.0.1. */
	host?: string;
	/** The route families served: default 'both' (the CLI's default is 'current'). */
	routes?: SandboxMode['routes'];
	/** The Meilisearch generation of search and fetch: default '1.15'. */
	meili?: SandboxMode['meili'];
}

export interface RecordedRequest {
	method: string;
	/** Without the query string, as sent. */
	path: string;
	query: Record<string, string>;
	/** Lower-cased names; repeated headers joined with ", ". */
	headers: Record<string, string>;
	/**
	 * Parsed JSON; for multipart: { fields, files: [{ field, filename, contentType, size, sha256 }] };
	 * the raw text when not JSON; undefined when empty.
	 */
	body: unknown;
	/** The status the sandbox answered; 0 for a dropped connection. */
	status: number;
}

export type Fault = {
	match?: {
		method?: string;
		/** Exact, or a prefix ending in '*'. */
		path?: string;
		/** Query parameters the request must carry with exactly these values. */
		query?: Record<string, string>;
	};
	/** How many matching requests it applies to; default 1. */
	times?: number;
} & (
	| { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
	| { kind: 'html'; status: 502 | 503 }
	| { kind: 'rateLimit'; retryAfter: number }
	| { kind: 'delay'; ms: number }
	| { kind: 'drop' }
	| { kind: 'malformedJson' }
);

export interface AddMessagesInput {
	conversationId: string;
	/** Default 1, or messages.length (which wins when both are given). */
	count?: number;
	/** ISO time; all added messages share it exactly. Default: now, strictly increasing. */
	at?: string;
	/** Default: the conversation's contact. */
	from?: string;
	type?: 'text' | 'image' | 'file' | 'pdf' | 'quick_reply';
	/** Default "Message <n>", n counting from 1 within this call. */
	text?: string;
	messages?: Array<{
		from?: string;
		type?: string;
		content?: Record<string, unknown>;
		at?: string;
	}>;
}

export interface AddConversationInput {
	/** Default: a new web contact in `channelId` (default ids.channelId). */
	contactId?: string;
	/** Default: the contact's channel. */
	channelId?: string;
	/** How many text messages from the contact to add now; default 0. */
	messages?: number;
	/** active (default), pending, closed or spam. */
	status?: string;
	/** Default null (no team). */
	teamId?: string | null;
	/** An agent user id to assign (also added to `users`); default none. */
	assigneeId?: string | null;
}

export interface Sandbox {
	url: string;
	port: number;
	tokens: SandboxTokens;
	ids: SandboxIds;
	addMessages(input: AddMessagesInput): StoredMessage[];
	addConversation(input?: AddConversationInput): string;
	requests(): RecordedRequest[];
	clearRequests(): void;
	injectFault(fault: Fault): void;
	clearFaults(): void;
	onRequest(listener: (request: RecordedRequest) => void): () => void;
	/** The mode in force. */
	mode(): SandboxMode;
	/** Changes the route families and/or the index generation at once; answers the mode now in force. */
	setMode(mode: Partial<SandboxMode>): SandboxMode;
	/** Back to the seed, and to the mode the sandbox was started with. */
	reset(): void;
	close(): Promise<void>;
}

/** Bodies above this are not kept; the request is answered 413. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;
/** The request log keeps the latest this many (the oldest go first), so long runs stay small. */
const MAX_RECORDED_REQUESTS = 50_000;
const MAX_ADDED_MESSAGES = 10_000;

const DEFAULT_FAULT_BODIES: Record<number, unknown> = {
	400: { code: 40000, message: 'Invalid request parameters' },
	401: { message: 'Unauthorized - Invalid token' },
	403: { message: 'Forbidden' },
	404: { message: 'Not Found' },
	429: { message: 'Too many requests. Please try again later.' },
	500: { message: 'Internal Server Error' },
};

/** A hook was called with input it cannot use. */
export class SandboxInputError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'SandboxInputError';
	}
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
	const flat: Record<string, string> = {};
	for (const [name, value] of Object.entries(headers)) {
		if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
	}
	return flat;
}

function parseTarget(target: string): { path: string; query: Record<string, string> } {
	const mark = target.indexOf('?');
	if (mark < 0) return { path: target, query: {} };
	const query: Record<string, string> = {};
	// The first of repeated parameters wins.
	for (const [key, value] of new URLSearchParams(target.slice(mark + 1))) {
		if (!(key in query)) query[key] = value;
	}
	return { path: target.slice(0, mark), query };
}

function recordedBody(body: Buffer, contentType: string | undefined): unknown {
	if (body.length === 0) return undefined;
	const boundary = multipartBoundary(contentType);
	if (boundary) {
		const parts = parseMultipart(body, boundary);
		if (parts) return summariseMultipart(parts);
	}
	const text = body.toString('utf8');
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return text;
	}
}

function htmlErrorPage(status: number): string {
	const title = `${status} ${STATUS_CODES[status] ?? 'Error'}`;
	return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}

function faultMatches(
	fault: Fault,
	method: string,
	path: string,
	query: Record<string, string>,
): boolean {
	const match = fault.match;
	if (!match) return true;
	if (match.method !== undefined && match.method.toUpperCase() !== method) return false;
	if (match.query && Object.entries(match.query).some(([name, value]) => query[name] !== value)) {
		return false;
	}
	if (match.path === undefined) return true;
	return match.path.endsWith('*') ? path.startsWith(match.path.slice(0, -1)) : path === match.path;
}

/** Checks a fault's shape (it may come over HTTP as plain JSON). */
function validateFault(fault: unknown): Fault {
	if (!isRecord(fault)) throw new SandboxInputError('A fault must be an object');
	const { match, times, kind } = fault;
	if (match !== undefined) {
		if (!isRecord(match)) throw new SandboxInputError('fault.match must be an object');
		if (match.method !== undefined && typeof match.method !== 'string') {
			throw new SandboxInputError('fault.match.method must be a string');
		}
		if (match.path !== undefined && typeof match.path !== 'string') {
			throw new SandboxInputError('fault.match.path must be a string');
		}
		if (
			match.query !== undefined &&
			!(isRecord(match.query) && Object.values(match.query).every((v) => typeof v === 'string'))
		) {
			throw new SandboxInputError('fault.match.query must map names to strings');
		}
	}
	if (
		times !== undefined &&
		!(typeof times === 'number' && times >= 1 && (Number.isInteger(times) || times === Infinity))
	) {
		throw new SandboxInputError('fault.times must be a positive integer');
	}
	const positiveNumber = (value: unknown) =>
		typeof value === 'number' && value >= 0 && Number.isFinite(value);
	switch (kind) {
		case 'status':
			if (
				!(
					Number.isInteger(fault.status) &&
					Number(fault.status) >= 200 &&
					Number(fault.status) <= 599
				)
			) {
				throw new SandboxInputError('fault.status must be an HTTP status from 200 to 599');
			}
			if (
				fault.headers !== undefined &&
				!(
					isRecord(fault.headers) &&
					Object.values(fault.headers).every((value) => typeof value === 'string')
				)
			) {
				throw new SandboxInputError('fault.headers must map names to strings');
			}
			break;
		case 'html':
			if (fault.status !== 502 && fault.status !== 503) {
				throw new SandboxInputError('fault.status must be 502 or 503 for an html fault');
			}
			break;
		case 'rateLimit':
			if (!positiveNumber(fault.retryAfter))
				throw new SandboxInputError('fault.retryAfter must be a number of seconds');
			break;
		case 'delay':
			if (!positiveNumber(fault.ms))
				throw new SandboxInputError('fault.ms must be a number of milliseconds');
			break;
		case 'drop':
		case 'malformedJson':
			break;
		default:
			throw new SandboxInputError(
				'fault.kind must be one of status, html, rateLimit, delay, drop, malformedJson',
			);
	}
	return fault as Fault;
}

/** Checks a mode change (it may come over HTTP as plain JSON). */
function validateMode(mode: unknown): Partial<SandboxMode> {
	if (!isRecord(mode)) throw new SandboxInputError('The mode must be an object');
	for (const key of Object.keys(mode)) {
		if (key !== 'routes' && key !== 'meili') {
			throw new SandboxInputError(`Unknown mode setting ${key}: use routes and meili`);
		}
	}
	if (mode.routes !== undefined && !(ROUTE_MODES as readonly unknown[]).includes(mode.routes)) {
		throw new SandboxInputError(`routes must be one of ${ROUTE_MODES.join(', ')}`);
	}
	if (mode.meili !== undefined && !(MEILI_GENERATIONS as readonly unknown[]).includes(mode.meili)) {
		throw new SandboxInputError(`meili must be one of ${MEILI_GENERATIONS.join(', ')}`);
	}
	return mode as Partial<SandboxMode>;
}

function parseTime(value: unknown, name: string): number {
	const ms = typeof value === 'string' ? Date.parse(value) : NaN;
	if (Number.isNaN(ms)) throw new SandboxInputError(`${name} must be an ISO 8601 time`);
	return ms;
}

/** Content of a message added by a hook without explicit content. */
function defaultContent(
	type: string,
	text: string | undefined,
	n: number,
): Record<string, unknown> {
	switch (type) {
		case 'text':
			return { text: text ?? `Message ${n}`, is_mail: false };
		case 'image':
			return { url: `https://files.imbrace.test/sandbox/image-${n}.png`, caption: text ?? '' };
		case 'file':
			return { url: `https://files.imbrace.test/sandbox/file-${n}.zip`, caption: text ?? '' };
		case 'pdf':
			return { url: `https://files.imbrace.test/sandbox/document-${n}.pdf`, caption: text ?? '' };
		case 'quick_reply':
			return { title: text ?? `Option ${n}`, payload: `option_${n}`, description: '' };
		default:
			return {};
	}
}

interface RecordedEntry {
	arrival: number;
	request: RecordedRequest;
}

interface Listener {
	call: (request: RecordedRequest) => void;
}

class SandboxServer {
	private store: SandboxStore = createSeedStore();
	private readonly clock = new MonotonicClock();
	private readonly api: ConversationsApi;
	private readonly server: Server;
	private faults: Array<{ fault: Fault; remaining: number }> = [];
	private recorded: RecordedEntry[] = [];
	private listeners: Listener[] = [];
	private readonly timers = new Set<NodeJS.Timeout>();
	private arrivals = 0;
	/** Bumped by reset: requests in flight across a reset are not recorded. */
	private generation = 0;
	url = '';
	port = 0;

	/** `startMode`: what reset() goes back to. */
	constructor(private readonly startMode: SandboxMode) {
		this.api = new ConversationsApi(this.store, this.clock, () => this.url, { ...startMode });
		this.server = createServer((request, response) => this.receive(request, response));
	}

	async listen(port: number, host: string): Promise<void> {
		await new Promise<void>((resolve, reject) => {
			this.server.once('error', reject);
			this.server.listen(port, host, () => {
				this.server.off('error', reject);
				resolve();
			});
		});
		const address = this.server.address() as AddressInfo;
		this.port = address.port;
		const shownHost =
			host === '0.0.0.0'
				? '127.0.0.1'
				: host === '::'
					? '[::1]'
					: host.includes(':')
						? `[${host}]`
						: host;
		this.url = `http://${shownHost}:${this.port}`;
	}

	async close(): Promise<void> {
		for (const timer of this.timers) clearTimeout(timer);
		this.timers.clear();
		await new Promise<void>((resolve) => {
			this.server.close(() => resolve());
			// Keep-alive clients would otherwise hold close() open.
			this.server.closeAllConnections();
		});
	}

	// --- hooks ------------------------------------------------------------------------------------

	get tokens(): SandboxTokens {
		return structuredClone(this.store.tokenSet);
	}

	get ids(): SandboxIds {
		return structuredClone(this.store.ids);
	}

	addMessages(input: AddMessagesInput): StoredMessage[] {
		if (typeof input !== 'object' || input === null) {
			throw new SandboxInputError('addMessages needs an object');
		}
		const conversation =
			typeof input.conversationId === 'string'
				? this.store.conversations.get(input.conversationId)
				: undefined;
		if (!conversation)
			throw new SandboxInputError(`Unknown conversation ${String(input.conversationId)}`);
		const { count, at, from, type, text, messages } = input;
		if (messages !== undefined && !(Array.isArray(messages) && messages.every(isRecord))) {
			throw new SandboxInputError('messages must be an array of objects');
		}
		if (
			count !== undefined &&
			!(Number.isInteger(count) && count >= 0 && count <= MAX_ADDED_MESSAGES)
		) {
			throw new SandboxInputError(`count must be an integer from 0 to ${MAX_ADDED_MESSAGES}`);
		}
		if (from !== undefined && typeof from !== 'string')
			throw new SandboxInputError('from must be a string');
		if (text !== undefined && typeof text !== 'string')
			throw new SandboxInputError('text must be a string');
		if (type !== undefined && !(MESSAGE_TYPES as readonly string[]).includes(type)) {
			throw new SandboxInputError(`type must be one of ${MESSAGE_TYPES.join(', ')}`);
		}
		const sharedMs = at === undefined ? undefined : parseTime(at, 'at');
		type Draft = NonNullable<AddMessagesInput['messages']>[number];
		const drafts = messages ?? Array.from({ length: count ?? 1 }, (): Draft => ({}));
		// Validate everything before storing anything: a failed call adds nothing.
		const prepared = drafts.map((draft, index) => {
			if (draft.from !== undefined && typeof draft.from !== 'string') {
				throw new SandboxInputError(`messages[${index}].from must be a string`);
			}
			if (draft.type !== undefined && typeof draft.type !== 'string') {
				throw new SandboxInputError(`messages[${index}].type must be a string`);
			}
			if (draft.content !== undefined && !isRecord(draft.content)) {
				throw new SandboxInputError(`messages[${index}].content must be an object`);
			}
			const messageType = draft.type ?? type ?? 'text';
			return {
				from: draft.from ?? from ?? conversation.contactId,
				type: messageType,
				content: draft.content
					? (structuredClone(draft.content) as Record<string, unknown>)
					: defaultContent(messageType, text, index + 1),
				ms: draft.at !== undefined ? parseTime(draft.at, `messages[${index}].at`) : sharedMs,
			};
		});
		return prepared.map((draft) => {
			// A message stamped later than the clock moves it on: "now" stays the newest.
			if (draft.ms !== undefined) this.clock.observe(draft.ms);
			return messageToApi(
				this.store.addMessage(conversation, { ...draft, ms: draft.ms ?? this.clock.now() }),
			);
		});
	}

	addConversation(input: AddConversationInput = {}): string {
		if (typeof input !== 'object' || input === null) {
			throw new SandboxInputError('addConversation needs an object');
		}
		const { store } = this;
		const {
			contactId,
			channelId,
			messages,
			status = 'active',
			teamId = null,
			assigneeId = null,
		} = input;
		if (
			contactId !== undefined &&
			!(typeof contactId === 'string' && store.contacts.has(contactId))
		) {
			throw new SandboxInputError(`Unknown contact ${String(contactId)}`);
		}
		if (
			channelId !== undefined &&
			!(typeof channelId === 'string' && store.channels.has(channelId))
		) {
			throw new SandboxInputError(`Unknown channel ${String(channelId)}`);
		}
		if (!(CONVERSATION_STATUSES as readonly string[]).includes(status)) {
			throw new SandboxInputError(`status must be one of ${CONVERSATION_STATUSES.join(', ')}`);
		}
		if (
			messages !== undefined &&
			!(Number.isInteger(messages) && messages >= 0 && messages <= MAX_ADDED_MESSAGES)
		) {
			throw new SandboxInputError(`messages must be an integer from 0 to ${MAX_ADDED_MESSAGES}`);
		}
		const existingContact = contactId === undefined ? undefined : store.requireContact(contactId);
		const channel = store.requireChannel(
			channelId ?? existingContact?.channelId ?? store.ids.channelId,
		);
		if (existingContact && existingContact.organizationId !== channel.organizationId) {
			throw new SandboxInputError('The contact and the channel belong to different organisations');
		}
		if (teamId !== null && store.teams.get(teamId)?.organizationId !== channel.organizationId) {
			throw new SandboxInputError(`Unknown team ${String(teamId)} in ${channel.organizationId}`);
		}
		if (
			assigneeId !== null &&
			store.users.get(assigneeId)?.organizationId !== channel.organizationId
		) {
			throw new SandboxInputError(
				`Unknown agent ${String(assigneeId)} in ${channel.organizationId}`,
			);
		}
		const contact = existingContact ?? store.addContact(channel);
		const conversation = store.addConversation({
			contactId: contact.id,
			channelId: channel.id,
			status,
			teamId,
			assigneeId,
			userIds: assigneeId ? [BOT_USER_ID, assigneeId] : undefined,
			timestampMs: this.clock.now(),
		});
		if (messages) this.addMessages({ conversationId: conversation.id, count: messages });
		return conversation.id;
	}

	requests(): RecordedRequest[] {
		return this.recorded.map((entry) => structuredClone(entry.request));
	}

	clearRequests(): void {
		this.recorded = [];
	}

	injectFault(fault: Fault): void {
		const valid = validateFault(fault);
		this.faults.push({ fault: structuredClone(valid), remaining: valid.times ?? 1 });
	}

	clearFaults(): void {
		this.faults = [];
	}

	onRequest(listener: (request: RecordedRequest) => void): () => void {
		const entry: Listener = { call: listener };
		this.listeners.push(entry);
		return () => {
			this.listeners = this.listeners.filter((candidate) => candidate !== entry);
		};
	}

	mode(): SandboxMode {
		return { ...this.api.mode };
	}

	setMode(mode: Partial<SandboxMode>): SandboxMode {
		const change = validateMode(mode);
		this.api.mode = { ...this.api.mode, ...change };
		return this.mode();
	}

	reset(): void {
		this.store = createSeedStore();
		this.api.store = this.store;
		this.api.mode = { ...this.startMode };
		this.api.restartRequestIds();
		this.recorded = [];
		this.faults = [];
		this.listeners = [];
		this.generation++;
	}

	info() {
		return { url: this.url, mode: this.mode(), tokens: this.tokens, ids: this.ids };
	}

	// --- requests ---------------------------------------------------------------------------------

	private receive(request: IncomingMessage, response: ServerResponse): void {
		const arrival = ++this.arrivals;
		const generation = this.generation;
		const chunks: Buffer[] = [];
		let size = 0;
		request.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size <= MAX_BODY_BYTES) chunks.push(chunk);
		});
		request.on('end', () => {
			const body = size <= MAX_BODY_BYTES ? Buffer.concat(chunks) : undefined;
			this.dispatch(request, response, body, arrival, generation);
		});
		request.on('error', () => response.destroy());
		// Writing to a client that went away must not crash the server.
		response.on('error', () => undefined);
	}

	private dispatch(
		incoming: IncomingMessage,
		response: ServerResponse,
		body: Buffer | undefined,
		arrival: number,
		generation: number,
	): void {
		const method = incoming.method ?? 'GET';
		const { path, query } = parseTarget(incoming.url ?? '/');
		if (path === '/__sandbox' || path.startsWith('/__sandbox/')) {
			this.send(response, this.control(method, path, body ?? Buffer.alloc(0)));
			return;
		}
		const headers = flattenHeaders(incoming.headers);
		const apiRequest: ApiRequest = { method, path, query, headers, body: body ?? Buffer.alloc(0) };
		const recorded: RecordedRequest = {
			method,
			path,
			query,
			headers,
			body: body === undefined ? undefined : recordedBody(body, headers['content-type']),
			status: 0,
		};
		const answer = (result: ApiResponse) => {
			this.send(response, result);
			this.record(recorded, result.status, arrival, generation);
		};
		if (body === undefined) {
			answer(jsonResponse(413, { message: 'Payload Too Large' }));
			return;
		}
		const fault = this.takeFault(method, path, query);
		switch (fault?.kind) {
			case undefined:
				answer(this.handleSafely(apiRequest));
				return;
			case 'status': {
				const faultBody =
					fault.body === undefined ? this.defaultFaultBody(fault.status) : fault.body;
				answer({
					status: fault.status,
					contentType:
						typeof faultBody === 'string' ? 'text/plain; charset=utf-8' : JSON_CONTENT_TYPE,
					body: typeof faultBody === 'string' ? faultBody : JSON.stringify(faultBody),
					headers: fault.headers,
				});
				return;
			}
			case 'html':
				answer({
					status: fault.status,
					contentType: 'text/html; charset=utf-8',
					body: htmlErrorPage(fault.status),
				});
				return;
			case 'rateLimit':
				answer({
					...jsonResponse(429, { message: 'Too many requests. Please try again later.' }),
					headers: { 'retry-after': String(fault.retryAfter) },
				});
				return;
			case 'delay': {
				const timer = setTimeout(() => {
					this.timers.delete(timer);
					answer(this.handleSafely(apiRequest));
				}, fault.ms);
				this.timers.add(timer);
				return;
			}
			case 'drop':
				incoming.socket.destroy();
				this.record(recorded, 0, arrival, generation);
				return;
			case 'malformedJson': {
				// The request is handled (and its effects kept); only the answer is cut short.
				const full = this.handleSafely(apiRequest).body.toString();
				answer({
					status: 200,
					contentType: JSON_CONTENT_TYPE,
					body: full.slice(0, Math.max(1, Math.floor(full.length / 2))),
				});
				return;
			}
		}
	}

	/** A bug in a handler answers 500 (and shows in the test) instead of ending the process. */
	private handleSafely(request: ApiRequest): ApiResponse {
		try {
			return this.api.handle(request);
		} catch (error) {
			return jsonResponse(500, { message: 'Internal Server Error', sandboxError: String(error) });
		}
	}

	private defaultFaultBody(status: number): unknown {
		return DEFAULT_FAULT_BODIES[status] ?? { message: STATUS_CODES[status] ?? 'Error' };
	}

	private takeFault(
		method: string,
		path: string,
		query: Record<string, string>,
	): Fault | undefined {
		const entry = this.faults.find((candidate) =>
			faultMatches(candidate.fault, method, path, query),
		);
		if (!entry) return undefined;
		entry.remaining--;
		if (entry.remaining <= 0) this.faults = this.faults.filter((candidate) => candidate !== entry);
		return entry.fault;
	}

	private send(response: ServerResponse, result: ApiResponse): void {
		const headers: Record<string, string> = {
			'content-type': result.contentType,
			'content-length': String(Buffer.byteLength(result.body)),
			...result.headers,
		};
		response.writeHead(result.status, headers);
		response.end(result.body);
	}

	/** Keeps arrival order even when a delayed request finishes after later ones. */
	private record(
		request: RecordedRequest,
		status: number,
		arrival: number,
		generation: number,
	): void {
		if (generation !== this.generation) return;
		request.status = status;
		const entry = { arrival, request };
		const log = this.recorded;
		let index = log.length;
		while (index > 0 && log[index - 1].arrival > arrival) index--;
		log.splice(index, 0, entry);
		// Trimmed in batches: one splice per request on a full log would cost O(n) each time.
		if (log.length > MAX_RECORDED_REQUESTS * 1.1) log.splice(0, log.length - MAX_RECORDED_REQUESTS);
		for (const listener of this.listeners) {
			try {
				listener.call(structuredClone(request));
			} catch {
				// A failing test listener must not take the server down; the test sees its own failure.
			}
		}
	}

	// --- /__sandbox -------------------------------------------------------------------------------

	private control(method: string, path: string, body: Buffer): ApiResponse {
		const noContent: ApiResponse = { status: 204, contentType: JSON_CONTENT_TYPE, body: '' };
		try {
			switch (`${method} ${path}`) {
				case 'GET /__sandbox/info':
					return jsonResponse(200, this.info());
				case 'POST /__sandbox/messages':
					return jsonResponse(
						200,
						this.addMessages(this.controlBody(body) as unknown as AddMessagesInput),
					);
				case 'POST /__sandbox/conversations': {
					const id = this.addConversation(this.controlBody(body) as AddConversationInput);
					const conversation = this.store.conversations.get(id);
					return jsonResponse(
						200,
						conversation ? conversationToApi(this.store, conversation) : { id },
					);
				}
				case 'GET /__sandbox/requests':
					return jsonResponse(200, this.requests());
				case 'DELETE /__sandbox/requests':
					this.clearRequests();
					return noContent;
				case 'POST /__sandbox/faults': {
					const parsed = this.parseControlJson(body);
					// Check every fault first, so a bad list injects none.
					const faults = (Array.isArray(parsed) ? parsed : [parsed]).map(validateFault);
					for (const fault of faults) this.injectFault(fault);
					return noContent;
				}
				case 'DELETE /__sandbox/faults':
					this.clearFaults();
					return noContent;
				case 'POST /__sandbox/reset':
					this.reset();
					return noContent;
				case 'GET /__sandbox/mode':
					return jsonResponse(200, this.mode());
				case 'POST /__sandbox/mode':
					return jsonResponse(200, this.setMode(validateMode(this.parseControlJson(body))));
				default:
					return jsonResponse(404, { message: 'Not Found' });
			}
		} catch (error) {
			if (error instanceof SandboxInputError) return jsonResponse(400, { message: error.message });
			return jsonResponse(500, { message: 'Internal Server Error', sandboxError: String(error) });
		}
	}

	private parseControlJson(body: Buffer): unknown {
		if (body.length === 0) return {};
		try {
			return JSON.parse(body.toString('utf8')) as unknown;
		} catch {
			throw new SandboxInputError('The body is not valid JSON');
		}
	}

	private controlBody(body: Buffer): Record<string, unknown> {
		const parsed = this.parseControlJson(body);
		if (!isRecord(parsed)) throw new SandboxInputError('The body must be a JSON object');
		return parsed;
	}
}

/** Starts a sandbox on a free port (or options.port) of 127.0.0.1 (or options.host). */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
	const server = new SandboxServer(
		validateMode({
			routes: options.routes ?? 'both',
			meili: options.meili ?? '1.15',
		}) as SandboxMode,
	);
	await server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
	return {
		url: server.url,
		port: server.port,
		tokens: server.tokens,
		ids: server.ids,
		addMessages: (input) => server.addMessages(input),
		addConversation: (input) => server.addConversation(input),
		requests: () => server.requests(),
		clearRequests: () => server.clearRequests(),
		injectFault: (fault) => server.injectFault(fault),
		clearFaults: () => server.clearFaults(),
		onRequest: (listener) => server.onRequest(listener),
		mode: () => server.mode(),
		setMode: (mode) => server.setMode(mode),
		reset: () => server.reset(),
		close: () => server.close(),
	};
}
