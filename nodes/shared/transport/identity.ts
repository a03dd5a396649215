import type { IDataObject } from 'n8n-workflow';

import type { Requester, TokenState } from './requester';

/** Who the caller is (the inbox contract's §9); the one path here that every gateway family shares. */
const ME_PATH = '/platform/v1/users/_me';

/**
 * Who the credential's token is, by iMBRACE's own answer: the `from` that its messages carry.
 * iMBRACE will not say for a scoped API key (the API-key gate refuses the path), a contact token,
 * or on a gateway that does not route the path; `refused` then says which.
 */
export type Identity =
	| { id: string; isBot: boolean }
	| { id?: undefined; refused: 'scopedApiKey' | 'notAUser' | 'notOffered' };

function identityFrom(status: number, body: unknown): Identity {
	const user = (typeof body === 'object' && body !== null ? body : {}) as IDataObject;
	if (status < 300 && typeof user.id === 'string' && user.id) {
		return { id: user.id, isBot: user.is_bot === true };
	}
	// The API-key gate's refusals carry an `error` field; iMBRACE's services do not.
	if (status === 403 && typeof user.error === 'string') return { refused: 'scopedApiKey' };
	if (status === 404) return { refused: 'notOffered' };
	return { refused: 'notAUser' };
}

/** The answers, by token: the answer does not change while the token lives. */
const identities = new WeakMap<TokenState, Promise<Identity>>();

/**
 * Asks iMBRACE who the token is, once per token and process. A refusal is an answer; a rate limit
 * or an outage fails the call as any read does, and the next call asks again.
 */
export async function identityOf(requester: Requester): Promise<Identity> {
	const { token } = requester;
	let identity = identities.get(token);
	if (!identity) {
		identity = requester
			.answer({ request: { method: 'GET', url: ME_PATH } }, [401, 403, 404])
			.then(({ statusCode, body }) => identityFrom(statusCode, body));
		identities.set(token, identity);
		// An outage says nothing about the token: the next call asks again.
		identity.catch(() => identities.delete(token));
	}
	return await identity;
}
