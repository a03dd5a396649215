import { createHash } from 'node:crypto';
import type {
	ICredentialsDecrypted,
	IDataObject,
	IExecuteFunctions,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IPollFunctions,
} from 'n8n-workflow';
import type { JsonObject } from 'n8n-workflow';
import { NodeApiError, sleep } from 'n8n-workflow';

import { CREDENTIAL_TYPE, resolveBaseUrl, routesSetting } from './environment';
import type { FailureHints, HttpResponse, WriteName } from './errors';
import {
	isJsonObject,
	lostWriteError,
	responseError,
	retryAfterMs,
	transportError,
	unsentWriteError,
} from './errors';
import type { Slots } from './slots';
import { Pacer } from './pacer';
import type { RoutesSetting } from './routes';
import { RoutesError, isFamilyPath, isRouteNotServed, routeMemory } from './routes';

type RequestContext =
	| IExecuteFunctions
	| IExecuteSingleFunctions
	| IPollFunctions
	| ILoadOptionsFunctions;

/** Waits before each repeat of a request after a 503, a refused connection or (reads) any outage. */
const OUTAGE_WAITS_MS = [250, 1000, 3000];
/** The longest Retry-After the node waits out by itself. */
const MAX_RETRY_AFTER_MS = 60_000;
/** How many 429s one request waits out before it fails. */
const MAX_RATE_LIMITS = 20;
/** A lost answer to a write is looked into after this long (the write may still be under way). */
const CONFIRM_DELAY_MS = 500;
/** How often a write found not to have gone through is sent again. */
const MAX_RESENDS = 2;

/** What the process knows about one token at one gateway, shared by every run that uses it. */
export interface TokenState {
	pacer: Pacer;
	/** A digest of the gateway and the token: names the token in stored state without holding it. */
	key: string;
	/** Who the token sends as (`from` of what it sent), once a send has shown it. */
	sender?: string;
	/** How far the gateway's clock is ahead of this one, from the time stamps of its answers. */
	clockAheadMs?: number;
	/** The newest message this process sent to each conversation, for telling new from old. */
	lastSent: Map<string, { id: string; at: string }>;
}

/** Conversations remembered in `lastSent`; the oldest are forgotten first. */
const MAX_REMEMBERED_CONVERSATIONS = 10_000;

const tokenStates = new Map<string, TokenState>();

/** The gateway a context's credential talks to. */
export interface Gateway {
	baseUrl: string;
	routes: RoutesSetting;
	token: TokenState;
	/**
	 * The credential as the run read it, handed to every request of the run: n8n would otherwise
	 * read it from its database and decrypt it again for each request.
	 */
	credentials: ICredentialsDecrypted;
}

export async function gatewayOf(context: RequestContext): Promise<Gateway> {
	const credentials = await context.getCredentials(CREDENTIAL_TYPE);
	const baseUrl = resolveBaseUrl(credentials);
	// Keyed by a digest: the process keeps no copy of the token itself.
	const key = createHash('sha256')
		.update(`${baseUrl} ${String(credentials.accessToken ?? '')}`)
		.digest('hex')
		.slice(0, 16);
	let token = tokenStates.get(key);
	if (!token) {
		token = { key, pacer: new Pacer(), lastSent: new Map() };
		tokenStates.set(key, token);
	}
	const { id, name } = context.getNode().credentials?.[CREDENTIAL_TYPE] ?? { id: null, name: '' };
	return {
		baseUrl,
		routes: routesSetting(credentials),
		token,
		credentials: { id: id ?? '', name, type: CREDENTIAL_TYPE, data: credentials },
	};
}

/** A write: never repeated blindly after an answer that may mean it was carried out. */
export interface Write extends WriteName {
	/**
	 * Looks whether the write went through after its answer was lost: the stored result, or
	 * undefined when it did not. Without it, such a write fails saying that it may have been made.
	 */
	confirm?: () => Promise<IDataObject | undefined>;
	/** Told when the write fails and may still have been made. */
	onDoubt?: (error: Error) => void;
}

interface Call {
	/** The endpoint's path (routes.ts), method, query or body, and the node's request options. */
	request: IHttpRequestOptions;
	hints?: FailureHints;
	write?: Write;
}

type Attempt =
	| { response: HttpResponse }
	/** No answer: `sent` says whether the request may have reached iMBRACE. */
	| { error: unknown; sent: boolean; transient: boolean };

const NOT_SENT = ['ECONNREFUSED', 'EAI_AGAIN'];
const NOT_REACHABLE = ['ENOTFOUND'];

/** The credential's finding that its Routes cannot work (routes.ts), wherever n8n wrapped it. */
function routesErrorIn(error: unknown, depth = 0): RoutesError | undefined {
	if (error instanceof RoutesError || (error as Error)?.name === 'RoutesError') {
		return error as RoutesError;
	}
	if (typeof error !== 'object' || error === null || depth > 3) return undefined;
	return routesErrorIn((error as IDataObject).cause, depth + 1);
}

function classify(error: unknown): Attempt {
	if (routesErrorIn(error)) return { error, sent: false, transient: false };
	const text = JSON.stringify(errorCodes(error));
	if (NOT_REACHABLE.some((code) => text.includes(code))) {
		return { error, sent: false, transient: false };
	}
	if (NOT_SENT.some((code) => text.includes(code))) return { error, sent: false, transient: true };
	return { error, sent: true, transient: true };
}

/** The codes of an error and of the errors it wraps (n8n keeps the request library's as cause). */
function errorCodes(error: unknown, depth = 0): unknown[] {
	if (typeof error !== 'object' || error === null || depth > 3) return [];
	const { code, httpCode, cause, errorResponse } = error as IDataObject;
	return [code, httpCode, ...errorCodes(cause, depth + 1), ...errorCodes(errorResponse, depth + 1)];
}

/**
 * Makes iMBRACE requests the way every operation and the trigger need them:
 * - a 429 is waited out (its Retry-After, up to a minute) and the request repeated, and later
 *   requests with the same token keep to the pace iMBRACE allows (pacer.ts);
 * - a 503 or a refused connection is repeated a few times with growing waits; so is any outage
 *   for a read;
 * - a write whose answer was lost (500, 502, 504, a timeout, a cut connection) is not repeated
 *   blindly: it is confirmed, and sent again only when it did not go through, or it fails saying
 *   that it may have been made;
 * - a route the gateway stopped serving is found again (Routes set to Auto).
 */
export class Requester {
	constructor(
		private readonly context: RequestContext,
		private readonly gateway: Gateway,
		private readonly options: {
			/** The node run's in-flight limit. */
			slots?: Slots;
			/**
			 * Fail at once on any failure: a poll leaves its repeat to the next poll, and a 429 to n8n's
			 * scheduler, which backs off as long as iMBRACE asks.
			 */
			once?: boolean;
		} = {},
	) {}

	async call(call: Call): Promise<IDataObject> {
		return (await this.exchange(call)).body as IDataObject;
	}

	/**
	 * A read whose refusal is an answer rather than a failure (who the token is, say): an answer
	 * with one of `statuses` comes back as it is, where `call` would throw.
	 */
	async answer(call: Call, statuses: number[]): Promise<HttpResponse> {
		return await this.exchange(call, statuses);
	}

	private async exchange(
		{ request, hints = {}, write }: Call,
		acceptedStatuses: number[] = [],
	): Promise<HttpResponse> {
		const itemIndex =
			hints.itemIndex ?? ('getItemIndex' in this.context ? this.context.getItemIndex() : undefined);
		const failureHints: FailureHints = { ...hints, itemIndex };
		let outages = 0;
		const rateLimit = { waits: 0, waitedMs: 0 };
		let resends = 0;
		let rerouted = false;
		for (;;) {
			const { slots } = this.options;
			const attempt = slots
				? await slots.around(async () => await this.attempt(request))
				: await this.attempt(request);
			let ambiguous: Attempt | undefined;
			if ('response' in attempt) {
				const { statusCode: status, body, headers } = attempt.response;
				if (status < 300 && isJsonObject(body)) {
					this.gateway.token.pacer.succeeded();
					return attempt.response;
				}
				if (acceptedStatuses.includes(status)) return attempt.response;
				if (status === 429) {
					const waitMs = retryAfterMs(headers) ?? 1000;
					const stop = this.options.once
						? 'poll'
						: waitMs > MAX_RETRY_AFTER_MS
							? 'tooLong'
							: rateLimit.waits >= MAX_RATE_LIMITS
								? 'tooMany'
								: undefined;
					if (stop) {
						throw responseError(this.context.getNode(), attempt.response, {
							...failureHints,
							rateLimit: { ...rateLimit, stop },
						});
					}
					rateLimit.waits++;
					rateLimit.waitedMs += waitMs;
					this.gateway.token.pacer.rateLimited(waitMs);
					continue;
				}
				// Only the paths of the two route families move with the family (not the inbox's).
				if (
					isRouteNotServed(status, body) &&
					this.gateway.routes === 'auto' &&
					isFamilyPath(request.url) &&
					!rerouted
				) {
					// The gateway no longer serves the family it served: find out again, once.
					routeMemory.forget(this.gateway.baseUrl);
					rerouted = true;
					continue;
				}
				const mayHaveHappened = status < 300 || status === 500 || status === 502 || status === 504;
				if (status === 503 || (!write && mayHaveHappened)) {
					if (outages < OUTAGE_WAITS_MS.length && !this.options.once) {
						await this.wait(OUTAGE_WAITS_MS[outages++]);
						continue;
					}
				} else if (write && mayHaveHappened) {
					ambiguous = attempt;
				}
				if (!ambiguous) throw responseError(this.context.getNode(), attempt.response, failureHints);
			} else if (attempt.transient && (!attempt.sent || !write)) {
				if (outages < OUTAGE_WAITS_MS.length && !this.options.once) {
					await this.wait(OUTAGE_WAITS_MS[outages++]);
					continue;
				}
				throw this.failure(attempt.error, itemIndex);
			} else if (attempt.sent && write) {
				ambiguous = attempt;
			} else {
				throw this.failure(attempt.error, itemIndex);
			}

			// The write may or may not have been carried out.
			const cause =
				'response' in ambiguous
					? responseError(this.context.getNode(), ambiguous.response, failureHints)
					: this.failure(ambiguous.error, itemIndex);
			const doubt = () => {
				const error = lostWriteError(this.context.getNode(), write!, cause, itemIndex);
				write!.onDoubt?.(error);
				return error;
			};
			if (!write!.confirm) throw doubt();
			await this.wait(CONFIRM_DELAY_MS);
			let confirmed: IDataObject | undefined;
			try {
				confirmed = await write!.confirm();
			} catch {
				throw doubt();
			}
			if (confirmed) return { statusCode: 200, body: confirmed };
			if (resends++ >= MAX_RESENDS) {
				throw unsentWriteError(this.context.getNode(), write!, cause, resends, itemIndex);
			}
		}
	}

	/** What the process knows about the token: who it sends as, the gateway's clock, its sends. */
	get token(): TokenState {
		return this.gateway.token;
	}

	/** Learns from a message the token sent: who it sends as, the gateway's clock, the newest. */
	learnFromSent(message: IDataObject): void {
		const { token } = this.gateway;
		if (typeof message.from === 'string' && message.from) token.sender = message.from;
		const at = typeof message.created_at === 'string' ? message.created_at : '';
		const time = Date.parse(at);
		if (Number.isNaN(time)) return;
		token.clockAheadMs = time - Date.now();
		const conversation = String(message.conversation_id ?? '');
		token.lastSent.delete(conversation);
		token.lastSent.set(conversation, { id: String(message.id ?? ''), at });
		if (token.lastSent.size > MAX_REMEMBERED_CONVERSATIONS) {
			token.lastSent.delete(token.lastSent.keys().next().value!);
		}
	}

	private async attempt(request: IHttpRequestOptions): Promise<Attempt> {
		await this.gateway.token.pacer.ready();
		try {
			const response = (await this.context.helpers.httpRequestWithAuthentication.call(
				this.context,
				CREDENTIAL_TYPE,
				{
					json: !(request.body instanceof FormData),
					...request,
					returnFullResponse: true,
					ignoreHttpStatusErrors: true,
				},
				{ credentialsDecrypted: this.gateway.credentials },
			)) as HttpResponse;
			return { response };
		} catch (error) {
			return classify(error);
		}
	}

	/** An error for a request that got no answer; never the original, which holds the headers. */
	private failure(error: unknown, itemIndex: number | undefined) {
		const node = this.context.getNode();
		const routes = routesErrorIn(error);
		if (routes) {
			return new NodeApiError(node, {} as JsonObject, {
				message: routes.message,
				description: 'See "Which routes?" in the README of n8n-nodes-imbrace.',
				itemIndex,
				failure: { cause: 'configuration-invalid' },
			});
		}
		return (
			transportError(node, error, this.gateway.baseUrl, itemIndex) ??
			new NodeApiError(node, {} as JsonObject, {
				message: `The request to ${this.gateway.baseUrl} failed: ${String((error as Error)?.message ?? error)}`,
				itemIndex,
			})
		);
	}

	private async wait(ms: number): Promise<void> {
		await sleep(ms);
		const signal =
			'getExecutionCancelSignal' in this.context
				? this.context.getExecutionCancelSignal()
				: undefined;
		if (signal?.aborted) throw new Error('The execution was cancelled');
	}
}
