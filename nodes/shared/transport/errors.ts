import type { IDataObject, INode, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { isRouteNotServed } from './routes';

/** An HTTP answer as n8n returns it with `returnFullResponse`. */
export interface HttpResponse {
	statusCode: number;
	headers?: IDataObject;
	body: unknown;
}

/** What the caller knows about the request, so the error can say what to fix. */
export interface FailureHints {
	itemIndex?: number;
	/** The parameter a 404 points at, by display name, e.g. `Conversation ID`. */
	notFound?: string;
	/** What to check when iMBRACE rejects the request as invalid (400). */
	invalid?: string;
	/** The 429s the request waited out before this one, and why it stopped waiting. */
	rateLimit?: RateLimitWaits;
	/**
	 * An inbox endpoint (inbox contract): it has one route, which a gateway may not offer, and
	 * only agent tokens and full-access API keys may call it.
	 */
	inbox?: boolean;
}

export interface RateLimitWaits {
	waits: number;
	waitedMs: number;
	/** A poll leaves the wait to n8n's scheduler; a node waits up to a minute, and 20 times. */
	stop: 'poll' | 'tooLong' | 'tooMany';
}

/** Reason phrases for answers that carry no message of iMBRACE's (an HTML error page). */
const REASONS: Record<number, string> = {
	400: 'Bad Request',
	401: 'Unauthorized',
	403: 'Forbidden',
	404: 'Not Found',
	429: 'Too Many Requests',
	500: 'Internal Server Error',
	502: 'Bad Gateway',
	503: 'Service Unavailable',
	504: 'Gateway Timeout',
};

const FIX_CREDENTIAL =
	'Check the Access Token or API Key in the iMBRACE credential, its Authentication Type, and that the Environment is the one the token was issued for.';
const FIX_LATER = 'The node already tried again a few times. Try again later.';
const FIX_ADDRESS =
	'Check the Environment of the iMBRACE credential, or the Base URL of a custom environment.';
const FIX_API_KEY =
	'Check the API key in the iMBRACE credential, that its Authentication Type is API Key, and that the key was issued for the selected Environment.';
const FIX_API_KEY_PATHS =
	"The API key's permissions do not cover the Conversations API: in iMBRACE, give the key permissions for the Conversations API (or leave its permissions empty for full access), or use another key or an access token.";
const FIX_INBOX_CALLER =
	'The inbox endpoints answer agents only: use an agent access token, or an API key with full access (no permissions set), in the iMBRACE credential. A contact token or an API key with permissions cannot read or change conversations there.';
const FIX_INBOX_NOT_OFFERED =
	'The gateway does not route the /platform and /channel-service paths of the inbox. The Routes setting of the credential does not change this: ask iMBRACE to enable the inbox endpoints on this gateway, or use a gateway that offers them.';
const FIX_WHATSAPP_WINDOW =
	"WhatsApp lets a business send free-form messages only within 24 hours of the contact's last message. Send an approved WhatsApp template instead (Message Type: WhatsApp Template); the conversation's whatsapp_window_open (Get) tells beforehand.";
const FIX_ROUTES =
	'The gateway does not serve this route. Set Routes to Auto in the iMBRACE credential, so that the nodes use the routes the gateway serves.';

export function isJsonObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** iMBRACE's own wording of a failure: `message` is always there, `code` sometimes. */
function apiMessage(body: unknown): string | undefined {
	if (!isJsonObject(body)) return undefined;
	if (typeof body.message === 'string' && body.message) return body.message;
	// The platform service (inbox contract §10–§12) words its failures as `error` alone.
	return typeof body.error === 'string' && body.error ? body.error : undefined;
}

export function retryAfterMs(headers: IDataObject | undefined): number | undefined {
	const value = headers?.['retry-after'];
	if (value === undefined) return undefined;
	const seconds = Number(value);
	if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
	const date = Date.parse(String(value));
	return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function describe(
	status: number,
	body: unknown,
	headers: IDataObject | undefined,
	hints: FailureHints,
) {
	const code = isJsonObject(body) ? body.code : undefined;
	// The API-key gate answers with `error` and `message`; iMBRACE's services only with `message`.
	const fromKeyGate =
		isJsonObject(body) && typeof body.error === 'string' && typeof body.message === 'string';
	switch (true) {
		case hints.inbox && isRouteNotServed(status, body):
			return {
				message: 'This gateway does not offer the inbox endpoints',
				description: FIX_INBOX_NOT_OFFERED,
				failure: { cause: 'configuration-invalid' as const },
			};
		// A contact token is refused with a bare "Unauthorized"; a rejected token or key words it otherwise.
		case hints.inbox && status === 401 && apiMessage(body) === 'Unauthorized':
		case hints.inbox && status === 403 && fromKeyGate:
			return {
				message: 'This credential may not use the inbox endpoints',
				description: FIX_INBOX_CALLER,
				failure: { cause: 'credential-invalid' as const },
			};
		case status === 401:
			return {
				description: fromKeyGate ? FIX_API_KEY : FIX_CREDENTIAL,
				failure: { cause: 'credential-invalid' as const },
			};
		case status === 403 && fromKeyGate:
			return { description: FIX_API_KEY_PATHS, failure: { cause: 'credential-invalid' as const } };
		case isRouteNotServed(status, body):
			return { description: FIX_ROUTES, failure: { cause: 'configuration-invalid' as const } };
		case status === 403:
			return {
				description: `iMBRACE does not let this token reach it: a contact token reaches only its own conversation, and every token only its own organization. Check ${hints.notFound ? `the ${hints.notFound} and ` : ''}the credential.`,
				failure: { cause: 'credential-invalid' as const },
			};
		case status === 404:
			return {
				description: hints.notFound
					? `Check the ${hints.notFound}: iMBRACE has nothing with that ID that this token can see.`
					: FIX_ADDRESS,
				failure: { cause: 'configuration-invalid' as const },
			};
		case status === 429: {
			const waitMs = retryAfterMs(headers);
			return {
				description: rateLimitAdvice(waitMs, hints.rateLimit),
				failure: { cause: 'rate-limited' as const, retryAfterMs: waitMs },
			};
		}
		case status >= 500:
			return {
				description: apiMessage(body)
					? `iMBRACE could not process the request. ${FIX_LATER}`
					: `The iMBRACE gateway answered with a web page instead of JSON, which usually means the service is briefly unavailable. ${FIX_LATER}`,
				failure: { cause: 'temporarily-unavailable' as const },
			};
		// WhatsApp's 24-hour window (inbox contract §21): only a WhatsApp template may go now.
		case status === 400 && /\b24 hours\b/.test(apiMessage(body) ?? ''):
			return {
				message: "WhatsApp's 24-hour window has closed",
				description: FIX_WHATSAPP_WINDOW,
			};
		case typeof code === 'string' && code.startsWith('invalid_search'):
			return { description: hints.invalid ?? 'Check the search parameters.' };
		default:
			return { description: hints.invalid ?? 'Check the parameters of the node.' };
	}
}

function seconds(ms: number): string {
	const whole = Math.ceil(ms / 1000);
	return `${whole} second${whole === 1 ? '' : 's'}`;
}

/** What happened with iMBRACE's 429s, and what to do about it. */
function rateLimitAdvice(waitMs: number | undefined, waits: RateLimitWaits | undefined): string {
	const asked = waitMs === undefined ? 'to wait' : `to wait ${seconds(waitMs)}`;
	const before = waits?.waits
		? ` The node had already waited ${waits.waits} time${waits.waits === 1 ? '' : 's'} (${seconds(waits.waitedMs)} in all) as iMBRACE asked.`
		: '';
	switch (waits?.stop) {
		case 'poll':
			return `iMBRACE asks ${asked} before the next request (HTTP 429). The trigger reads again at its next poll, from where it stopped: no message is lost.`;
		case 'tooMany':
			return `iMBRACE kept asking ${asked} (HTTP 429), and the node stopped after waiting ${waits.waits} times (${seconds(waits.waitedMs)} in all) for this item. Other workflows or apps may be using the same token heavily: run this workflow again later, or send fewer items per run.`;
		default:
			return `iMBRACE asks ${asked} before the next request (HTTP 429): longer than the one minute the node waits by itself, so it did not wait.${before} Run the workflow again later.`;
	}
}

/** An error for a failed iMBRACE answer: iMBRACE's message and the status, and how to fix it. */
export function responseError(node: INode, response: HttpResponse, hints: FailureHints = {}) {
	const { statusCode: status, body, headers } = response;
	if (status < 300) {
		return new NodeApiError(node, { status } as JsonObject, {
			message: `iMBRACE sent a response that is not valid JSON (HTTP ${status})`,
			description: `The answer could not be read. Try again; if it keeps happening, ${FIX_ADDRESS.charAt(0).toLowerCase()}${FIX_ADDRESS.slice(1)}`,
			httpCode: String(status),
			itemIndex: hints.itemIndex,
			failure: { cause: 'temporarily-unavailable' },
		});
	}
	const described = describe(status, body, headers, hints);
	const { description, failure } = described;
	// What the inbox's refusals mean goes before iMBRACE's own (terse) wording.
	const meaning = 'message' in described ? described.message : undefined;
	const message = apiMessage(body) ?? REASONS[status] ?? 'Request failed';
	return new NodeApiError(node, (isJsonObject(body) ? body : { status }) as JsonObject, {
		message: meaning ? `${meaning}: ${message} (HTTP ${status})` : `${message} (HTTP ${status})`,
		description,
		httpCode: String(status),
		itemIndex: hints.itemIndex,
		failure,
	});
}

/** Connection failures, by the code Node.js or axios gives them. */
const TRANSPORT_FAILURES: Record<string, (origin: string) => [string, string]> = {
	ECONNREFUSED: (origin) => [
		`Could not connect to ${origin}: the connection was refused`,
		FIX_ADDRESS,
	],
	ENOTFOUND: (origin) => [`Could not find the host of ${origin}`, FIX_ADDRESS],
	EAI_AGAIN: (origin) => [`Could not look up the host of ${origin}`, `${FIX_ADDRESS} ${FIX_LATER}`],
	ECONNABORTED: (origin) => [
		`${origin} did not answer in time`,
		`Try again later, or raise the Timeout under the node's Request Options.`,
	],
	ETIMEDOUT: (origin) => [
		`${origin} did not answer in time`,
		`Try again later, or raise the Timeout under the node's Request Options.`,
	],
	ECONNRESET: (origin) => [`The connection to ${origin} closed before iMBRACE answered`, FIX_LATER],
	EPIPE: (origin) => [`The connection to ${origin} closed before iMBRACE answered`, FIX_LATER],
};

function errorCode(error: unknown, depth = 0): string | undefined {
	if (!isErrorLike(error) || depth > 3) return undefined;
	for (const code of [error.code, error.httpCode]) {
		if (typeof code === 'string' && code in TRANSPORT_FAILURES) return code;
	}
	if (/socket hang up/i.test(String(error.message))) return 'ECONNRESET';
	// n8n keeps the request library's error as `cause` or `errorResponse`.
	return errorCode(error.cause, depth + 1) ?? errorCode(error.errorResponse, depth + 1);
}

function isErrorLike(value: unknown): value is {
	code?: unknown;
	httpCode?: unknown;
	message?: unknown;
	cause?: unknown;
	errorResponse?: unknown;
} {
	return typeof value === 'object' && value !== null;
}

/**
 * An error for a request that got no answer (refused, timed out, cut off), or `undefined` when
 * `error` is something else. The original error is dropped: it carries the request's headers.
 */
export function transportError(node: INode, error: unknown, origin: string, itemIndex?: number) {
	const code = errorCode(error);
	if (!code) return undefined;
	const [message, description] = TRANSPORT_FAILURES[code](origin);
	const failure = new NodeApiError(node, { code } as JsonObject, {
		message,
		description,
		httpCode: code,
		itemIndex,
		failure: { cause: 'temporarily-unavailable' },
	});
	// Set again: NodeApiError swaps in a generic wording for a known code, and for
	// ECONNABORTED (a timeout) that wording says the server may be offline.
	failure.message = message;
	return failure;
}

/** Why Retry On Fail is not the tool for a failed write, said where a write fails. */
const INSTEAD_OF_RETRY =
	"Don't turn on Retry On Fail for this: the node already waits out 429s, repeats 503s and refused connections, and checks whether a message went through before sending it again. To handle items that still fail, turn on Continue On Fail (Settings, On Error: Continue (using error output)) and route the failed items.";

/** A write: what it makes, and the word for making it ("message", "sent"). */
export interface WriteName {
	what: string;
	done: string;
}

function writeFailure(
	node: INode,
	message: string,
	description: string,
	cause: Error,
	itemIndex: number | undefined,
) {
	const httpCode = (cause as NodeApiError).httpCode ?? undefined;
	const error = new NodeApiError(node, { status: httpCode } as JsonObject, {
		message,
		description: `${description} ${INSTEAD_OF_RETRY}`,
		httpCode,
		itemIndex,
		failure: { cause: 'temporarily-unavailable' },
	});
	// Set again: NodeApiError swaps in a generic wording for some codes.
	error.message = message;
	return error;
}

/** A write whose answer was lost and could not be confirmed: it may or may not have been made. */
export function lostWriteError(
	node: INode,
	write: WriteName,
	cause: Error,
	itemIndex: number | undefined,
) {
	return writeFailure(
		node,
		`The ${write.what} may have been ${write.done}, but iMBRACE's answer was lost (${cause.message})`,
		`iMBRACE may have carried out the request before its answer was lost, and the node could not tell whether it did. Check in iMBRACE before running this item again.`,
		cause,
		itemIndex,
	);
}

/** A write that did not go through, every time it was sent. */
export function unsentWriteError(
	node: INode,
	write: WriteName,
	cause: Error,
	tries: number,
	itemIndex: number | undefined,
) {
	return writeFailure(
		node,
		`The ${write.what} was not ${write.done} (${cause.message})`,
		`The node sent it ${tries} times; each time iMBRACE's answer was lost, and the ${write.what} is not in iMBRACE. ${FIX_LATER}`,
		cause,
		itemIndex,
	);
}
