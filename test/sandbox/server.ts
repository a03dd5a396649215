/**
 * The sandbox's HTTP server: request reading, faults, recording, the /__sandbox control
 * endpoints and the in-process hooks. The Conversations API itself lives in api.ts.
 */
import { STATUS_CODES, createServer } from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import {
	ConversationsApi,
	JSON_CONTENT_TYPE,
	MEILI_GENERATIONS,
	ROUTE_MODES,
	jsonResponse,
	summariseMultipart,
} from './api/api';
import type { ApiRequest, ApiResponse, SandboxMode } from './api/api';
import {
	BOT_USER_ID,
	CONVERSATION_STATUSES,
	MESSAGE_TYPES,
	MonotonicClock,
	SEED_NOW_MS,
	conversationToApi,
	createSeedStore,
	messageToApi,
} from './api/data';
import type { SandboxIds, SandboxStore, SandboxTokens, StoredMessage } from './api/data';
import { InboxApi } from './inbox/inbox';
import type { TeamConversationRecord } from './inbox/inbox';
import { createInboxData } from './inbox/inbox-data';
import type { InboxIds } from './inbox/inbox-data';
import { multipartBoundary, parseMultipart } from './api/multipart';
import { JitterDelays, TokenBuckets } from './traffic';
import type { Jitter, RateLimit } from './traffic';

export interface SandboxOptions {
	/** 0 or absent: a free port. */
	port?: number;
	/** Default 127.0.0.1. */
	host?: string;
	/** The route families served: default 'both' (the CLI's default is 'current'). */
	routes?: SandboxMode['routes'];
	/** The Meilisearch generation of search and fetch: default '1.15'. */
	meili?: SandboxMode['meili'];
	/** Whether the inbox's paths (§9–§21) are routed: default true. */
	inbox?: boolean;
	/** Whether free-form sends outside WhatsApp's 24-hour window are refused (§21): default false. */
	whatsappWindow?: boolean;
	/** A random delay before every API request is handled; default none. */
	jitter?: Jitter | null;
	/** A token bucket per token; default none. */
	rateLimit?: RateLimit | null;
	/**
	 * The seed's now (ms since the epoch): the seed moves in time to end just before it. Default
	 * SEED_NOW_MS (2025-06-30T12:00:00.000Z), whose answers tests may pin byte for byte.
	 */
	now?: number;
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
		/** Fields the request's JSON body must carry with exactly these values. */
		body?: Record<string, unknown>;
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
	/** Handles the request (its effects stay), then answers this instead. */
	| { kind: 'writeThenFail'; then: 500 | 502 | 504 | 'drop' | 'stall' }
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
	/** The seed's now: seeded times lie before it, reply ages count from it. */
	seedNowMs: number;
	tokens: SandboxTokens;
	ids: SandboxIds;
	/** The inbox's fixtures (§9–§21). */
	inboxIds: InboxIds;
	addMessages(input: AddMessagesInput): StoredMessage[];
	addConversation(input?: AddConversationInput): string;
	/** Read-back: a conversation's team conversations (§15), in the order they were made. */
	teamConversations(conversationId: string): TeamConversationRecord[];
	/** Read-back: a conversation's stored messages, oldest first (§5's shape). */
	storedMessages(conversationId: string): StoredMessage[];
	requests(): RecordedRequest[];
	clearRequests(): void;
	injectFault(fault: Fault): void;
	clearFaults(): void;
	onRequest(listener: (request: RecordedRequest) => void): () => void;
	/** The mode in force. */
	mode(): SandboxMode;
	/** Changes what it names of the mode at once; answers the mode now in force. */
	setMode(mode: Partial<SandboxMode>): SandboxMode;
	/** null turns it off. */
	setJitter(jitter: Jitter | null): void;
	/** null turns it off. */
	setRateLimit(limit: RateLimit | null): void;
	/** API requests being handled now, and the most at once since the last reset. */
	inFlight(): { now: number; max: number };
	/** `max` back to `now`. */
	resetInFlight(): void;
	/** Back to the seed, and to the mode, jitter and rate limit the sandbox was started with. */
	reset(): void;
	close(): Promise<void>;
}

/** What startSandbox was given (after its defaults): what reset() goes back to. */
interface StartSettings {
	nowMs: number;
	mode: SandboxMode;
	jitter: Jitter | null;
	rateLimit: RateLimit | null;
}

/** Bodies above this are not kept; the request is answered 413. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;
/** The request log keeps the latest this many (the oldest go first), so long runs stay small. */
const MAX_RECORDED_REQUESTS = 50_000;
const MAX_ADDED_MESSAGES = 10_000;

const TOO_MANY_REQUESTS = 'Too many requests. Please try again later.';

const DEFAULT_FAULT_BODIES: Record<number, unknown> = {
	400: { code: 40000, message: 'Invalid request parameters' },
	401: { message: 'Unauthorized - Invalid token' },
	403: { message: 'Forbidden' },
	404: { message: 'Not Found' },
	429: { message: TOO_MANY_REQUESTS },
	500: { message: 'Internal Server Error' },
};

const WRITE_THEN_FAIL_ANSWERS: readonly unknown[] = [500, 502, 504, 'drop', 'stall'];

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

/** A load balancer's error page (nginx), as iMBRACE's gateway answers 502, 503 and 504. */
function htmlResponse(status: number): ApiResponse {
	const title = `${status} ${STATUS_CODES[status] ?? 'Error'}`;
	return {
		status,
		contentType: 'text/html; charset=utf-8',
		body: `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`,
	};
}

/** The rate limit's bucket: the caller's token or key; requests without one share a bucket. */
function bucketKey(headers: Record<string, string>): string {
	return headers['x-access-token'] || headers['x-api-key'] || '';
}

function faultMatches(
	fault: Fault,
	method: string,
	path: string,
	query: Record<string, string>,
	body: unknown,
): boolean {
	const match = fault.match;
	if (!match) return true;
	if (match.method !== undefined && match.method.toUpperCase() !== method) return false;
	if (match.query && Object.entries(match.query).some(([name, value]) => query[name] !== value)) {
		return false;
	}
	if (
		match.body &&
		!(
			isRecord(body) &&
			Object.entries(match.body).every(([name, value]) => isDeepStrictEqual(body[name], value))
		)
	) {
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
		if (match.body !== undefined && !isRecord(match.body)) {
			throw new SandboxInputError('fault.match.body must be an object');
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
		case 'writeThenFail':
			if (!WRITE_THEN_FAIL_ANSWERS.includes(fault.then)) {
				throw new SandboxInputError('fault.then must be one of 500, 502, 504, drop, stall');
			}
			break;
		case 'drop':
		case 'malformedJson':
			break;
		default:
			throw new SandboxInputError(
				'fault.kind must be one of status, html, rateLimit, delay, drop, malformedJson, writeThenFail',
			);
	}
	return fault as Fault;
}

/** Throws unless `value` is an object with only these keys. */
function requireKeys(
	value: unknown,
	what: string,
	keys: readonly string[],
): Record<string, unknown> {
	if (!isRecord(value)) throw new SandboxInputError(`The ${what} must be an object`);
	for (const key of Object.keys(value)) {
		if (!keys.includes(key)) {
			throw new SandboxInputError(`Unknown ${what} setting ${key}: use ${keys.join(', ')}`);
		}
	}
	return value;
}

const isMilliseconds = (value: unknown): value is number =>
	typeof value === 'number' && Number.isFinite(value) && value >= 0;

/** Checks a jitter (it may come over HTTP as plain JSON); null is off. */
function validateJitter(jitter: unknown): Jitter | null {
	if (jitter === null) return null;
	const { minMs, maxMs, seed } = requireKeys(jitter, 'jitter', ['minMs', 'maxMs', 'seed']);
	if (!isMilliseconds(minMs) || !isMilliseconds(maxMs) || minMs > maxMs) {
		throw new SandboxInputError('jitter needs minMs and maxMs, milliseconds with minMs <= maxMs');
	}
	if (seed !== undefined && !Number.isInteger(seed)) {
		throw new SandboxInputError('jitter.seed must be an integer');
	}
	return { minMs, maxMs, ...(seed === undefined ? {} : { seed: seed as number }) };
}

/** Checks a rate limit (it may come over HTTP as plain JSON); null is off. */
function validateRateLimit(limit: unknown): RateLimit | null {
	if (limit === null) return null;
	const { perSecond, burst } = requireKeys(limit, 'rate limit', ['perSecond', 'burst']);
	if (!(typeof perSecond === 'number' && Number.isFinite(perSecond) && perSecond > 0)) {
		throw new SandboxInputError('rateLimit.perSecond must be a number above 0');
	}
	if (!(Number.isInteger(burst) && (burst as number) >= 1)) {
		throw new SandboxInputError('rateLimit.burst must be an integer of at least 1');
	}
	return { perSecond, burst: burst as number };
}

/** Checks a mode change (it may come over HTTP as plain JSON). */
function validateMode(change: unknown): Partial<SandboxMode> {
	const mode = requireKeys(change, 'mode', ['routes', 'meili', 'inbox', 'whatsappWindow']);
	if (mode.routes !== undefined && !(ROUTE_MODES as readonly unknown[]).includes(mode.routes)) {
		throw new SandboxInputError(`routes must be one of ${ROUTE_MODES.join(', ')}`);
	}
	if (mode.meili !== undefined && !(MEILI_GENERATIONS as readonly unknown[]).includes(mode.meili)) {
		throw new SandboxInputError(`meili must be one of ${MEILI_GENERATIONS.join(', ')}`);
	}
	for (const key of ['inbox', 'whatsappWindow'] as const) {
		if (mode[key] !== undefined && typeof mode[key] !== 'boolean') {
			throw new SandboxInputError(`${key} must be true or false`);
		}
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

/** One API request on its way through the server. */
interface Exchange {
	incoming: IncomingMessage;
	response: ServerResponse;
	apiRequest: ApiRequest;
	recorded: RecordedRequest;
	arrival: number;
	generation: number;
}

interface RecordedEntry {
	arrival: number;
	request: RecordedRequest;
}

interface Listener {
	call: (request: RecordedRequest) => void;
}

class SandboxServer {
	private store: SandboxStore;
	private readonly clock: MonotonicClock;
	private readonly api: ConversationsApi;
	private readonly inbox: InboxApi;
	private readonly server: Server;
	private faults: Array<{ fault: Fault; remaining: number }> = [];
	private recorded: RecordedEntry[] = [];
	private listeners: Listener[] = [];
	private readonly timers = new Set<NodeJS.Timeout>();
	private arrivals = 0;
	/** Bumped by reset: requests in flight across a reset are not recorded. */
	private generation = 0;
	private jitter: JitterDelays | undefined;
	private buckets: TokenBuckets | undefined;
	private inFlightNow = 0;
	private inFlightMax = 0;
	url = '';
	port = 0;

	/** `start`: what reset() goes back to. */
	constructor(private readonly start: StartSettings) {
		this.store = createSeedStore(start.nowMs);
		this.clock = new MonotonicClock(start.nowMs);
		this.api = new ConversationsApi(this.store, this.clock, () => this.url, { ...start.mode });
		this.inbox = new InboxApi(
			this.store,
			createInboxData(this.store),
			this.clock,
			() => this.api.mode,
		);
		this.inbox.register(this.api);
		this.setJitter(start.jitter);
		this.setRateLimit(start.rateLimit);
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

	get inboxIds(): InboxIds {
		return structuredClone(this.inbox.data.ids);
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
			throw new SandboxInputError('The contact and the channel belong to different organizations');
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
		// Routed to a team, it is in that team's inbox (§15), closed there if it is closed.
		if (teamId !== null) {
			this.inbox.addTeamConversation(conversation, teamId, [...conversation.userIds], {
				closed: status === 'closed',
			});
		}
		return conversation.id;
	}

	teamConversations(conversationId: string): TeamConversationRecord[] {
		if (!this.store.conversations.has(conversationId)) {
			throw new SandboxInputError(`Unknown conversation ${String(conversationId)}`);
		}
		return this.inbox.teamConversationRecords(conversationId);
	}

	storedMessages(conversationId: string): StoredMessage[] {
		const conversation = this.store.conversations.get(conversationId);
		if (!conversation) {
			throw new SandboxInputError(`Unknown conversation ${String(conversationId)}`);
		}
		return conversation.messages.map(messageToApi);
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
		const { routes, meili, inbox, whatsappWindow } = validateMode(mode);
		// An absent (or undefined) setting keeps what is in force.
		const current = this.api.mode;
		this.api.mode = {
			routes: routes ?? current.routes,
			meili: meili ?? current.meili,
			inbox: inbox ?? current.inbox,
			whatsappWindow: whatsappWindow ?? current.whatsappWindow,
		};
		return this.mode();
	}

	setJitter(jitter: Jitter | null): void {
		const valid = validateJitter(jitter);
		this.jitter = valid ? new JitterDelays(valid) : undefined;
	}

	setRateLimit(limit: RateLimit | null): void {
		const valid = validateRateLimit(limit);
		this.buckets = valid ? new TokenBuckets(valid) : undefined;
	}

	inFlight(): { now: number; max: number } {
		return { now: this.inFlightNow, max: this.inFlightMax };
	}

	resetInFlight(): void {
		this.inFlightMax = this.inFlightNow;
	}

	reset(): void {
		this.store = createSeedStore(this.start.nowMs);
		this.api.store = this.store;
		this.inbox.store = this.store;
		this.inbox.data = createInboxData(this.store);
		this.api.mode = { ...this.start.mode };
		this.api.restartRequestIds();
		this.setJitter(this.start.jitter);
		this.setRateLimit(this.start.rateLimit);
		this.resetInFlight();
		this.recorded = [];
		this.faults = [];
		this.listeners = [];
		this.generation++;
	}

	get seedNowMs(): number {
		return this.start.nowMs;
	}

	info() {
		return {
			url: this.url,
			seedNow: new Date(this.seedNowMs).toISOString(),
			mode: this.mode(),
			tokens: this.tokens,
			ids: this.ids,
			inboxIds: this.inboxIds,
		};
	}

	// --- requests ---------------------------------------------------------------------------------

	private receive(request: IncomingMessage, response: ServerResponse): void {
		const target = parseTarget(request.url ?? '/');
		const control = target.path === '/__sandbox' || target.path.startsWith('/__sandbox/');
		const arrival = ++this.arrivals;
		const generation = this.generation;
		if (!control) this.countInFlight(response);
		const chunks: Buffer[] = [];
		let size = 0;
		request.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size <= MAX_BODY_BYTES) chunks.push(chunk);
		});
		request.on('end', () => {
			const body = size <= MAX_BODY_BYTES ? Buffer.concat(chunks) : undefined;
			if (control) {
				this.send(response, this.control(request.method ?? 'GET', target.path, body));
			} else {
				this.dispatch(request, response, target, body, arrival, generation);
			}
		});
		request.on('error', () => response.destroy());
		// Writing to a client that went away must not crash the server.
		response.on('error', () => undefined);
	}

	/** In flight from arrival until the answer is finished or the socket closes. */
	private countInFlight(response: ServerResponse): void {
		this.inFlightNow++;
		if (this.inFlightNow > this.inFlightMax) this.inFlightMax = this.inFlightNow;
		let done = false;
		const finish = () => {
			if (done) return;
			done = true;
			this.inFlightNow--;
		};
		// 'finish' comes first for an answer sent; 'close' alone for a dropped or stalled one.
		response.once('finish', finish);
		response.once('close', finish);
	}

	private dispatch(
		incoming: IncomingMessage,
		response: ServerResponse,
		{ path, query }: { path: string; query: Record<string, string> },
		body: Buffer | undefined,
		arrival: number,
		generation: number,
	): void {
		const method = incoming.method ?? 'GET';
		const headers = flattenHeaders(incoming.headers);
		const url = incoming.url ?? '';
		const queryString = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
		const apiRequest: ApiRequest = {
			method,
			path,
			query,
			queryString,
			headers,
			body: body ?? Buffer.alloc(0),
		};
		const recorded: RecordedRequest = {
			method,
			path,
			query,
			headers,
			body: body === undefined ? undefined : recordedBody(body, headers['content-type']),
			status: 0,
		};
		const exchange: Exchange = { incoming, response, apiRequest, recorded, arrival, generation };
		// Decided now, in arrival order, whatever the jitter does next: the fault, then the bucket.
		const fault =
			body === undefined ? undefined : this.takeFault(method, path, query, recorded.body);
		const retryAfter =
			body === undefined || fault ? undefined : this.buckets?.take(bucketKey(headers));
		const run = () => {
			if (body === undefined) {
				this.answer(exchange, jsonResponse(413, { message: 'Payload Too Large' }));
			} else if (fault) {
				this.applyFault(exchange, fault);
			} else if (retryAfter !== undefined) {
				this.answer(exchange, {
					...jsonResponse(429, { message: TOO_MANY_REQUESTS }),
					headers: { 'retry-after': String(retryAfter) },
				});
			} else {
				this.answer(exchange, this.handleSafely(apiRequest));
			}
		};
		if (this.jitter) this.later(this.jitter.next(), run);
		else run();
	}

	private answer(exchange: Exchange, result: ApiResponse): void {
		this.send(exchange.response, result);
		this.record(exchange.recorded, result.status, exchange.arrival, exchange.generation);
	}

	/** Runs `action` after `ms`; close() cancels what has not run yet. */
	private later(ms: number, action: () => void): void {
		const timer = setTimeout(() => {
			this.timers.delete(timer);
			action();
		}, ms);
		this.timers.add(timer);
	}

	private applyFault(exchange: Exchange, fault: Fault): void {
		const { apiRequest } = exchange;
		switch (fault.kind) {
			case 'status': {
				const faultBody =
					fault.body === undefined ? this.defaultFaultBody(fault.status) : fault.body;
				this.answer(exchange, {
					status: fault.status,
					contentType:
						typeof faultBody === 'string' ? 'text/plain; charset=utf-8' : JSON_CONTENT_TYPE,
					body: typeof faultBody === 'string' ? faultBody : JSON.stringify(faultBody),
					headers: fault.headers,
				});
				return;
			}
			case 'html':
				this.answer(exchange, htmlResponse(fault.status));
				return;
			case 'rateLimit':
				this.answer(exchange, {
					...jsonResponse(429, { message: TOO_MANY_REQUESTS }),
					headers: { 'retry-after': String(fault.retryAfter) },
				});
				return;
			case 'delay':
				this.later(fault.ms, () => this.answer(exchange, this.handleSafely(apiRequest)));
				return;
			case 'drop':
				this.drop(exchange);
				return;
			case 'malformedJson': {
				// The request is handled (and its effects kept); only the answer is cut short.
				const full = this.handleSafely(apiRequest).body.toString();
				this.answer(exchange, {
					status: 200,
					contentType: JSON_CONTENT_TYPE,
					body: full.slice(0, Math.max(1, Math.floor(full.length / 2))),
				});
				return;
			}
			case 'writeThenFail':
				// Handled in full (a message is stored, a conversation made); only the answer fails.
				this.handleSafely(apiRequest);
				switch (fault.then) {
					case 500:
						this.answer(exchange, jsonResponse(500, DEFAULT_FAULT_BODIES[500]));
						return;
					case 502:
					case 504:
						this.answer(exchange, htmlResponse(fault.then));
						return;
					case 'drop':
						this.drop(exchange);
						return;
					case 'stall':
						// No answer at all: the socket stays open until the client gives up or close().
						this.record(exchange.recorded, 0, exchange.arrival, exchange.generation);
						return;
				}
		}
	}

	private drop(exchange: Exchange): void {
		exchange.incoming.socket.destroy();
		this.record(exchange.recorded, 0, exchange.arrival, exchange.generation);
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
		body: unknown,
	): Fault | undefined {
		const entry = this.faults.find((candidate) =>
			faultMatches(candidate.fault, method, path, query, body),
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

	private control(method: string, path: string, body: Buffer | undefined): ApiResponse {
		const noContent: ApiResponse = { status: 204, contentType: JSON_CONTENT_TYPE, body: '' };
		if (body === undefined) return jsonResponse(413, { message: 'Payload Too Large' });
		try {
			const readBack = /^\/__sandbox\/(team-conversations|messages)\/([^/]+)$/.exec(path);
			if (readBack && method === 'GET') {
				const conversationId = decodeURIComponent(readBack[2]);
				return jsonResponse(
					200,
					readBack[1] === 'messages'
						? this.storedMessages(conversationId)
						: this.teamConversations(conversationId),
				);
			}
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
				case 'POST /__sandbox/jitter':
					this.setJitter(validateJitter(this.parseControlJson(body)));
					return noContent;
				case 'DELETE /__sandbox/jitter':
					this.setJitter(null);
					return noContent;
				case 'POST /__sandbox/rate-limit':
					this.setRateLimit(validateRateLimit(this.parseControlJson(body)));
					return noContent;
				case 'DELETE /__sandbox/rate-limit':
					this.setRateLimit(null);
					return noContent;
				case 'GET /__sandbox/in-flight':
					return jsonResponse(200, this.inFlight());
				case 'DELETE /__sandbox/in-flight':
					this.resetInFlight();
					return noContent;
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
	const nowMs = options.now ?? SEED_NOW_MS;
	// Dates beyond ±8.64e15 ms are invalid; a seed 540 days long must fit before its now.
	if (!(Number.isInteger(nowMs) && Math.abs(nowMs) <= 8.6e15)) {
		throw new SandboxInputError('now must be a time in whole milliseconds since the epoch');
	}
	const server = new SandboxServer({
		nowMs,
		mode: validateMode({
			routes: options.routes ?? 'both',
			meili: options.meili ?? '1.15',
			inbox: options.inbox ?? true,
			whatsappWindow: options.whatsappWindow ?? false,
		}) as SandboxMode,
		jitter: validateJitter(options.jitter ?? null),
		rateLimit: validateRateLimit(options.rateLimit ?? null),
	});
	await server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
	return {
		url: server.url,
		port: server.port,
		seedNowMs: server.seedNowMs,
		tokens: server.tokens,
		ids: server.ids,
		inboxIds: server.inboxIds,
		addMessages: (input) => server.addMessages(input),
		addConversation: (input) => server.addConversation(input),
		teamConversations: (conversationId) => server.teamConversations(conversationId),
		storedMessages: (conversationId) => server.storedMessages(conversationId),
		requests: () => server.requests(),
		clearRequests: () => server.clearRequests(),
		injectFault: (fault) => server.injectFault(fault),
		clearFaults: () => server.clearFaults(),
		onRequest: (listener) => server.onRequest(listener),
		mode: () => server.mode(),
		setMode: (mode) => server.setMode(mode),
		setJitter: (jitter) => server.setJitter(jitter),
		setRateLimit: (limit) => server.setRateLimit(limit),
		inFlight: () => server.inFlight(),
		resetInFlight: () => server.resetInFlight(),
		reset: () => server.reset(),
		close: () => server.close(),
	};
}
