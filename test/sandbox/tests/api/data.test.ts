/** The seed: deterministic, varied enough for the contract, entirely in the past. */
import {
	CHANNEL_TYPES,
	CONVERSATION_STATUSES,
	MESSAGE_TYPES,
	MonotonicClock,
	Random,
	SEED_NOW_MS,
	createSeedStore,
	messageToApi,
} from '../../api/data';
import type { SandboxStore } from '../../api/data';

let store: SandboxStore;
beforeAll(() => {
	store = createSeedStore();
});

function snapshot(seeded: SandboxStore): string {
	return JSON.stringify({
		tokens: seeded.tokenSet,
		ids: seeded.ids,
		conversations: [...seeded.conversations.values()].map(({ messages, ...rest }) => ({
			...rest,
			messages: messages.map(messageToApi),
		})),
		contacts: [...seeded.contacts.values()],
	});
}

describe('determinism', () => {
	test('the same seed gives the same data, byte for byte', () => {
		expect(snapshot(createSeedStore())).toBe(snapshot(store));
	});

	test('the generator is a fixed sequence', () => {
		const random = new Random(1);
		expect([random.next(), random.int(1, 6), random.uuid()]).toEqual([
			0.6270739405881613,
			1,
			'8706c4eb-fb26-47fd-b7e7-9d2b47f66630',
		]);
	});

	test('known seeded values', () => {
		expect(store.tokenSet.agent).toBe('acc_666ffa68-0b87-4661-9088-ebc21931f26a');
		expect(store.tokenSet.apiKey).toBe('api_bc584574-2a31-4375-85c2-0579bf78ab8e');
		expect(store.tokenSet.scopedApiKey).toBe('api_41895d86-f7d6-427d-bda8-af4eadbba304');
		expect(store.ids.contactConversationId).toBe('conv_9308aa1f-bd40-4c24-aea6-114d9298a756');
		expect(store.ids.agentUserId).toBe('u_a9af39df-f69d-4630-9cce-c6029429b495');
	});
});

describe('shape of the seed', () => {
	const imbrace = () => store.requireOrganization('org_imbrace');

	test('sizes', () => {
		expect(imbrace().businessUnits).toHaveLength(3);
		expect(imbrace().teams).toHaveLength(6);
		expect(imbrace().conversations).toHaveLength(358);
		expect(imbrace().messages).toHaveLength(2967);
		expect(store.requireOrganization('org_other').conversations).toHaveLength(12);
		expect(store.requireOrganization('org_other').messages).toHaveLength(62);
	});

	test('channels of every type; wechat, email and wecom without conversations', () => {
		const types = new Set(imbrace().channels.map((channel) => channel.type));
		expect([...types].sort()).toEqual([...CHANNEL_TYPES].sort());
		const used = new Set(imbrace().conversations.map((conversation) => conversation.channelType));
		expect(CHANNEL_TYPES.filter((type) => !used.has(type))).toEqual(['wechat', 'email', 'wecom']);
	});

	test('conversations in every status, some without a team, some without messages', () => {
		const conversations = imbrace().conversations;
		const statuses = new Set(conversations.map((conversation) => conversation.status));
		expect([...statuses].sort()).toEqual([...CONVERSATION_STATUSES].sort());
		expect(
			conversations.filter((conversation) => conversation.teamId === null).length,
		).toBeGreaterThan(0);
		expect(
			conversations.filter((conversation) => conversation.messages.length === 0).length,
		).toBeGreaterThan(0);
	});

	test('messages of every type, from contacts, agents and the bot', () => {
		const messages = imbrace().messages;
		for (const type of MESSAGE_TYPES) {
			expect(messages.filter((message) => message.type === type).length).toBeGreaterThan(0);
		}
		const senders = new Set(messages.map((message) => message.from.split('_')[0]));
		expect([...senders].sort()).toEqual(['con', 'u']);
		expect(messages.some((message) => message.from === 'u_imbrace_bot')).toBe(true);
		expect(messages.some((message) => message.from === store.ids.agentUserId)).toBe(true);
	});

	test('groups of messages share one millisecond', () => {
		const messages = imbrace().messages;
		const shared = messages.filter(
			(message, index) => index > 0 && message.ms === messages[index - 1].ms,
		);
		expect(shared.length).toBeGreaterThan(10);
	});

	test('every timestamp lies before the seed now, and the indexes are sorted', () => {
		for (const organization of store.organizations.values()) {
			const { messages } = organization;
			for (let index = 1; index < messages.length; index++) {
				const [previous, current] = [messages[index - 1], messages[index]];
				expect(
					previous.ms < current.ms || (previous.ms === current.ms && previous.seq < current.seq),
				).toBe(true);
			}
			expect(messages[messages.length - 1].ms).toBeLessThan(SEED_NOW_MS);
			for (const conversation of organization.conversations) {
				expect(conversation.timestampMs).toBeLessThan(SEED_NOW_MS);
				if (conversation.messages.length > 0) {
					expect(conversation.timestampMs).toBeLessThanOrEqual(conversation.messages[0].ms);
				}
			}
		}
	});

	test('conversations are named like iMBRACE names them', () => {
		for (const conversation of imbrace().conversations) {
			expect(conversation.name).toMatch(
				/^.+@\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}$/,
			);
		}
	});

	test("the contact token's contact has exactly its one conversation", () => {
		const contact = store.requireContact(store.ids.contactId);
		expect(contact.conversationIds).toEqual([store.ids.contactConversationId]);
	});
});

describe('a seed for another now', () => {
	// 517 days, 3 hours and 1,234 ms later: every date moves, across months and a year.
	const SHIFT = 517 * 24 * 60 * 60 * 1000 + 3 * 60 * 60 * 1000 + 1234;
	let moved: SandboxStore;
	beforeAll(() => {
		moved = createSeedStore(SEED_NOW_MS + SHIFT);
	});

	test('knows its now', () => {
		expect([store.seedNowMs, moved.seedNowMs]).toEqual([SEED_NOW_MS, SEED_NOW_MS + SHIFT]);
	});

	test('the same tokens, ids, texts and order; every time shifted by the same amount', () => {
		expect(moved.tokenSet).toEqual(store.tokenSet);
		expect(moved.ids).toEqual(store.ids);
		const shiftedIso = (iso: string) => new Date(Date.parse(iso) + SHIFT).toISOString();
		const original = [...store.conversations.values()];
		const shifted = [...moved.conversations.values()];
		expect(shifted.map((conversation) => conversation.id)).toEqual(
			original.map((conversation) => conversation.id),
		);
		shifted.forEach((conversation, index) => {
			const before = original[index];
			expect(conversation.timestampMs).toBe(before.timestampMs + SHIFT);
			expect(conversation.messages.map(messageToApi)).toEqual(
				before.messages.map((message) => ({
					...messageToApi(message),
					created_at: shiftedIso(message.created_at),
					updated_at: shiftedIso(message.updated_at),
				})),
			);
		});
		expect([...moved.contacts.values()]).toEqual([...store.contacts.values()]);
	});

	test("conversation names carry their new creation date, as iMBRACE's do", () => {
		const [first] = moved.conversations.values();
		const date = new Date(first.timestampMs);
		const months = [
			'Jan',
			'Feb',
			'Mar',
			'Apr',
			'May',
			'Jun',
			'Jul',
			'Aug',
			'Sep',
			'Oct',
			'Nov',
			'Dec',
		];
		expect(first.name).toBe(
			`${moved.requireContact(first.contactId).name}@${date.getUTCDate()} ${months[date.getUTCMonth()]} ${date.getUTCFullYear()}`,
		);
		expect(first.name).not.toBe(store.conversations.get(first.id)?.name);
	});

	test('every timestamp lies before its now', () => {
		for (const organization of moved.organizations.values()) {
			expect(organization.messages[organization.messages.length - 1].ms).toBeLessThan(
				SEED_NOW_MS + SHIFT,
			);
		}
	});
});

describe('MonotonicClock', () => {
	test('never repeats a millisecond and never goes back', () => {
		const clock = new MonotonicClock();
		const times = Array.from({ length: 1000 }, () => clock.now());
		for (let index = 1; index < times.length; index++)
			expect(times[index]).toBeGreaterThan(times[index - 1]);
		expect(times[0]).toBeGreaterThan(SEED_NOW_MS);
	});

	test('starts after the now it is given, even one in the future', () => {
		const future = Date.now() + 24 * 60 * 60 * 1000;
		const clock = new MonotonicClock(future);
		expect([clock.now(), clock.now()]).toEqual([future + 1, future + 2]);
	});
});
