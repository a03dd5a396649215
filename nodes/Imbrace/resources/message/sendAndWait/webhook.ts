import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import {
	answeredPage,
	approvalPage,
	automatedRequestPage,
	failurePage,
	freeTextPage,
} from './page';
import { approvalLabels, DEFAULT_RESPOND_LABEL, sentMessageKey } from './fields';

/**
 * The webhooks n8n resumes a waiting Send and Wait for Response through (n8n's own pair, see
 * n8n-nodes-base's sendAndWait utilities): GET shows a page, POST answers. A constant, not an
 * inline array: n8n's community lint rule `webhook-lifecycle-complete` flags inline `webhooks`
 * arrays on nodes without webhook lifecycle methods, which a waiting node does not need.
 */
export const SEND_AND_WAIT_WEBHOOKS = [
	{
		name: 'default' as const,
		httpMethod: 'GET' as const,
		responseMode: 'onReceived',
		responseData: '',
		path: '={{ $nodeId }}',
		restartWebhook: true,
		isFullPath: true,
	},
	{
		name: 'default' as const,
		httpMethod: 'POST' as const,
		responseMode: 'onReceived',
		responseData: '',
		path: '={{ $nodeId }}',
		restartWebhook: true,
		isFullPath: true,
	},
];

/**
 * User agents of the services that open a link by themselves to show its preview in a chat, and
 * of other automated fetchers; lower case, matched anywhere in the header. Chat apps and link
 * scanners open links before (or without) the person: their requests answer nothing.
 */
const AUTOMATED_AGENTS = [
	'whatsapp',
	'facebookexternalhit',
	'facebookcatalog',
	'meta-externalagent',
	'slackbot',
	'slack-linkexpanding',
	'slack-imgproxy',
	'telegrambot',
	'discordbot',
	'skypeuripreview',
	'skype-url-preview',
	'microsoftpreview',
	'microsoft preview',
	'bingpreview',
	'bingbot',
	'msnbot',
	'teams',
	'twitterbot',
	'linkedinbot',
	'pinterestbot',
	'redditbot',
	'applebot',
	'googlebot',
	'google-pagerenderer',
	'google-inspectiontool',
	'line-poker',
	'mastodon/',
	'iframely',
	'embedly',
	'vkshare',
	'yandexbot',
	'baiduspider',
	'duckduckbot',
	'headlesschrome',
	'preview',
	'crawler',
	'spider',
];

/**
 * Whether a request comes from a link preview or another automated fetcher rather than from a
 * person's browser. A browser always sends a user agent; Microsoft's preview service sends none
 * when a link is posted in Teams.
 */
export function isAutomatedRequest(userAgent: unknown): boolean {
	if (typeof userAgent !== 'string' || !userAgent.trim()) return true;
	const agent = userAgent.toLowerCase();
	return AUTOMATED_AGENTS.some((name) => agent.includes(name));
}

interface Response {
	status(code: number): Response;
	setHeader(name: string, value: string): void;
	send(body: string): void;
}

/** Sandboxed like n8n's own forms: no script, nothing loaded from elsewhere, not in a frame. */
const PAGE_HEADERS = {
	'Content-Type': 'text/html; charset=utf-8',
	'Cache-Control': 'no-store',
	'X-Robots-Tag': 'noindex, nofollow',
	'Content-Security-Policy':
		"default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'",
};

function respond(context: IWebhookFunctions, status: number, html: string): IWebhookResponseData {
	const response = context.getResponseObject() as unknown as Response;
	response.status(status);
	for (const [name, value] of Object.entries(PAGE_HEADERS)) response.setHeader(name, value);
	response.send(html);
	return { noWebhookResponse: true };
}

/** The message the node sent before it began to wait (see sentMessageKey); null where unknown. */
function sentMessage(context: IWebhookFunctions): IDataObject {
	const key = sentMessageKey(context.getNode().id);
	let kept = '';
	try {
		// n8n 1.x has custom data in expressions only (see keepSentMessage).
		kept = String(
			(Reflect.has(context, 'customData')
				? context.customData.get(key)
				: context.evaluateExpression(
						`{{ $execution.customData.get(${JSON.stringify(key)}) }}`,
						0,
					)) ?? '',
		);
	} catch {
		// The output names no message; the answer itself is not affected.
	}
	const [messageId, conversationId] = kept.split(' ');
	return { message_id: messageId || null, conversation_id: conversationId || null };
}

function answered(context: IWebhookFunctions, data: IDataObject): IWebhookResponseData {
	respond(context, 200, answeredPage());
	return {
		noWebhookResponse: true,
		workflowData: [
			[{ json: { data, ...sentMessage(context), answered_at: new Date().toISOString() } }],
		],
	};
}

/**
 * The webhook of Send and Wait for Response. n8n calls it only for a link it signed for this
 * waiting node (a changed or reused link never gets here). A GET only shows a page, a POST from a
 * person answers, and nothing from a link preview or another automated fetcher answers, whatever
 * its method. It never throws: n8n would end the waiting execution with the error.
 */
export async function sendAndWaitWebhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	try {
		const request = this.getRequestObject() as unknown as {
			method: string;
			headers: Record<string, unknown>;
		};
		const message = String(this.getNodeParameter('message', '') ?? '');
		const responseType = this.getNodeParameter('responseType', 'approval') as string;
		if (isAutomatedRequest(request.headers['user-agent'])) {
			return respond(this, request.method === 'GET' ? 200 : 403, automatedRequestPage());
		}
		if (responseType === 'freeText') {
			const buttonLabel = String(
				this.getNodeParameter('options.messageButtonLabel', DEFAULT_RESPOND_LABEL) ||
					DEFAULT_RESPOND_LABEL,
			);
			if (request.method !== 'POST') return respond(this, 200, freeTextPage(message, buttonLabel));
			const text = (this.getBodyData() ?? {}).text;
			if (typeof text !== 'string' || !text.trim()) {
				return respond(
					this,
					400,
					freeTextPage(message, buttonLabel, 'Please write your answer before sending it.'),
				);
			}
			return answered(this, { text });
		}
		const approved = (this.getQueryData() as IDataObject).approved === 'true';
		const labels = approvalLabels(
			this.getNodeParameter('approvalOptions.values', {}) as IDataObject,
		);
		if (request.method !== 'POST') {
			return respond(this, 200, approvalPage(message, approved ? labels.approve : labels.decline));
		}
		return answered(this, { approved });
	} catch {
		return respond(this, 500, failurePage());
	}
}
