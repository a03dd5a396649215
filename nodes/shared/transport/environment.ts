import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import type { RoutesSetting } from './routes';

export const CREDENTIAL_TYPE = 'imbraceApi';

/** The iMBRACE app gateways, by the credential's `environment` value. */
export const ENVIRONMENT_BASE_URLS = {
	production: 'https://app-gateway.imbrace.co',
	demo: 'https://app-gateway.demo.imbrace.co',
	development: 'https://app-gateway.dev.imbrace.co',
} as const;

type Environment = keyof typeof ENVIRONMENT_BASE_URLS | 'custom';

/**
 * The base URL (scheme, host, optional port and path prefix, no trailing slash) that every
 * request of this credential goes to. Throws with a fix when a custom URL is unusable, so the
 * mistake shows up in the credential test and on the first request rather than as a DNS error.
 */
export function resolveBaseUrl(credentials: ICredentialDataDecryptedObject): string {
	const environment = (credentials.environment || 'production') as Environment;
	if (environment !== 'custom') {
		const baseUrl = ENVIRONMENT_BASE_URLS[environment];
		if (!baseUrl) {
			throw new Error(`Unknown iMBRACE environment "${environment}": choose one in the credential`);
		}
		return baseUrl;
	}

	const raw = String(credentials.baseUrl ?? '').trim();
	if (!/^https?:\/\/[^/\s]+/i.test(raw)) {
		throw new Error(
			`The Base URL of the iMBRACE credential must be an absolute http(s) URL such as https://app-gateway.example.com, got ${raw ? `"${raw}"` : 'nothing'}`,
		);
	}
	return raw.replace(/\/+$/, '');
}

/** The header and value that carry the credential's token or key. */
export function tokenHeader(credentials: ICredentialDataDecryptedObject): Record<string, string> {
	const header = credentials.authType === 'apiKey' ? 'x-api-key' : 'x-access-token';
	return { [header]: String(credentials.accessToken ?? '') };
}

/** The credential's Routes; credentials saved before it existed mean Auto. */
export function routesSetting(credentials: ICredentialDataDecryptedObject): RoutesSetting {
	const { routes } = credentials;
	return routes === 'current' || routes === 'documented' ? routes : 'auto';
}
