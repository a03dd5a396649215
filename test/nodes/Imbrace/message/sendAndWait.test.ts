import { Container } from '@n8n/di';
import { InstanceSettings, validateUrlSignature } from 'n8n-core';
import type { INodeProperties, INodePropertyCollection, INodePropertyOptions } from 'n8n-workflow';
import { SEND_AND_WAIT_OPERATION, WAIT_INDEFINITELY } from 'n8n-workflow';

import { isAutomatedRequest } from '../../../../nodes/Imbrace/resources/message/sendAndWait/webhook';

import type { Execution } from '../../../harness/engine';
import { execute, runNode } from '../../../harness/engine';
import { byId, useSandbox } from '../../../harness/sandbox';
import { callWebhook, imbraceDescription, resume } from '../../../harness/waiting';

const SEND = '/channel-service/v1/conversation_messages';
/** Where the harness's n8n serves waiting webhooks, and its execution and node IDs. */
const RESUME_BASE =
	'http://localhost:5678/webhookWaitingBaseUrl/test-execution/f4b0c2d6-0000-4000-8000-000000000001';
const BROWSER =
	'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const PREVIEW_AGENTS = [
	'WhatsApp/2.23.20.0 A',
	'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)',
	'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)',
	'Slackbot 1.0 (+https://api.slack.com/robots)',
	'TelegramBot (like TwitterBot)',
	'Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)',
	'Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5 skype-url-preview@microsoft.com',
	'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36 Microsoft Preview',
	'MicrosoftPreview/2.0 +https://aka.ms/MicrosoftPreview',
	'Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/534+ (KHTML, like Gecko) BingPreview/1.0b',
	'',
];

describe('iMBRACE node: message Send and Wait for Response', () => {
	const fixture = useSandbox();

	function parameters(extra: Record<string, unknown> = {}) {
		return {
			resource: 'message',
			operation: 'sendAndWait',
			conversationId: byId(fixture.sandbox.ids.conversationIds[0]),
			message: 'May we book the repair for Monday at 10:00?',
			...extra,
		};
	}

	async function waitFor(extra: Record<string, unknown> = {}, items?: Array<{ json: object }>) {
		return await execute({
			parameters: parameters(extra),
			credentials: fixture.credentials(),
			items: items as never,
		});
	}

	function sends() {
		return fixture.sandbox.requests().filter((r) => r.method === 'POST' && r.path === SEND);
	}

	/** The links of the sent text, by label. */
	function linksOf(text: string): Record<string, string> {
		return Object.fromEntries(
			[...text.matchAll(/^(.+): (http\S+)$/gm)].map(([, label, url]) => [label, url]),
		);
	}

	function queryOf(link: string) {
		return Object.fromEntries(new URL(link).searchParams);
	}

	const DOUBLE = {
		approvalOptions: {
			values: { approvalType: 'double', approveLabel: 'Yes, book it', disapproveLabel: 'No' },
		},
	};

	it('sends one text message with the signed links, then waits without limit', async () => {
		const waiting = await waitFor(DOUBLE);

		expect(waiting.run.status).toBe('waiting');
		expect(waiting.run.waitTill).toEqual(WAIT_INDEFINITELY);
		const [send] = sends();
		expect(sends()).toHaveLength(1);
		const body = send.body as { text: string };
		const secret = Container.get(InstanceSettings).hmacSignatureSecret;
		const links = linksOf(body.text);
		expect(Object.keys(links)).toEqual(['Yes, book it', 'No']);
		for (const [link, approved] of [
			[links['Yes, book it'], 'true'],
			[links.No, 'false'],
		]) {
			const url = new URL(link);
			expect(`${url.origin}${url.pathname}`).toBe(RESUME_BASE);
			expect(url.searchParams.get('approved')).toBe(approved);
			expect(validateUrlSignature(url.searchParams.get('signature')!, url, secret)).toBe(true);
		}
		expect(send.body).toEqual({
			conversation_id: fixture.sandbox.ids.conversationIds[0],
			type: 'text',
			text: `May we book the repair for Monday at 10:00?\n\nYes, book it: ${links['Yes, book it']}\nNo: ${links.No}`,
		});
		// A link whose choice was changed no longer carries a valid signature.
		const flipped = new URL(links.No);
		flipped.searchParams.set('approved', 'true');
		expect(validateUrlSignature(flipped.searchParams.get('signature')!, flipped, secret)).toBe(
			false,
		);
	});

	it('sends for the first item only, with one Approve link by default', async () => {
		const waiting = await waitFor({}, [{ json: { n: 0 } }, { json: { n: 1 } }, { json: { n: 2 } }]);

		expect(waiting.run.status).toBe('waiting');
		expect(sends()).toHaveLength(1);
		expect(Object.keys(linksOf((sends()[0].body as { text: string }).text))).toEqual(['Approve']);
	});

	it.each([
		['minutes', 5, 5 * 60_000],
		['hours', 2, 2 * 3_600_000],
		['days', 1.5, 1.5 * 86_400_000],
	])('waits at most the interval set (%s)', async (resumeUnit, resumeAmount, ms) => {
		const before = Date.now();
		const waiting = await waitFor({
			options: {
				limitWaitTime: { values: { limitType: 'afterTimeInterval', resumeAmount, resumeUnit } },
			},
		});

		const waitTill = (waiting.run.waitTill as Date).getTime();
		expect(waitTill).toBeGreaterThanOrEqual(before + ms);
		expect(waitTill).toBeLessThanOrEqual(Date.now() + ms);
	});

	it('waits at most until the time set', async () => {
		const waiting = await waitFor({
			options: {
				limitWaitTime: {
					values: { limitType: 'atSpecifiedTime', maxDateAndTime: '2031-01-02T03:04:05.000Z' },
				},
			},
		});

		expect(waiting.run.waitTill).toEqual(new Date('2031-01-02T03:04:05.000Z'));
	});

	it('sends nothing for an empty message or a limit that is not a time', async () => {
		const empty = await runNode({
			parameters: parameters({ message: '  ' }),
			credentials: fixture.credentials(),
		});
		const badTime = await runNode({
			parameters: parameters({
				options: {
					limitWaitTime: { values: { limitType: 'atSpecifiedTime', maxDateAndTime: 'soon' } },
				},
			}),
			credentials: fixture.credentials(),
		});

		expect(empty.error?.message).toBe('The Message is empty [item 0]');
		expect(badTime.error?.message).toBe(
			'The Max Date and Time "soon" is not a date and time [item 0]',
		);
		expect(empty.run.waitTill).toBeUndefined();
		expect(sends()).toHaveLength(0);
	});

	describe('the page a link opens', () => {
		let waiting: Execution;
		let links: Record<string, string>;
		let messageId: string;

		beforeEach(async () => {
			waiting = await waitFor(DOUBLE);
			links = linksOf((sends()[0].body as { text: string }).text);
			messageId = String(
				(
					waiting.run.data.resultData.runData.iMBRACE[0].data!.main[0]![0].json as {
						message_id: string;
					}
				).message_id,
			);
		});

		it('shows the question and a button on GET, and decides nothing', async () => {
			const answer = await callWebhook(waiting, {
				method: 'GET',
				query: queryOf(links['Yes, book it']),
				headers: { 'user-agent': BROWSER },
			});

			expect(answer.status).toBe(200);
			expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
			expect(answer.body).toContain('May we book the repair for Monday at 10:00?');
			expect(answer.body).toContain('<form method="post" action="">');
			expect(answer.body).toContain('Yes, book it</button>');
			expect(answer.result).toEqual({ noWebhookResponse: true });
		});

		it.each(PREVIEW_AGENTS)(
			'decides nothing for a link preview, even by POST: "%s"',
			async (agent) => {
				for (const method of ['GET', 'POST'] as const) {
					const answer = await callWebhook(waiting, {
						method,
						query: queryOf(links['Yes, book it']),
						headers: { 'user-agent': agent },
					});
					expect(answer.result.workflowData).toBeUndefined();
					expect(answer.status).toBe(method === 'GET' ? 200 : 403);
					expect(answer.body).not.toContain('<form');
				}
			},
		);

		it("takes the person's POST as the answer and resumes with it", async () => {
			const before = new Date().toISOString();
			const answer = await callWebhook(waiting, {
				method: 'POST',
				query: queryOf(links['Yes, book it']),
				headers: { 'user-agent': BROWSER },
				body: { confirm: '1' },
			});

			expect(answer.status).toBe(200);
			expect(answer.body).toContain('Your answer has been recorded');
			const [[item]] = answer.result.workflowData!;
			expect(item.json).toEqual({
				data: { approved: true },
				message_id: messageId,
				conversation_id: fixture.sandbox.ids.conversationIds[0],
				answered_at: expect.any(String),
			});
			expect(messageId).toMatch(/^msg_/);
			expect(String(item.json.answered_at) >= before).toBe(true);

			const output = await resume(waiting, answer);
			expect(output.map(({ json }) => json)).toEqual([item.json]);
		});

		it('answers approved false from the decline link', async () => {
			const answer = await callWebhook(waiting, {
				method: 'POST',
				query: queryOf(links.No),
				headers: { 'user-agent': BROWSER },
			});

			expect(answer.result.workflowData![0][0].json.data).toEqual({ approved: false });
		});
	});

	describe('free text', () => {
		let waiting: Execution;
		let link: string;

		beforeEach(async () => {
			waiting = await waitFor({
				responseType: 'freeText',
				options: { messageButtonLabel: 'Answer here' },
			});
			const links = linksOf((sends()[0].body as { text: string }).text);
			expect(Object.keys(links)).toEqual(['Answer here']);
			link = links['Answer here'];
		});

		it('shows a form on GET and takes the text from the POST', async () => {
			const page = await callWebhook(waiting, {
				method: 'GET',
				query: queryOf(link),
				headers: { 'user-agent': BROWSER },
			});
			const answer = await callWebhook(waiting, {
				method: 'POST',
				query: queryOf(link),
				headers: { 'user-agent': BROWSER },
				body: { text: 'Tuesday would be better' },
			});

			expect(page.body).toContain('<textarea name="text"');
			expect(page.result.workflowData).toBeUndefined();
			expect(answer.result.workflowData![0][0].json).toMatchObject({
				data: { text: 'Tuesday would be better' },
				conversation_id: fixture.sandbox.ids.conversationIds[0],
			});
		});

		it.each([{}, { text: '' }, { text: ' \n\t ' }])(
			'refuses a blank answer on the server: %j',
			async (body) => {
				const answer = await callWebhook(waiting, {
					method: 'POST',
					query: queryOf(link),
					headers: { 'user-agent': BROWSER },
					body,
				});

				expect(answer.status).toBe(400);
				expect(answer.body).toContain('Please write your answer');
				expect(answer.result.workflowData).toBeUndefined();
			},
		);
	});
});

describe('Send and Wait for Response, as n8n sees the node', () => {
	it("has n8n's own parameter names and values, and the webhook pair n8n resumes through", async () => {
		const description = await imbraceDescription();
		const properties = description.properties.filter((property) =>
			property.displayOptions?.show?.operation?.includes('sendAndWait'),
		);
		const byName = (name: string) => properties.filter((property) => property.name === name);
		const values = (property: INodeProperties | undefined) =>
			(property?.options as INodePropertyOptions[] | undefined)?.map((option) => option.value);
		const fields = (property: INodeProperties) =>
			((property.options as INodePropertyCollection[])[0].values ?? []).map((field) => field.name);

		expect(properties.map((property) => property.name)).toEqual([
			'conversationId',
			'sendAndWaitNotice',
			'message',
			'responseType',
			'approvalOptions',
			'options',
			'options',
		]);
		expect(values(byName('responseType')[0])).toEqual(['approval', 'freeText']);
		expect(fields(byName('approvalOptions')[0])).toEqual([
			'approvalType',
			'approveLabel',
			'disapproveLabel',
		]);
		const approvalType = (byName('approvalOptions')[0].options as INodePropertyCollection[])[0]
			.values[0];
		expect(values(approvalType)).toEqual(['single', 'double']);
		for (const options of byName('options')) {
			const limit = (options.options as INodeProperties[]).find(
				(option) => option.name === 'limitWaitTime',
			)!;
			expect(fields(limit)).toEqual(['limitType', 'resumeAmount', 'resumeUnit', 'maxDateAndTime']);
			const [limitType, , resumeUnit] = (limit.options as INodePropertyCollection[])[0].values;
			expect(values(limitType)).toEqual(['afterTimeInterval', 'atSpecifiedTime']);
			expect(values(resumeUnit)).toEqual(['minutes', 'hours', 'days']);
		}
		// What n8n 2.x looks for to offer the node as an agent's "Human review" tool (HitlTool).
		expect(
			description.webhooks?.map(({ httpMethod, path, restartWebhook, isFullPath }) => ({
				httpMethod,
				path,
				restartWebhook,
				isFullPath,
			})),
		).toEqual(
			['GET', 'POST'].map((httpMethod) => ({
				httpMethod,
				path: '={{ $nodeId }}',
				restartWebhook: true,
				isFullPath: true,
			})),
		);
		expect(
			description.properties
				.filter((property) => property.name === 'operation')
				.some((property) => values(property)?.includes(SEND_AND_WAIT_OPERATION)),
		).toBe(true);
	});

	it('answers true only for link previews and other automated fetchers', () => {
		for (const agent of [...PREVIEW_AGENTS, undefined, '   '])
			expect(isAutomatedRequest(agent)).toBe(true);
		for (const agent of [
			BROWSER,
			'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
			'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
			'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/470.0]',
			'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/131.0 Mobile Safari/537.36 Line/14.19.1',
			'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
			'node',
		])
			expect(isAutomatedRequest(agent)).toBe(false);
	});
});
