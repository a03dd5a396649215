import type { IDataObject, IHttpRequestOptions } from 'n8n-workflow';

/**
 * iMBRACE's gateway reaches the Conversations API by two families of paths: the `documented` one
 * of the public API page, and the `current` one under `/channel-service` that iMBRACE's own SDK,
 * dashboard and widget call. A gateway may serve either or both (README, "Which routes?").
 *
 * This file is the one place that knows the paths. Requests name an endpoint by its documented
 * path; the credential (ImbraceApi.authenticate) turns it into the path of the family the
 * gateway serves, which the credential's preAuthentication finds out once per gateway.
 */
export type RouteFamily = 'current' | 'documented';

/** The credential's Routes setting: a family, or `auto` to find out which one the gateway serves. */
export type RoutesSetting = RouteFamily | 'auto';

const FAMILY_NAMES: Record<RouteFamily, string> = {
	current: 'Current',
	documented: 'Documented',
};

const ROUTES = {
	viewCounts: {
		documented: '/v2/backend/team_conversations/_views_count',
		current: '/channel-service/v2/team_conversations/_views_count',
	},
	channelCounts: {
		documented: '/v2/backend/channels/_conv_count',
		current: '/channel-service/v1/channels/_conv_count',
	},
	teamChannelCounts: {
		documented: '/v1/backend/channels/_conv_count',
		current: '/channel-service/v1/channels/_conv_count',
	},
	createConversation: {
		documented: '/v1/backend/conversation',
		current: '/channel-service/v1/conversations',
	},
	messages: {
		documented: '/v1/backend/conversation_messages',
		current: '/channel-service/v1/conversation_messages',
	},
	uploadFile: {
		documented: '/v1/backend/conversation_messages/_fileupload',
		current: '/channel-service/v1/conversation_messages/_fileupload',
	},
} as const satisfies Record<string, Record<RouteFamily, string>>;

export type Endpoint = keyof typeof ROUTES | 'search' | 'fetch';

/** The path a request names the endpoint by (its documented path). */
export function endpointPath(endpoint: Endpoint, organizationId = ''): string {
	if (endpoint === 'search' || endpoint === 'fetch') {
		// The message index has one path, whichever family the gateway serves.
		return `/v1/backend/meilisearch/${encodeURIComponent(organizationId)}/${endpoint}`;
	}
	return ROUTES[endpoint].documented;
}

/** The endpoint a path of either family belongs to; §2 and §3 share one current path. */
function endpointOf(path: string): keyof typeof ROUTES | undefined {
	for (const [endpoint, paths] of Object.entries(ROUTES)) {
		if (paths.documented === path || paths.current === path) {
			return endpoint as keyof typeof ROUTES;
		}
	}
	return undefined;
}

/** Whether a path is one of the route families' (the inbox's paths have one family only). */
export function isFamilyPath(path: string): boolean {
	return endpointOf(path) !== undefined;
}

/**
 * The request as the given family wants it: its path, and what else differs. The current family's
 * channel counts take no `view` for All (they refuse `all`), and its upload asks for a thumbnail
 * of an image. Paths of neither family pass unchanged.
 */
export function inFamily(request: IHttpRequestOptions, family: RouteFamily): IHttpRequestOptions {
	const endpoint = endpointOf(request.url);
	if (!endpoint) return request;
	const routed: IHttpRequestOptions = { ...request, url: ROUTES[endpoint][family] };
	if (endpoint === 'channelCounts' && family === 'current') {
		const { view, ...rest } = (request.qs ?? {}) as IDataObject;
		if (view === 'all') routed.qs = rest;
	}
	if (endpoint === 'uploadFile' && family === 'current' && request.body instanceof FormData) {
		const file = request.body.get('file');
		if (file instanceof Blob && file.type.startsWith('image/')) {
			// A copy: a request that is sent again must not get the part twice.
			const form = new FormData();
			for (const [name, value] of request.body.entries()) form.append(name, value);
			form.append('create_thumbnail', 'true');
			routed.body = form;
		}
	}
	return routed;
}

/**
 * How to tell which family a gateway serves: §2, which every token kind reaches past the
 * gateway's authentication (a contact token is then refused by the service, which still shows
 * that the route is served).
 */
function probeRequest(family: RouteFamily): IHttpRequestOptions {
	return inFamily(
		{ method: 'GET', url: ROUTES.channelCounts.documented, qs: { view: 'all' }, json: true },
		family,
	);
}

/** A 404 that is the gateway saying it does not route the path, not iMBRACE's "not found". */
export function isRouteNotServed(status: number, body: unknown): boolean {
	if (status !== 404) return false;
	const message =
		typeof body === 'string'
			? body
			: typeof body === 'object' && body !== null
				? String((body as IDataObject).message ?? '')
				: '';
	return /\bCannot (GET|POST|PUT|PATCH|DELETE) \//.test(message);
}

/**
 * What the process knows about each gateway (by base URL): the family it serves. Kept for as long
 * as the process lives, so that finding out costs requests once, not on every run.
 */
const servedFamilies = new Map<string, RouteFamily>();

/** Families checked to be served (for a forced family, which is checked once per gateway). */
const checkedFamilies = new Set<string>();

/** Findings under way, so that concurrent requests wait for one instead of each probing. */
const findings = new Map<string, Promise<void>>();

export const routeMemory = {
	served(gateway: string): RouteFamily | undefined {
		return servedFamilies.get(gateway);
	},
	learn(gateway: string, family: RouteFamily): void {
		servedFamilies.set(gateway, family);
		checkedFamilies.add(`${family} ${gateway}`);
	},
	isChecked(gateway: string, family: RouteFamily): boolean {
		return checkedFamilies.has(`${family} ${gateway}`);
	},
	/** After the gateway answered that it does not serve what was remembered. */
	forget(gateway: string): void {
		const family = servedFamilies.get(gateway);
		servedFamilies.delete(gateway);
		if (family) checkedFamilies.delete(`${family} ${gateway}`);
	},
	/** Runs `find` once at a time per gateway; a caller that finds one under way waits for it. */
	async once(gateway: string, find: () => Promise<void>): Promise<void> {
		const running = findings.get(gateway);
		if (running) return await running;
		const finding = find().finally(() => findings.delete(gateway));
		findings.set(gateway, finding);
		return await finding;
	},
};

/** The family a request goes to: the forced one, or the one the gateway was found to serve. */
export function familyFor(gateway: string, setting: RoutesSetting): RouteFamily {
	return setting === 'auto' ? (routeMemory.served(gateway) ?? 'current') : setting;
}

/** An HTTP answer as n8n returns it with `returnFullResponse`. */
export interface ProbeAnswer {
	statusCode: number;
	body: unknown;
}

type ProbeOutcome = 'served' | 'notServed' | 'unknown';

function outcomeOf(answer: ProbeAnswer): ProbeOutcome {
	const { statusCode: status, body } = answer;
	// §2 takes no ID: any 404 is the gateway not routing the path.
	if (status === 404) return 'notServed';
	const isJsonObject = typeof body === 'object' && body !== null && !Array.isArray(body);
	// Past the gateway's authentication and answered by the service (a contact token is refused
	// with 403). A rejected token or key, a rate limit or an outage tells nothing about routes.
	if (!isJsonObject || status === 401 || status === 429 || status >= 500) return 'unknown';
	if (status === 403 && 'error' in body) return 'unknown';
	return 'served';
}

/** A credential's Routes that the gateway cannot serve: the message says what to choose. */
export class RoutesError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'RoutesError';
	}
}

/**
 * Makes sure the process knows which family a gateway serves (or that a forced family is served),
 * asking with at most two probes and only the first time. A token the gateway rejects, or an
 * outage, leaves it unknown: the request itself then reports what is wrong.
 */
export async function findServedFamily(
	gateway: string,
	setting: RoutesSetting,
	probe: (request: IHttpRequestOptions) => Promise<ProbeAnswer>,
): Promise<void> {
	const known = () =>
		setting === 'auto'
			? routeMemory.served(gateway) !== undefined
			: routeMemory.isChecked(gateway, setting);
	if (known()) return;
	const outcome = async (family: RouteFamily) => {
		try {
			return outcomeOf(await probe(probeRequest(family)));
		} catch {
			return 'unknown' as const;
		}
	};
	await routeMemory.once(gateway, async () => {
		if (known()) return;
		const first: RouteFamily = setting === 'auto' ? 'current' : setting;
		const second: RouteFamily = first === 'current' ? 'documented' : 'current';
		const firstOutcome = await outcome(first);
		if (firstOutcome === 'served') return routeMemory.learn(gateway, first);
		if (firstOutcome === 'unknown') return;
		const secondOutcome = await outcome(second);
		// With Auto, the first family is not served, so the other one is the only candidate: when
		// its probe tells nothing (a rejected token, a 429, an outage), the request goes there and
		// reports what really happened.
		if (setting === 'auto' && secondOutcome !== 'notServed') {
			return routeMemory.learn(gateway, second);
		}
		if (secondOutcome === 'notServed') {
			throw new RoutesError(
				`The server at ${gateway} did not answer like an iMBRACE gateway: it serves neither the current nor the documented routes of the Conversations API. Check the Environment, or the Base URL of a custom environment.`,
			);
		}
		throw new RoutesError(
			secondOutcome === 'served'
				? `The gateway at ${gateway} does not serve the ${FAMILY_NAMES[first]} routes: choose ${FAMILY_NAMES[second]} (or Auto) under Routes in the iMBRACE credential.`
				: `The gateway at ${gateway} does not serve the ${FAMILY_NAMES[first]} routes chosen under Routes in the iMBRACE credential: choose Auto.`,
		);
	});
}
