import type { Server } from 'node:net';
import { createServer } from 'node:net';

import { sendWorkflows, MEASURED } from '../../scripts/bench/workflows';
import type { N8nInstance } from '../../scripts/n8n/instance';
import { execute, importWorkflows, startN8n } from '../../scripts/n8n/instance';
import { isPortFree } from '../../scripts/n8n/ports';
import type { Sandbox } from '../sandbox';
import { startSandbox } from '../sandbox';
import { outputOf, prepareN8n } from './n8n';

/**
 * n8n's default ports (editor, task broker, runner launcher and health check), the broker ports
 * the scripts once fixed for `n8n execute`, and the sandbox's default port.
 */
const USUAL_PORTS = [5678, 5679, 5680, 5681, 5690, 5691, 4010];

/** Listens on a port, as another n8n on the machine would; undefined when something already does. */
function occupy(port: number): Promise<Server | undefined> {
	return new Promise((resolve) => {
		const server = createServer();
		server.once('error', () => resolve(undefined));
		server.listen({ port, exclusive: true }, () => resolve(server));
	});
}

describe('n8n next to another n8n that holds the usual ports', () => {
	let sandbox: Sandbox;
	let n8n: N8nInstance;
	let occupied: Array<Server | undefined> = [];

	beforeAll(async () => {
		sandbox = await startSandbox();
		n8n = await prepareN8n(2, sandbox);
		occupied = await Promise.all(USUAL_PORTS.map(occupy));
	});

	afterAll(async () => {
		await Promise.all(
			occupied.map(
				(server) => new Promise((resolve) => (server ? server.close(resolve) : resolve(0))),
			),
		);
		await sandbox?.close();
	});

	it('finds every usual port taken', async () => {
		for (const port of USUAL_PORTS) expect(await isPortFree(port)).toBe(false);
	});

	it('runs a benchmark workflow (a Code node, so a task broker) through n8n execute', async () => {
		const conversationId = sandbox.addConversation();
		const { node } = sendWorkflows(conversationId, sandbox.url, 20);
		await importWorkflows(n8n, [node]);

		const run = await execute(n8n, node.id);

		expect(run.status).toBe('success');
		expect(outputOf(run, MEASURED)).toHaveLength(20);
	});

	it('starts n8n on a free port, with its task broker on another', async () => {
		const running = await startN8n(n8n, 5678);
		try {
			expect(running.port).not.toBe(5678);
			expect(USUAL_PORTS).not.toContain(running.brokerPort);
			expect((await fetch(`${running.url}/healthz/readiness`)).status).toBe(200);
		} finally {
			await running.stop();
		}
	});
});
