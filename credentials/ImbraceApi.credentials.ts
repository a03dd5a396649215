import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
	Icon,
} from 'n8n-workflow';

import { resolveBaseUrl } from '../nodes/shared/environment';

/** What to do about a rejected token; iMBRACE's own message goes first. */
const FIX_TOKEN =
	'Check the token and its type (Access Token or API Key), and that it was issued for the selected environment.';

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
					description: 'An organisation API key (api_…), sent as x-api-key',
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
	];

	/**
	 * Sends the token only to the credential's own host: the base URL is filled in here, and a
	 * request aimed anywhere else (an absolute URL, a redirect) leaves without it.
	 */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const baseUrl = resolveBaseUrl(credentials);
		const options: IHttpRequestOptions = {
			...requestOptions,
			baseURL: requestOptions.baseURL || baseUrl,
			headers: { ...requestOptions.headers },
			sendCredentialsOnCrossOriginRedirect: false,
		};
		const target = new URL(options.url, `${options.baseURL}/`);
		if (target.origin !== new URL(baseUrl).origin) {
			return options;
		}
		const header = credentials.authType === 'apiKey' ? 'x-api-key' : 'x-access-token';
		options.headers![header] = String(credentials.accessToken ?? '');
		return options;
	}

	test: ICredentialTestRequest = {
		request: {
			url: '/v2/backend/channels/_conv_count',
			qs: { view: 'all' },
			// Lets the rules below read iMBRACE's own message instead of a bare status text.
			ignoreHttpStatusErrors: true,
		},
		rules: [
			...[
				'Unauthorized - Invalid token',
				'Unauthorized - API key or Access Token required',
				'Unauthorized',
				'Forbidden',
			].map((message) => ({
				type: 'responseSuccessBody' as const,
				properties: { key: 'message', value: message, message: `${message}. ${FIX_TOKEN}` },
			})),
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'all',
					value: undefined,
					message:
						'The server did not answer like an iMBRACE gateway. Check the environment, or the Base URL of a custom environment.',
				},
			},
		],
	};
}
