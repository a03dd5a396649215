import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { IHttpRequestOptions } from 'n8n-workflow';

import { testCredential } from '../harness/credential-test';
import { runNode } from '../harness/engine';
import { CREDENTIAL_TYPE, loadPackage } from '../harness/package';
import { sandboxCredentials, useSandbox } from '../harness/sandbox';
import { startSandbox } from '../sandbox';
import type { RoutesMode, Sandbox } from '../sandbox';

const channelCounts = { resource: 'conversation', operation: 'getChannelCounts', view: 'all' };

describe('iMBRACE API credential', () => {
	const fixture = useSandbox();

	it('sends an access token as x-access-token, and nothing else of the credential', async () => {
		const { sandbox } = fixture;
		const run = await runNode({ parameters: channelCounts, credentials: fixture.credentials() });

		expect(run.error).toBeUndefined();
		const [request] = sandbox.requests();
		expect(request.headers['x-access-token']).toBe(sandbox.tokens.agent);
		expect(request.headers['x-api-key']).toBeUndefined();
		expect(run.output).toHaveLength(1);
	});

	it('sends an API key as x-api-key', async () => {
		const { sandbox } = fixture;
		const run = await runNode({
			parameters: channelCounts,
			credentials: fixture.credentials({ authType: 'apiKey', accessToken: sandbox.tokens.apiKey }),
		});

		expect(run.error).toBeUndefined();
		const [request] = sandbox.requests();
		expect(request.headers['x-api-key']).toBe(sandbox.tokens.apiKey);
		expect(request.headers['x-access-token']).toBeUndefined();
	});

	it('accepts a custom base URL with trailing slashes', async () => {
		const run = await runNode({
			parameters: channelCounts,
			credentials: fixture.credentials({ baseUrl: `${fixture.sandbox.url}//` }),
		});

		expect(run.error).toBeUndefined();
		expect(fixture.sandbox.requests().map((r) => r.path)).toEqual([
			'/channel-service/v1/channels/_conv_count',
		]);
	});

	it.each([
		['production', 'app-gateway.imbrace.co:443'],
		['demo', 'app-gateway.demo.imbrace.co:443'],
		['development', 'app-gateway.dev.imbrace.co:443'],
	])('aims the %s environment at %s', async (environment, host) => {
		// A proxy that only records where the request was headed: no request leaves the machine.
		const proxy = createServer();
		const targets: string[] = [];
		proxy.on('connect', (request, socket) => {
			targets.push(String(request.url));
			socket.destroy();
		});
		proxy.on('request', (request, response) => {
			targets.push(new URL(String(request.url)).host + ':443');
			response.destroy();
		});
		proxy.listen(0, '127.0.0.1');
		await once(proxy, 'listening');
		const { port } = proxy.address() as AddressInfo;

		const run = await runNode({
			parameters: { ...channelCounts, requestOptions: { proxy: `http://127.0.0.1:${port}` } },
			credentials: { environment, accessToken: 'acc_test-token-not-real' },
		});
		proxy.close();

		// The request and the node's own tries of it, and nothing anywhere else.
		expect(targets).toHaveLength(4);
		expect(new Set(targets)).toEqual(new Set([host]));
		expect(run.error).toBeDefined();
	});

	it("signs a request of n8n's HTTP Request node (an absolute uri) only for its own host", async () => {
		const { authenticate } = (await loadPackage()).credentialTypes[CREDENTIAL_TYPE].type;
		if (typeof authenticate !== 'function') throw new Error('authenticate is not a function');
		const credentials = fixture.credentials();
		// What n8n's older request helper (behind the HTTP Request node) hands the credential.
		const request = (uri: string) =>
			({ method: 'POST', uri, headers: {} }) as unknown as IHttpRequestOptions;
		const own = `${fixture.sandbox.url}/channel-service/v1/conversation_messages`;

		const signed = await authenticate(credentials, request(own));
		const elsewhere = await authenticate(credentials, request('https://example.com/messages'));

		expect(signed).toMatchObject({
			uri: own,
			headers: { 'x-access-token': fixture.sandbox.tokens.agent },
		});
		expect(signed).not.toHaveProperty('url');
		expect(signed).not.toHaveProperty('baseURL');
		expect(elsewhere).toMatchObject({ uri: 'https://example.com/messages', headers: {} });
	});

	describe('test', () => {
		const LIST = '/channel-service/v1/conversation_messages';
		const OK = { status: 'OK', message: 'Connection successful!' };

		it('passes with an agent token, listing one message of the routes the gateway serves', async () => {
			expect(await testCredential(fixture.credentials())).toEqual(OK);
			expect(fixture.sandbox.requests().map((r) => [r.method, r.path, r.query, r.status])).toEqual([
				// An agent token names no conversation: iMBRACE says so, after accepting the token.
				['GET', LIST, { limit: '1' }, 400],
			]);
		});

		it('passes with an API key, and with a contact token (which reads its own conversation)', async () => {
			const { tokens } = fixture.sandbox;
			expect(
				await testCredential(
					fixture.credentials({ authType: 'apiKey', accessToken: tokens.apiKey }),
				),
			).toEqual(OK);
			expect(await testCredential(fixture.credentials({ accessToken: tokens.contact }))).toEqual(
				OK,
			);
			expect(fixture.sandbox.requests().map((r) => r.status)).toEqual([400, 200]);
		});

		it("fails with iMBRACE's own message for a wrong token", async () => {
			expect(
				await testCredential(
					fixture.credentials({ accessToken: 'acc_00000000-0000-4000-8000-000000000000' }),
				),
			).toEqual({
				status: 'Error',
				message:
					'Unauthorized - Invalid token. Check the token and its type (Access Token or API Key), and that it was issued for the selected environment.',
			});
		});

		it("fails with iMBRACE's own message for an API key sent as an access token", async () => {
			const { tokens } = fixture.sandbox;
			const result = await testCredential(fixture.credentials({ accessToken: tokens.apiKey }));
			expect(result.status).toBe('Error');
			expect(result.message).toMatch(/^Unauthorized - Invalid token\. /);
		});

		it("fails with iMBRACE's own message for an empty token", async () => {
			const result = await testCredential(fixture.credentials({ accessToken: '' }));
			expect(result).toEqual({
				status: 'Error',
				message:
					'Unauthorized - API key or Access Token required. Check the token and its type (Access Token or API Key), and that it was issued for the selected environment.',
			});
		});

		it('fails with the gate\'s "Invalid API key" for a key iMBRACE does not know', async () => {
			const result = await testCredential(
				fixture.credentials({
					authType: 'apiKey',
					accessToken: 'api_00000000-0000-4000-8000-000000000000',
				}),
			);
			expect(result).toEqual({
				status: 'Error',
				message:
					'Invalid API key. Check the API key, that the Authentication Type is API Key, and that the key was issued for the selected environment.',
			});
		});

		it('fails with "Invalid API path" for a key limited to other paths, saying what it needs', async () => {
			const { tokens } = fixture.sandbox;
			const result = await testCredential(
				fixture.credentials({ authType: 'apiKey', accessToken: tokens.scopedApiKey }),
			);
			expect(result).toEqual({
				status: 'Error',
				message:
					"Invalid API path: this API key's permissions do not cover the Conversations API. In iMBRACE, give the key permissions for the Conversations API (or leave its permissions empty for full access), or use another key.",
			});
		});

		it('fails clearly for a custom base URL without a scheme', async () => {
			const result = await testCredential(
				fixture.credentials({ baseUrl: fixture.sandbox.url.replace('http://', '') }),
			);
			expect(result.status).toBe('Error');
			expect(result.message).toBe(
				`The Base URL of the iMBRACE credential must be an absolute http(s) URL such as https://app-gateway.example.com, got "${fixture.sandbox.url.replace('http://', '')}"`,
			);
			expect(fixture.sandbox.requests()).toEqual([]);
		});

		it('fails clearly for a server that answers like no iMBRACE gateway', async () => {
			const baseUrl = `${fixture.sandbox.url}/not-a-gateway`;
			const result = await testCredential(fixture.credentials({ baseUrl }));
			expect(result).toEqual({
				status: 'Error',
				message: `The server at ${baseUrl} did not answer like an iMBRACE gateway: it serves neither the current nor the documented routes of the Conversations API. Check the Environment, or the Base URL of a custom environment.`,
			});
		});

		it('fails for a gateway that is briefly down, saying so', async () => {
			fixture.sandbox.injectFault({ kind: 'html', status: 502, match: { path: LIST } });
			const result = await testCredential(fixture.credentials());
			expect(result).toEqual({
				status: 'Error',
				message:
					'The gateway answered with a web page instead of JSON: iMBRACE may be briefly unavailable (test again later), or the Base URL is not an iMBRACE gateway.',
			});
		});
	});

	describe.each<[RoutesMode, string[]]>([
		['current', []],
		['documented', ['/channel-service/v1/channels/_conv_count']],
		['both', []],
	])('test against a gateway that serves %s routes', (routes, unservedRequests) => {
		let sandbox: Sandbox;
		beforeEach(async () => {
			// A gateway this process has not seen: Auto has to find out.
			sandbox = await startSandbox({ routes });
		});
		afterEach(async () => await sandbox.close());

		const servedFamily = routes === 'documented' ? 'documented' : 'current';
		const unservedPath = (path: string) =>
			routes === 'current'
				? !path.startsWith('/channel-service/')
				: routes === 'documented' && path.startsWith('/channel-service/');

		it.each(['agent', 'apiKey', 'contact'] as const)(
			'passes with Auto for the %s token, asking the unserved family at most once',
			async (kind) => {
				const credentials = sandboxCredentials(sandbox, {
					authType: kind === 'apiKey' ? 'apiKey' : 'accessToken',
					accessToken: sandbox.tokens[kind],
				});
				expect(await testCredential(credentials)).toEqual({
					status: 'OK',
					message: 'Connection successful!',
				});
				expect(await testCredential(credentials)).toEqual({
					status: 'OK',
					message: 'Connection successful!',
				});
				const paths = sandbox.requests().map((request) => request.path);
				expect(paths.filter(unservedPath)).toEqual(unservedRequests);
				const list =
					servedFamily === 'current'
						? '/channel-service/v1/conversation_messages'
						: '/v1/backend/conversation_messages';
				expect(paths.filter((path) => path === list)).toHaveLength(2);
			},
		);

		it.each(['current', 'documented'] as const)(
			'with Routes forced to %s: passes when served, else names the family to choose',
			async (forced) => {
				const result = await testCredential(sandboxCredentials(sandbox, { routes: forced }));
				if (routes === 'both' || routes === forced) {
					expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
				} else {
					const other = forced === 'current' ? 'Documented' : 'Current';
					const name = forced === 'current' ? 'Current' : 'Documented';
					expect(result).toEqual({
						status: 'Error',
						message: `The gateway at ${sandbox.url} does not serve the ${name} routes: choose ${other} (or Auto) under Routes in the iMBRACE credential.`,
					});
				}
				// A forced family never reaches for the other one, unless to name it.
				const other = sandbox
					.requests()
					.filter(
						(request) => request.path.startsWith('/channel-service/') !== (forced === 'current'),
					);
				expect(other.length).toBeLessThanOrEqual(routes === 'both' || routes === forced ? 0 : 1);
			},
		);
	});
});
