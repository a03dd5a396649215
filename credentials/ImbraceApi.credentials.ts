import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IDataObject,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INodeProperties,
	Icon,
} from 'n8n-workflow';

import { resolveBaseUrl, routesSetting, tokenHeader } from '../nodes/shared/transport/environment';
import {
	endpointPath,
	familyFor,
	findServedFamily,
	inFamily,
} from '../nodes/shared/transport/routes';
import type { ProbeAnswer } from '../nodes/shared/transport/routes';

/** What to do about a rejected token; iMBRACE's own message goes first. */
const FIX_TOKEN =
	'Check the token and its type (Access Token or API Key), and that it was issued for the selected environment.';

/** A failure the test's answer shows by one field of its body, and what to tell the user. */
function failsWhen(key: string, value: unknown, message: string) {
	return { type: 'responseSuccessBody' as const, properties: { key, value, message } };
}

export class ImbraceApi implements ICredentialType {
	name = 'imbraceApi';

	displayName = 'iMBRACE API';

	icon: Icon = { light: 'file:../icons/imbrace.svg', dark: 'file:../icons/imbrace.dark.svg' };

	documentationUrl =
		'https://imbrace.gitbook.io/imbrace-documentation/api-documents/app-gateway/conversations-apis';

	properties: INodeProperties[] = [
		{
			displayName: 'Environment',
			name: 'environment',
			type: 'options',
			options: [
				{ name: 'Production', value: 'production', description: 'app-gateway.imbrace.co' },
				{ name: 'Demo', value: 'demo', description: 'app-gateway.demo.imbrace.co' },
				{ name: 'Development', value: 'development', description: 'app-gateway.dev.imbrace.co' },
				{
					name: 'Custom',
					value: 'custom',
					description: 'Another gateway, a proxy, or a local sandbox',
				},
			],
			default: 'production',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. https://app-gateway.example.com',
			description: 'The gateway address, with http:// or https://',
			displayOptions: { show: { environment: ['custom'] } },
		},
		{
			displayName: 'Authentication Type',
			name: 'authType',
			type: 'options',
			options: [
				{
					name: 'Access Token',
					value: 'accessToken',
					description: 'A user or contact token (acc_…), sent as x-access-token',
				},
				{
					name: 'API Key',
					value: 'apiKey',
					description: 'An organization API key (api_…), sent as x-api-key',
				},
			],
			default: 'accessToken',
		},
		{
			displayName: 'Access Token or API Key',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
		{
			displayName: 'Organization ID',
			name: 'organizationId',
			type: 'string',
			default: '',
			placeholder: 'e.g. org_imbrace',
			description:
				'Used by message search and fetch and by the organization-wide trigger when they leave the organization empty',
		},
		{
			displayName: 'Routes',
			name: 'routes',
			type: 'options',
			options: [
				{
					name: 'Auto',
					value: 'auto',
					description: 'Find out which routes the gateway serves, once, and use them',
				},
				{
					name: 'Current',
					value: 'current',
					description: "The /channel-service/… routes of iMBRACE's own apps",
				},
				{
					name: 'Documented',
					value: 'documented',
					description: 'The /v1/backend/… and /v2/backend/… routes of the public API page',
				},
			],
			default: 'auto',
			description:
				'Which of the two route families of the iMBRACE gateway to call; keep Auto unless iMBRACE support asks for one',
		},
		{
			// Empty on purpose: n8n runs preAuthentication for a credential whose expirable property is
			// empty, which is where every request first makes sure the route family of the gateway is
			// known. What it finds is kept in the process (nodes/shared/transport/routes.ts), never stored here.
			displayName: 'Route Family',
			name: 'routeFamily',
			type: 'hidden',
			typeOptions: { expirable: true },
			default: '',
		},
	];

	/** Finds out which route family the gateway serves (once per gateway and process). */
	async preAuthentication(
		this: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
	): Promise<IDataObject> {
		const baseUrl = resolveBaseUrl(credentials);
		await findServedFamily(
			baseUrl,
			routesSetting(credentials),
			async (request) =>
				(await this.helpers.httpRequest({
					...request,
					baseURL: baseUrl,
					headers: tokenHeader(credentials),
					returnFullResponse: true,
					ignoreHttpStatusErrors: true,
				})) as ProbeAnswer,
		);
		return {};
	}

	/**
	 * Sends the token only to the credential's own host: the base URL is filled in here, and a
	 * request aimed anywhere else (an absolute URL, a redirect) leaves without it. A request to one
	 * of the Conversations API's endpoints goes to the route family the gateway serves.
	 */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const baseUrl = resolveBaseUrl(credentials);
		// n8n's HTTP Request node (through n8n's older request helper) gives an absolute `uri`
		// instead of a `url`: it is checked the same way, and sent where it points.
		const { uri } = requestOptions as { uri?: unknown };
		const legacy = requestOptions.url === undefined && typeof uri === 'string';
		const options: IHttpRequestOptions = {
			...requestOptions,
			...(legacy ? {} : { baseURL: requestOptions.baseURL || baseUrl }),
			headers: { ...requestOptions.headers },
			sendCredentialsOnCrossOriginRedirect: false,
		};
		const target = new URL(legacy ? uri : options.url, `${options.baseURL || baseUrl}/`);
		if (target.origin !== new URL(baseUrl).origin) {
			return options;
		}
		Object.assign(options.headers!, tokenHeader(credentials));
		return !legacy && options.url.startsWith('/')
			? inFamily(options, familyFor(baseUrl, routesSetting(credentials)))
			: options;
	}

	/**
	 * A request every kind of token may make: a contact token reads its own conversation, and an
	 * agent token or API key gets past authentication to be told that a conversation is missing.
	 * Before it, preAuthentication checks the routes (a forced family the gateway does not serve
	 * fails the test there, naming the family to choose).
	 */
	test: ICredentialTestRequest = {
		request: {
			url: endpointPath('messages'),
			qs: { limit: 1 },
			// Lets the rules below read iMBRACE's own message instead of a bare status text.
			ignoreHttpStatusErrors: true,
		},
		rules: [
			...[
				'Unauthorized - Invalid token',
				'Unauthorized - API key or Access Token required',
				'Unauthorized',
			].map((message) => failsWhen('message', message, `${message}. ${FIX_TOKEN}`)),
			failsWhen(
				'message',
				'Invalid API key',
				'Invalid API key. Check the API key, that the Authentication Type is API Key, and that the key was issued for the selected environment.',
			),
			// The API-key gate's 403 ("Invalid API path: …") is the only refusal with an `error` field.
			failsWhen(
				'error',
				'Forbidden',
				"Invalid API path: this API key's permissions do not cover the Conversations API. In iMBRACE, give the key permissions for the Conversations API (or leave its permissions empty for full access), or use another key.",
			),
			failsWhen(
				'error',
				'Not Found',
				'The gateway does not serve the routes chosen under Routes: choose Auto.',
			),
			failsWhen(
				'message',
				'Too many requests. Please try again later.',
				'iMBRACE asks to slow down (HTTP 429). Test the credential again in a minute.',
			),
			failsWhen(
				'message',
				'Internal Server Error',
				'iMBRACE could not answer (Internal Server Error, HTTP 500). Test the credential again later.',
			),
			// An error page of the gateway (an HTML body, which starts with "<") instead of JSON.
			failsWhen(
				'0',
				'<',
				'The gateway answered with a web page instead of JSON: iMBRACE may be briefly unavailable (test again later), or the Base URL is not an iMBRACE gateway.',
			),
		],
	};
}
