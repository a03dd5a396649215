import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { testCredential } from '../harness/credential-test';
import { runNode } from '../harness/engine';
import { useSandbox } from '../harness/sandbox';

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
			'/v2/backend/channels/_conv_count',
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

		expect(targets).toEqual([host]);
		expect(run.error).toBeDefined();
	});

	describe('test', () => {
		it('passes with a valid token on the chosen environment', async () => {
			expect(await testCredential(fixture.credentials())).toEqual({
				status: 'OK',
				message: 'Connection successful!',
			});
			expect(fixture.sandbox.requests().map((r) => [r.method, r.path, r.query])).toEqual([
				['GET', '/v2/backend/channels/_conv_count', { view: 'all' }],
			]);
		});

		it('passes with a valid API key', async () => {
			const { tokens } = fixture.sandbox;
			expect(
				await testCredential(
					fixture.credentials({ authType: 'apiKey', accessToken: tokens.apiKey }),
				),
			).toEqual({ status: 'OK', message: 'Connection successful!' });
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

		it('fails clearly for a server that is not an iMBRACE gateway', async () => {
			const result = await testCredential(
				fixture.credentials({ baseUrl: `${fixture.sandbox.url}/not-a-gateway` }),
			);
			expect(result).toEqual({
				status: 'Error',
				message:
					'The server did not answer like an iMBRACE gateway. Check the environment, or the Base URL of a custom environment.',
			});
		});
	});
});
