import { sandboxCredential } from '../../scripts/n8n/examples';
import type { N8nInstance, RunningN8n } from '../../scripts/n8n/instance';
import { execute, signIn, startN8n } from '../../scripts/n8n/instance';
import type { Sandbox } from '../sandbox';
import { startSandbox } from '../sandbox';
import { outputOf, prepareN8n, startByHand } from './n8n';

/**
 * A gateway as iMBRACE most likely runs it in production: it serves only the /channel-service
 * routes. The credential's Routes stays on Auto, as a user leaves it.
 */
describe('a gateway that serves only the current routes, in real n8n 2.x', () => {
	let sandbox: Sandbox;
	let instance: N8nInstance;
	let n8n: RunningN8n | undefined;

	beforeAll(async () => {
		sandbox = await startSandbox({ routes: 'current', now: Date.now() });
		instance = await prepareN8n(2, sandbox, startByHand);
	});

	afterAll(async () => {
		await n8n?.stop();
		await sandbox?.close();
	});

	it('runs the send-file example on the current routes, after one probe', async () => {
		sandbox.clearRequests();

		const run = await execute(instance, 'imbraceSendFile1');

		expect(run.status).toBe('success');
		expect(outputOf(run, 'Send as PDF')).toHaveLength(1);
		expect(
			sandbox.requests().map((request) => [request.method, request.path, request.status]),
		).toEqual([
			['GET', '/channel-service/v1/channels/_conv_count', 200],
			['POST', '/channel-service/v1/conversation_messages/_fileupload', 200],
			['POST', '/channel-service/v1/conversation_messages', 200],
		]);
	});

	it("passes n8n's own credential test for every kind of token, and says what is wrong", async () => {
		n8n = await startN8n(instance);
		const cookie = await signIn(n8n.url);
		const test = async (data: Record<string, unknown>) => {
			const credentials = sandboxCredential(sandbox);
			const response = await fetch(`${n8n!.url}/rest/credentials/test`, {
				method: 'POST',
				headers: { cookie, 'content-type': 'application/json' },
				body: JSON.stringify({
					credentials: { ...credentials, data: { ...credentials.data, ...data } },
				}),
			});
			return ((await response.json()) as { data: unknown }).data;
		};
		const { tokens } = sandbox;
		const ok = { status: 'OK', message: 'Connection successful!' };

		expect(await test({})).toEqual(ok);
		expect(await test({ accessToken: tokens.contact })).toEqual(ok);
		expect(await test({ authType: 'apiKey', accessToken: tokens.apiKey })).toEqual(ok);
		expect(await test({ accessToken: 'acc_00000000-0000-4000-8000-000000000000' })).toEqual({
			status: 'Error',
			message:
				'Unauthorized - Invalid token. Check the token and its type (Access Token or API Key), and that it was issued for the selected environment.',
		});
		expect(
			await test({ authType: 'apiKey', accessToken: 'api_00000000-0000-4000-8000-000000000000' }),
		).toEqual({
			status: 'Error',
			message:
				'Invalid API key. Check the API key, that the Authentication Type is API Key, and that the key was issued for the selected environment.',
		});
		expect(await test({ authType: 'apiKey', accessToken: tokens.scopedApiKey })).toEqual({
			status: 'Error',
			message:
				"Invalid API path: this API key's permissions do not cover the Conversations API. In iMBRACE, give the key permissions for the Conversations API (or leave its permissions empty for full access), or use another key.",
		});
		const forced = (await test({ routes: 'documented' })) as { status: string; message: string };
		expect(forced.status).toBe('Error');
		expect(forced.message).toContain(
			'does not serve the Documented routes: choose Current (or Auto) under Routes in the iMBRACE credential.',
		);
		// Auto never sent a request to the documented routes of this gateway.
		expect(
			sandbox
				.requests()
				.filter((request) => request.path.startsWith('/v'))
				.map((request) => request.path),
		).toEqual(['/v2/backend/channels/_conv_count']);
	});
});
