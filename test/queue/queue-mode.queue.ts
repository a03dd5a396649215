// The package in n8n 2.41.1 in queue mode: a main and two workers sharing Postgres and Redis
// (scripts/queue), against the sandbox. Executions run on the workers; the trigger polls on the
// main, which is stopped and started again while messages arrive.
import { createRequire } from 'node:module';
import { join } from 'node:path';

import { writeSandboxCredential } from '../../scripts/n8n/examples';
import { importFiles, importWorkflows, mustRun, signIn } from '../../scripts/n8n/instance';
import type { QueueCluster } from '../../scripts/queue/cluster';
import { startQueueCluster } from '../../scripts/queue/cluster';
import { callApi } from '../harness/sandbox';
import type { RecordedRequest, Sandbox, StoredMessage } from '../sandbox';
import { nextRequest, startSandbox } from '../sandbox';
import { REPLY_LOOP_ID, replyLoopWorkflow } from '../workflows';
import {
	SEND_WEBHOOK_PATH,
	SEND_WORKFLOW_ID,
	TRIGGER_NODE,
	TRIGGER_WORKFLOW_ID,
	sendWorkflow,
	triggerWorkflow,
} from './workflows';

const EXECUTIONS = 20;
const MESSAGES_PER_EXECUTION = 50;
/** The documented path of a conversation's messages (§5, §6), to read what the sandbox stored. */
const MESSAGES = '/v1/backend/conversation_messages';
/** A request to a conversation's messages in either route family the node may call. */
const isMessagesPath = (path: string) => path.endsWith('/conversation_messages');
/** Polls come once a minute; this leaves room for one late poll and a busy machine. */
const POLL_WAIT_MS = 150_000;
const FINISHED = new Set(['success', 'error', 'crashed', 'canceled']);

interface ExecutionSummary {
	id: string;
	status: string;
	mode: string;
}

/** A message as the trigger emits it (simplified); the test reads two of its fields. */
type Emitted = { id: string; text: string };

const textOf = (execution: number, item: number) => `execution ${execution} item ${item}`;

/** Waits for `done` to answer something other than undefined, checking every `everyMs`. */
async function waitFor<T>(
	what: string,
	done: () => Promise<T | undefined>,
	timeoutMs: number,
	everyMs = 1000,
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const result = await done();
		if (result !== undefined) return result;
		if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs / 1000} s: ${what}`);
		await new Promise((resolve) => setTimeout(resolve, everyMs));
	}
}

describe('n8n 2.41.1 in queue mode: a main, two workers, Postgres and Redis', () => {
	let sandbox: Sandbox;
	let cluster: QueueCluster;
	let cookie = '';
	let triggerConversationId: string;
	let loopConversationId: string;

	/** n8n's REST API as the owner, signing in again after a restart of the main. */
	async function rest<T>(path: string): Promise<T> {
		for (let attempt = 1; ; attempt++) {
			if (!cookie) cookie = await signIn(cluster.main.url);
			const response = await fetch(`${cluster.main.url}${path}`, { headers: { cookie } });
			if (response.status === 401 && attempt === 1) {
				cookie = '';
				continue;
			}
			if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
			return ((await response.json()) as { data: T }).data;
		}
	}

	async function executions(workflowId: string): Promise<ExecutionSummary[]> {
		const filter = encodeURIComponent(JSON.stringify({ workflowId }));
		const { results } = await rest<{ results: ExecutionSummary[] }>(
			`/rest/executions?filter=${filter}&limit=100`,
		);
		return results;
	}

	/** What n8n recorded of one execution's run (its flatted execution data, parsed). */
	async function resultOf(executionId: string) {
		const flatted = createRequire(join(cluster.runtime.dir, 'package.json'))('flatted') as {
			parse(text: string): {
				resultData: {
					runData: Record<string, Array<{ data?: { main: Array<Array<{ json: Emitted }>> } }>>;
					error?: { message: string };
					lastNodeExecuted?: string;
				};
			};
		};
		const execution = await rest<{ data: string }>(`/rest/executions/${executionId}`);
		return flatted.parse(execution.data).resultData;
	}

	/** The items the trigger emitted in one execution. */
	async function emittedBy(executionId: string): Promise<Emitted[]> {
		const { runData } = await resultOf(executionId);
		return (runData[TRIGGER_NODE]?.[0]?.data?.main[0] ?? []).map((item) => item.json);
	}

	/** Each execution that did not succeed, with the node and the error n8n recorded. */
	async function failures(runs: ExecutionSummary[]): Promise<string[]> {
		return await Promise.all(
			runs
				.filter((run) => run.status !== 'success')
				.map(async (run) => {
					const { error, lastNodeExecuted } = await resultOf(run.id);
					return `execution ${run.id} ${run.status} in ${lastNodeExecuted}: ${error?.message}`;
				}),
		);
	}

	/** A request of the trigger's poll: the watched conversation's messages. */
	const isPoll = (request: RecordedRequest) =>
		request.method === 'GET' &&
		isMessagesPath(request.path) &&
		request.query.conversation_id === triggerConversationId;

	/** Prints the cluster's logs when a test fails, then fails it. */
	const withLogsOnFailure = (test: () => Promise<void>) => async () => {
		try {
			await test();
		} catch (error) {
			console.error(`${(error as Error).message}\n\nThe cluster's logs:\n${cluster.logTails()}`);
			throw error;
		}
	};

	beforeAll(async () => {
		sandbox = await startSandbox();
		triggerConversationId = sandbox.addConversation();
		loopConversationId = sandbox.addConversation();
		cluster = await startQueueCluster({
			workers: 2,
			// Imported and published before the main starts, so that it activates both at start-up.
			async prepare(main) {
				const credentials = writeSandboxCredential(join(main.userFolder, 'import'), sandbox);
				await importFiles(main, { credentials: [credentials] });
				await importWorkflows(main, [
					sendWorkflow(),
					triggerWorkflow(triggerConversationId),
					replyLoopWorkflow(loopConversationId),
				]);
				for (const id of [SEND_WORKFLOW_ID, TRIGGER_WORKFLOW_ID, REPLY_LOOP_ID]) {
					await mustRun(main, ['publish:workflow', `--id=${id}`]);
				}
			},
		});
		await withLogsOnFailure(waitForActivation)();
	});

	/**
	 * n8n 2.41 activates published workflows in the background once it has started (its
	 * publication service): waits until it reports them as published and the trigger has polled.
	 */
	async function waitForActivation() {
		await waitFor(
			'n8n to publish the workflows',
			async () => {
				const statuses = await Promise.all(
					[SEND_WORKFLOW_ID, TRIGGER_WORKFLOW_ID, REPLY_LOOP_ID].map(
						async (id) =>
							(await rest<{ status: string }>(`/rest/workflows/${id}/publication-status`)).status,
					),
				);
				return statuses.every((status) => status === 'published') ? true : undefined;
			},
			3 * 60_000,
		);
		// Activating the trigger polls once; that poll only marks where the conversation stands.
		await waitFor(
			"the trigger's activation poll",
			async () => (sandbox.requests().some(isPoll) ? true : undefined),
			3 * 60_000,
			250,
		);
	}

	afterAll(async () => {
		await cluster?.stop();
		await sandbox?.close();
	});

	describe(`${EXECUTIONS} executions of ${MESSAGES_PER_EXECUTION} sends, all at once`, () => {
		let conversationIds: string[] = [];
		let runs: ExecutionSummary[] = [];

		beforeAll(withLogsOnFailure(sendAllAtOnce));

		/** Posts the 20 webhook calls at once and waits for their executions to finish. */
		async function sendAllAtOnce() {
			conversationIds = Array.from({ length: EXECUTIONS }, () => sandbox.addConversation());
			const answers = await Promise.all(
				conversationIds.map((conversationId, execution) =>
					fetch(`${cluster.main.url}/webhook/${SEND_WEBHOOK_PATH}`, {
						method: 'POST',
						headers: { 'content-type': 'application/json' },
						body: JSON.stringify({
							messages: Array.from({ length: MESSAGES_PER_EXECUTION }, (_, item) => ({
								conversationId,
								text: textOf(execution, item),
							})),
						}),
					}),
				),
			);
			expect(answers.map((answer) => answer.status)).toEqual(Array(EXECUTIONS).fill(200));
			runs = await waitFor(
				`${EXECUTIONS} finished executions of ${SEND_WORKFLOW_ID}`,
				async () => {
					const found = await executions(SEND_WORKFLOW_ID);
					const finished = found.filter((run) => FINISHED.has(run.status));
					return finished.length >= EXECUTIONS ? found : undefined;
				},
				5 * 60_000,
			);
		}

		it(
			'runs every execution to success, spread over both workers',
			withLogsOnFailure(async () => {
				expect(runs).toHaveLength(EXECUTIONS);
				expect(await failures(runs)).toEqual([]);
				expect(new Set(runs.map((run) => run.mode))).toEqual(new Set(['webhook']));
				// Each worker logs "Worker started execution <id>" for the jobs it takes from the queue.
				const ranBy = cluster.workers.map((worker) => worker.startedExecutions());
				console.log(
					`[queue] executions per worker: ${cluster.workers.map((worker, index) => `${worker.name} ${ranBy[index].length}`).join(', ')}`,
				);
				for (const started of ranBy) expect(started.length).toBeGreaterThan(0);
				expect(ranBy.flat().sort()).toEqual(runs.map((run) => run.id).sort());
			}),
		);

		/** Every message the sandbox stored in each conversation, oldest first. */
		async function storedTexts(): Promise<string[][]> {
			return await Promise.all(
				conversationIds.map(async (conversationId) => {
					const response = await fetch(
						`${sandbox.url}${MESSAGES}?conversation_id=${conversationId}&limit=100`,
						{ headers: { 'x-access-token': sandbox.tokens.agent } },
					);
					const page = (await response.json()) as {
						data: Array<{ content: { text: string } }>;
						has_more: boolean;
					};
					expect(page.has_more).toBe(false);
					return page.data.map((message) => message.content.text).reverse();
				}),
			);
		}

		it(
			`stores all ${EXECUTIONS * MESSAGES_PER_EXECUTION} messages, none lost and none duplicated`,
			withLogsOnFailure(async () => {
				const stored = await storedTexts();
				const lost: string[] = [];
				const duplicated: string[] = [];
				stored.forEach((texts, execution) => {
					for (let item = 0; item < MESSAGES_PER_EXECUTION; item++) {
						const copies = texts.filter((text) => text === textOf(execution, item)).length;
						if (copies === 0) lost.push(textOf(execution, item));
						if (copies > 1) duplicated.push(`${textOf(execution, item)} (${copies} times)`);
					}
				});
				expect({ lost, duplicated }).toEqual({ lost: [], duplicated: [] });
				expect(stored.flat()).toHaveLength(EXECUTIONS * MESSAGES_PER_EXECUTION);
				const sends = sandbox
					.requests()
					.filter((request) => request.method === 'POST' && isMessagesPath(request.path));
				expect(sends.filter((request) => request.status === 200)).toHaveLength(
					EXECUTIONS * MESSAGES_PER_EXECUTION,
				);
			}),
		);

		it(
			'stores each execution’s messages in item order',
			withLogsOnFailure(async () => {
				const stored = await storedTexts();
				// Per execution, the item numbers in the order the sandbox stored them.
				const outOfOrder = stored
					.map((texts, execution) => ({ execution, texts }))
					.filter(({ texts, execution }) =>
						texts.some((text, index) => text !== textOf(execution, index)),
					)
					.map(
						({ execution, texts }) =>
							`execution ${execution}: ${texts.map((text) => text.replace(/^.* item /, '')).join(' ')}`,
					);
				expect(outOfOrder).toEqual([]);
			}),
		);
	});

	it(
		'runs a reply loop whose sends run on the workers: one execution per contact message, none for its own replies or the same agent’s other messages',
		withLogsOnFailure(async () => {
			const isLoopPoll = (request: RecordedRequest) =>
				request.method === 'GET' && request.query.conversation_id === loopConversationId;
			const isLoopReply = (request: RecordedRequest) =>
				request.method === 'POST' &&
				isMessagesPath(request.path) &&
				(request.body as { conversation_id?: string }).conversation_id === loopConversationId;
			const texts = ['Where is my order?', 'Any news?'];
			for (const text of texts) {
				const reply = nextRequest(sandbox, isLoopReply, POLL_WAIT_MS);
				sandbox.addMessages({ conversationId: loopConversationId, text });
				expect((await reply).body).toMatchObject({ text: `Thanks, we got your message: ${text}` });
			}
			// The same agent writes from elsewhere (iMBRACE's dashboard, another n8n).
			await callApi(sandbox, MESSAGES, {
				method: 'POST',
				body: { conversation_id: loopConversationId, type: 'text', text: 'From the dashboard' },
			});
			// Two more polls read the second reply and the agent's message, and pass over both.
			await nextRequest(sandbox, isLoopPoll, POLL_WAIT_MS);
			await nextRequest(sandbox, isLoopPoll, POLL_WAIT_MS);
			const runs = await waitFor(
				'the reply executions to finish',
				async () => {
					const found = await executions(REPLY_LOOP_ID);
					return found.every((run) => FINISHED.has(run.status)) ? found : undefined;
				},
				60_000,
			);

			expect(await failures(runs)).toEqual([]);
			expect(runs.map((run) => run.mode)).toEqual(['trigger', 'trigger']);
			const ranOnWorkers = new Set(cluster.workers.flatMap((worker) => worker.startedExecutions()));
			expect(runs.filter((run) => !ranOnWorkers.has(run.id))).toEqual([]);
			const stored = (await callApi(
				sandbox,
				`${MESSAGES}?conversation_id=${loopConversationId}&limit=100`,
			)) as { data: Array<{ content: { text: string } }> };
			expect(stored.data.map((message) => message.content.text).reverse()).toEqual([
				'Where is my order?',
				'Thanks, we got your message: Where is my order?',
				'Any news?',
				'Thanks, we got your message: Any news?',
				'From the dashboard',
			]);
		}),
	);

	it(
		'emits each new message exactly once while the main is stopped and started twice between polls',
		withLogsOnFailure(async () => {
			const conversationId = triggerConversationId;
			expect(await executions(TRIGGER_WORKFLOW_ID)).toEqual([]);
			const added: StoredMessage[] = [];
			const add = (text: string) => added.push(...sandbox.addMessages({ conversationId, text }));

			/** The trigger's executions so far, oldest first, with what each emitted; once none runs. */
			const emissions = async () => {
				const runs = (await executions(TRIGGER_WORKFLOW_ID)).sort(
					(a, b) => Number(a.id) - Number(b.id),
				);
				if (runs.some((run) => !FINISHED.has(run.status))) return undefined;
				const emitted = await Promise.all(runs.map(async (run) => await emittedBy(run.id)));
				return { runs, emitted };
			};
			/** Waits until every message added so far has been emitted and its execution has run. */
			const allEmitted = () =>
				waitFor(
					`executions that emit all ${added.length} messages added so far`,
					async () => {
						const found = await emissions();
						const emittedIds = new Set(found?.emitted.flat().map((message) => message.id));
						return added.every((message) => emittedIds.has(message.id)) ? true : undefined;
					},
					POLL_WAIT_MS,
				);
			/**
			 * Stops the main, adds a message while it is down, starts it and waits for the poll that
			 * activating the trigger again makes at once. Called right after a poll, so that the stop
			 * falls between polls: n8n 2.41.1 saves a legacy cursor before it queues the execution, and
			 * a main stopped in that moment loses the poll's messages (see the README).
			 */
			const restartMain = async (restart: number) => {
				await cluster.main.stop();
				add(`while the main is stopped (${restart})`);
				const activationPoll = nextRequest(sandbox, isPoll, 3 * 60_000);
				await cluster.main.start();
				await activationPoll;
			};

			// A poll has just found nothing new; the next is a minute away.
			await nextRequest(sandbox, isPoll, POLL_WAIT_MS);
			add('before the restarts');
			await restartMain(1);
			await allEmitted();
			add('between the restarts');
			// Its scheduled poll emits it; the restart follows that poll.
			await allEmitted();
			await restartMain(2);
			await allEmitted();
			add('after the restarts');
			await allEmitted();
			// One more poll must pass without emitting anything again.
			await nextRequest(sandbox, isPoll, POLL_WAIT_MS);
			const { runs, emitted } = await waitFor('the executions to finish', emissions, 60_000);

			expect(await failures(runs)).toEqual([]);
			expect(new Set(runs.map((run) => run.mode))).toEqual(new Set(['trigger']));
			// Each message once, oldest first within and across the executions.
			const emittedInOrder = emitted.flat();
			expect(emittedInOrder.map((message) => message.text)).toEqual(
				added.map((message) => (message.content as { text: string }).text),
			);
			expect(emittedInOrder.map((message) => message.id)).toEqual(
				added.map((message) => message.id),
			);
			console.log(
				`[queue] the trigger emitted ${added.length} messages in ${runs.length} executions: ${emitted.map((messages) => messages.length).join(' + ')}`,
			);
		}),
	);
});
