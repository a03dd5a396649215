/**
 * The sandbox's data: a deterministic seed (same code, same data, byte for byte) and the
 * in-memory store that the HTTP handlers read and write.
 */

/**
 * The seed's default fixed "now": every seeded timestamp lies before it; reply ages are measured
 * from it. A seed made for another now (createSeedStore(nowMs)) is this one shifted in time.
 */
export const SEED_NOW_MS = Date.parse('2025-06-30T12:00:00.000Z');
/** Unanswered for at least this long: `soon_to_be`. */
export const SOON_TO_BE_AFTER_MS = 12 * 60 * 60 * 1000;
/** Unanswered for at least this long: `overdue` (and no longer `soon_to_be`). */
export const OVERDUE_AFTER_MS = 24 * 60 * 60 * 1000;

export const ORGANIZATION_ID = 'org_imbrace';
export const OTHER_ORGANIZATION_ID = 'org_other';
export const TESTING_BUSINESS_UNIT_ID = 'bu_imbrace_testing';
export const DEFAULT_TEAM_ID = 't_imbrace_default_team';
export const BOT_USER_ID = 'u_imbrace_bot';
export const BOT_DISPLAY_NAME = 'imbrace bot';

export const CHANNEL_TYPES = [
	'web',
	'facebook',
	'whatsapp',
	'instagram',
	'wechat',
	'line',
	'email',
	'wecom',
] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

export const MESSAGE_TYPES = ['text', 'image', 'file', 'pdf', 'quick_reply'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

export const CONVERSATION_STATUSES = ['active', 'pending', 'closed', 'spam'] as const;

/**
 * A message as the Conversations API returns it (§5). A type alias, not an interface, so it
 * is assignable to index-signature types such as n8n's IDataObject.
 */
export type StoredMessage = {
	object_name: 'message';
	id: string;
	organization_id: string;
	business_unit_id: string;
	conversation_id: string;
	from: string;
	type: string;
	content: Record<string, unknown>;
	created_at: string;
	updated_at: string;
};

/** A message as the store keeps it; field names match the search documents so filters read them directly. */
// A type alias, not an interface: filters read it as a Record<string, unknown>.
export type MessageRecord = {
	/** Global insertion order: breaks ties between messages of the same millisecond. */
	readonly seq: number;
	readonly ms: number;
	readonly id: string;
	readonly organization_id: string;
	readonly business_unit_id: string;
	readonly conversation_id: string;
	readonly from: string;
	readonly type: string;
	readonly content: Readonly<Record<string, unknown>>;
	readonly created_at: string;
	readonly updated_at: string;
	/** Lower-cased words of the searchable content, computed on first search. */
	words?: readonly string[];
};

export interface BusinessUnit {
	id: string;
	organizationId: string;
	name: string;
}

export interface Team {
	id: string;
	organizationId: string;
	businessUnitId: string;
	name: string;
}

export interface Channel {
	id: string;
	organizationId: string;
	businessUnitId: string;
	type: ChannelType;
	name: string;
}

export interface User {
	id: string;
	organizationId: string | null;
	displayName: string;
}

export interface Contact {
	id: string;
	organizationId: string;
	channelId: string;
	name: string;
	/** Creation order; the last one is the contact's current conversation. */
	conversationIds: string[];
}

export interface Conversation {
	id: string;
	organizationId: string;
	businessUnitId: string;
	channelId: string;
	channelType: ChannelType;
	contactId: string;
	status: string;
	name: string;
	timestampMs: number;
	teamId: string | null;
	assigneeId: string | null;
	/** Participants (`users` in the API shape); `joined` counts conversations that include the caller. */
	userIds: string[];
	/** Oldest first, by (ms, seq). */
	messages: MessageRecord[];
}

export interface Organization {
	id: string;
	name: string;
	businessUnits: BusinessUnit[];
	teams: Team[];
	channels: Channel[];
	conversations: Conversation[];
	/** Every message of the organization, oldest first, by (ms, seq): the search index. */
	messages: MessageRecord[];
}

export type PrincipalKind = 'agent' | 'contact' | 'apiKey';

/** Who a token belongs to. */
export interface Principal {
	kind: PrincipalKind;
	organizationId: string;
	/** The id that messages sent with this token come from. */
	userId: string;
	/** For contact tokens only. */
	contactId?: string;
	/**
	 * For API keys only: the path prefixes (as the gateway's key check sees paths) that a scoped
	 * key may use. Absent: a full-access key, as iMBRACE treats keys without permissions.
	 */
	allowedPaths?: readonly string[];
}

export interface SandboxTokens {
	agent: string;
	secondAgent: string;
	contact: string;
	apiKey: string;
	otherOrgAgent: string;
	/** An API key of org_imbrace whose permissions cover only other paths (`/platform/…`). */
	scopedApiKey: string;
}

export interface SandboxIds {
	organizationId: 'org_imbrace';
	otherOrganizationId: string;
	businessUnitId: string;
	businessUnitIds: string[];
	teamId: string;
	teamIds: string[];
	agentUserId: string;
	secondAgentUserId: string;
	contactId: string;
	contactConversationId: string;
	channelId: string;
	conversationIds: string[];
	contactIds: string[];
	/** Beyond the brief's list: the second organization's records, for cross-organization tests. */
	otherBusinessUnitId: string;
	otherTeamId: string;
	otherConversationIds: string[];
}

/** mulberry32: small, fast and good enough for seed data; never Math.random. */
export class Random {
	private state: number;

	constructor(seed: number) {
		this.state = seed >>> 0;
	}

	/** A float in [0, 1). */
	next(): number {
		this.state = (this.state + 0x6d2b79f5) >>> 0;
		let t = this.state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	}

	/** An integer in [min, max]. */
	int(min: number, max: number): number {
		return min + Math.floor(this.next() * (max - min + 1));
	}

	chance(probability: number): boolean {
		return this.next() < probability;
	}

	pick<T>(items: readonly T[]): T {
		return items[Math.floor(this.next() * items.length)];
	}

	weighted<T>(entries: ReadonlyArray<readonly [T, number]>): T {
		const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
		let roll = this.next() * total;
		for (const [value, weight] of entries) {
			roll -= weight;
			if (roll < 0) return value;
		}
		return entries[entries.length - 1][0];
	}

	/** A version-4 UUID built from the generator. */
	uuid(): string {
		let hex = '';
		for (let i = 0; i < 4; i++) {
			hex += Math.floor(this.next() * 4294967296)
				.toString(16)
				.padStart(8, '0');
		}
		const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
		return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
	}
}

/**
 * The server-wide clock for messages added "now": strictly increasing milliseconds, so two
 * messages never share a timestamp unless a caller asks for one.
 */
export class MonotonicClock {
	/** `startMs`: the seed's now; the first message added "now" comes after it. */
	constructor(private last = SEED_NOW_MS) {}

	now(): number {
		this.last = Math.max(Date.now(), this.last + 1);
		return this.last;
	}

	/** Takes note of a time given explicitly, so that later "now"s come after it. */
	observe(ms: number): void {
		this.last = Math.max(this.last, ms);
	}
}

function compareMessages(a: MessageRecord, b: MessageRecord): number {
	return a.ms - b.ms || a.seq - b.seq;
}

/** Inserts keeping (ms, seq) order; appending, the common case, costs O(1). */
function insertSorted(list: MessageRecord[], record: MessageRecord): void {
	if (list.length === 0 || compareMessages(list[list.length - 1], record) <= 0) {
		list.push(record);
		return;
	}
	let low = 0;
	let high = list.length;
	while (low < high) {
		const middle = (low + high) >>> 1;
		if (compareMessages(list[middle], record) <= 0) low = middle + 1;
		else high = middle;
	}
	list.splice(low, 0, record);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "Guest#753342@7 Apr 2022", as iMBRACE names conversations. */
function conversationName(contactName: string, ms: number): string {
	const date = new Date(ms);
	return `${contactName}@${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
}

export interface NewMessage {
	from: string;
	type: string;
	content: Record<string, unknown>;
	ms: number;
}

export interface NewConversation {
	contactId: string;
	channelId: string;
	status: string;
	teamId: string | null;
	assigneeId?: string | null;
	userIds?: string[];
	timestampMs: number;
}

/** The in-memory data: organizations and their records, looked up by id. */
export class SandboxStore {
	readonly organizations = new Map<string, Organization>();
	readonly businessUnits = new Map<string, BusinessUnit>();
	readonly teams = new Map<string, Team>();
	readonly channels = new Map<string, Channel>();
	readonly users = new Map<string, User>();
	readonly contacts = new Map<string, Contact>();
	readonly conversations = new Map<string, Conversation>();
	readonly tokens = new Map<string, Principal>();
	/** Files uploaded through `_fileupload`, by id. */
	readonly files = new Map<string, { filename: string; contentType: string; data: Buffer }>();
	tokenSet!: SandboxTokens;
	ids!: SandboxIds;
	/** The seed's now: seeded times lie before it, reply ages count from it. */
	seedNowMs = SEED_NOW_MS;
	private messageSeq = 0;
	private fileSeq = 0;

	/** Makes the ids of new records; the seed swaps in a separate stream once seeding is done. */
	constructor(public random: Random) {}

	addOrganization(id: string, name: string): Organization {
		const organization: Organization = {
			id,
			name,
			businessUnits: [],
			teams: [],
			channels: [],
			conversations: [],
			messages: [],
		};
		this.organizations.set(id, organization);
		return organization;
	}

	addBusinessUnit(organization: Organization, id: string, name: string): BusinessUnit {
		const unit: BusinessUnit = { id, organizationId: organization.id, name };
		organization.businessUnits.push(unit);
		this.businessUnits.set(id, unit);
		return unit;
	}

	addTeam(unit: BusinessUnit, id: string, name: string): Team {
		const team: Team = { id, organizationId: unit.organizationId, businessUnitId: unit.id, name };
		this.requireOrganization(unit.organizationId).teams.push(team);
		this.teams.set(id, team);
		return team;
	}

	addChannel(unit: BusinessUnit, type: ChannelType, name: string): Channel {
		const channel: Channel = {
			id: `ch_${this.random.uuid()}`,
			organizationId: unit.organizationId,
			businessUnitId: unit.id,
			type,
			name,
		};
		this.requireOrganization(unit.organizationId).channels.push(channel);
		this.channels.set(channel.id, channel);
		return channel;
	}

	addUser(id: string, organizationId: string | null, displayName: string): User {
		const user: User = { id, organizationId, displayName };
		this.users.set(id, user);
		return user;
	}

	addContact(channel: Channel, name?: string): Contact {
		const contact: Contact = {
			id: `con_${this.random.uuid()}`,
			organizationId: channel.organizationId,
			channelId: channel.id,
			name: name ?? `Guest#${this.random.int(100000, 999999)}`,
			conversationIds: [],
		};
		this.contacts.set(contact.id, contact);
		return contact;
	}

	addConversation(input: NewConversation): Conversation {
		const contact = this.requireContact(input.contactId);
		const channel = this.requireChannel(input.channelId);
		const conversation: Conversation = {
			id: `conv_${this.random.uuid()}`,
			organizationId: channel.organizationId,
			businessUnitId: channel.businessUnitId,
			channelId: channel.id,
			channelType: channel.type,
			contactId: contact.id,
			status: input.status,
			name: conversationName(contact.name, input.timestampMs),
			timestampMs: input.timestampMs,
			teamId: input.teamId,
			assigneeId: input.assigneeId ?? null,
			userIds: input.userIds ?? [BOT_USER_ID],
			messages: [],
		};
		this.conversations.set(conversation.id, conversation);
		contact.conversationIds.push(conversation.id);
		this.requireOrganization(conversation.organizationId).conversations.push(conversation);
		return conversation;
	}

	addMessage(conversation: Conversation, message: NewMessage): MessageRecord {
		const createdAt = new Date(message.ms).toISOString();
		const record: MessageRecord = {
			seq: ++this.messageSeq,
			ms: message.ms,
			id: `msg_${this.random.uuid()}`,
			organization_id: conversation.organizationId,
			business_unit_id: conversation.businessUnitId,
			conversation_id: conversation.id,
			from: message.from,
			type: message.type,
			content: message.content,
			created_at: createdAt,
			updated_at: createdAt,
		};
		insertSorted(conversation.messages, record);
		insertSorted(this.requireOrganization(conversation.organizationId).messages, record);
		return record;
	}

	addFile(filename: string, contentType: string, data: Buffer): string {
		const id = `f${++this.fileSeq}`;
		this.files.set(id, { filename, contentType, data });
		return id;
	}

	requireOrganization(id: string): Organization {
		const organization = this.organizations.get(id);
		if (!organization) throw new Error(`Unknown organization ${id}`);
		return organization;
	}

	requireContact(id: string): Contact {
		const contact = this.contacts.get(id);
		if (!contact) throw new Error(`Unknown contact ${id}`);
		return contact;
	}

	requireChannel(id: string): Channel {
		const channel = this.channels.get(id);
		if (!channel) throw new Error(`Unknown channel ${id}`);
		return channel;
	}
}

/** A conversation in the API shape of §4. */
export function conversationToApi(store: SandboxStore, conversation: Conversation) {
	return {
		object_name: 'conversation',
		id: conversation.id,
		organization_id: conversation.organizationId,
		business_unit_id: conversation.businessUnitId,
		channel_id: conversation.channelId,
		channel_type: conversation.channelType,
		contact_id: conversation.contactId,
		status: conversation.status,
		name: conversation.name,
		timestamp: new Date(conversation.timestampMs).toISOString(),
		users: conversation.userIds.map((id) => ({
			object_name: 'simple_user',
			id,
			display_name: store.users.get(id)?.displayName ?? '',
			avatar_url: '',
		})),
	};
}

/** A message in the API shape of §5 (a fresh object: callers may mutate it). */
export function messageToApi(record: MessageRecord): StoredMessage {
	return {
		object_name: 'message',
		id: record.id,
		organization_id: record.organization_id,
		business_unit_id: record.business_unit_id,
		conversation_id: record.conversation_id,
		from: record.from,
		type: record.type,
		content: structuredClone(record.content) as Record<string, unknown>,
		created_at: record.created_at,
		updated_at: record.updated_at,
	};
}

/** A message as a Meilisearch document (§7): `_id`/`public_id`, `doc_name`, no `object_name`/`id`. */
export function messageToDocument(record: MessageRecord) {
	return {
		_id: record.id,
		doc_name: 'message',
		public_id: record.id,
		organization_id: record.organization_id,
		business_unit_id: record.business_unit_id,
		conversation_id: record.conversation_id,
		from: record.from,
		type: record.type,
		content: record.content,
		created_at: record.created_at,
		updated_at: record.updated_at,
	};
}

// --- The seed -------------------------------------------------------------------------------

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

const CONTACT_TEXTS = [
	'Hello',
	'Hi, is anyone there?',
	'I would like to check my order status',
	'What are your opening hours?',
	'Can I change my delivery address?',
	'Thank you!',
	'Thanks, that helps a lot',
	'Do you ship to Singapore?',
	'I have not received my refund yet',
	'The parcel arrived damaged',
	'How much is the premium plan?',
	'Can I speak to a human please?',
	'Is the red one still in stock?',
	'I forgot my password',
	'Where is your Causeway Bay shop?',
	'Please cancel my subscription',
	'Do you have a student discount?',
	'My invoice shows the wrong amount',
	'Great service, thank you',
	'OK',
];

const AGENT_TEXTS = [
	'Sure, let me check that for you.',
	'Thanks for waiting, I am looking into it now.',
	'Could you share your order number please?',
	'Your refund has been processed and should arrive in 3 to 5 working days.',
	'Our shops open from 10am to 9pm every day.',
	'I have updated your delivery address.',
	'We ship to Hong Kong, Singapore, Malaysia and Taiwan.',
	'You can reset your password from the login page.',
	'Is there anything else I can help you with?',
	'I am sorry to hear that. We will send a replacement today.',
	'The premium plan is HKD 199 per month.',
	'Have a nice day!',
];

const BOT_TEXTS = [
	'Hi there! How can I help you today?',
	'Thanks for your message, an agent will be with you shortly.',
	'Our team is offline now; we will reply during office hours.',
	'Please choose an option below.',
];

const QUICK_REPLY_GROUPS: ReadonlyArray<ReadonlyArray<readonly [string, string]>> = [
	[
		['Red', '0_red'],
		['Green', '1_green'],
		['Blue', '2_blue'],
	],
	[
		['Order status', 'order_status'],
		['Talk to an agent', 'agent'],
	],
	[
		['Yes', 'yes'],
		['No', 'no'],
	],
];

const FIRST_NAMES = ['Chan', 'Wong', 'Lee', 'Cheung', 'Lau', 'Ng', 'Tan', 'Lim', 'Ho', 'Yip'];
const GIVEN_NAMES = ['Tai Man', 'Siu Ming', 'Mei Ling', 'Ka Yan', 'Wing', 'Jason', 'Amy', 'Kelvin'];
const AGENT_NAMES = [
	'Alice Chan',
	'Ben Wong',
	'Carmen Lee',
	'David Ng',
	'Emily Lau',
	'Frank Ho',
	'Grace Tan',
	'Henry Lim',
];

const FILE_NAMES: Readonly<Record<string, string>> = {
	image: 'photo.jpg',
	file: 'details.zip',
	pdf: 'invoice.pdf',
};

type Sender = 'contact' | 'agent' | 'bot';

/** Generates messages for one seeded conversation, ending at `lastMs`. */
function seedMessages(
	store: SandboxStore,
	random: Random,
	conversation: Conversation,
	count: number,
	lastMs: number,
	agents: readonly string[],
): void {
	interface Draft {
		from: string;
		type: string;
		content: Record<string, unknown>;
		/** Shares the previous draft's millisecond (a bot's quick-reply buttons). */
		sameMsAsPrevious: boolean;
	}
	const drafts: Draft[] = [];
	let sender: Sender = 'contact';
	const agentId = conversation.assigneeId ?? random.pick(agents);
	while (drafts.length < count) {
		if (sender === 'contact') {
			const type = random.weighted<MessageType>([
				['text', 80],
				['image', 8],
				['file', 4],
				['pdf', 4],
				['quick_reply', 4],
			]);
			drafts.push({
				from: conversation.contactId,
				type,
				content: seedContent(random, type, CONTACT_TEXTS, drafts.length),
				sameMsAsPrevious: false,
			});
		} else if (sender === 'agent') {
			const type = random.weighted<MessageType>([
				['text', 85],
				['image', 5],
				['file', 5],
				['pdf', 5],
			]);
			drafts.push({
				from: agentId,
				type,
				content: seedContent(random, type, AGENT_TEXTS, drafts.length),
				sameMsAsPrevious: false,
			});
		} else if (random.chance(0.4) && count - drafts.length >= 2) {
			const group = random.pick(QUICK_REPLY_GROUPS).slice(0, count - drafts.length);
			group.forEach(([title, payload], index) =>
				drafts.push({
					from: BOT_USER_ID,
					type: 'quick_reply',
					content: { title, payload, description: '' },
					sameMsAsPrevious: index > 0,
				}),
			);
		} else {
			drafts.push({
				from: BOT_USER_ID,
				type: 'text',
				content: { text: random.pick(BOT_TEXTS), is_mail: false },
				sameMsAsPrevious: false,
			});
		}
		if (sender === 'contact') {
			sender = random.chance(0.35) ? 'contact' : random.chance(0.7) ? 'agent' : 'bot';
		} else {
			sender = random.chance(0.7) ? 'contact' : 'agent';
		}
	}
	// Times run backwards from the last message, so the conversation's age is what was planned.
	const times: number[] = new Array<number>(drafts.length);
	let ms = lastMs;
	for (let index = drafts.length - 1; index >= 0; index--) {
		times[index] = ms;
		if (!drafts[index].sameMsAsPrevious) ms -= random.int(3_000, 2 * HOUR_MS);
	}
	drafts.forEach((draft, index) =>
		store.addMessage(conversation, {
			from: draft.from,
			type: draft.type,
			content: draft.content,
			ms: times[index],
		}),
	);
	conversation.timestampMs = (drafts.length > 0 ? times[0] : lastMs) - random.int(0, 5_000);
	const contact = store.requireContact(conversation.contactId);
	conversation.name = conversationName(contact.name, conversation.timestampMs);
}

function seedContent(
	random: Random,
	type: MessageType,
	texts: readonly string[],
	index: number,
): Record<string, unknown> {
	switch (type) {
		case 'text': {
			const text = random.chance(0.1)
				? `My order number is ORD-${random.int(10000, 99999)}`
				: random.pick(texts);
			return { text, is_mail: false };
		}
		case 'quick_reply': {
			const [title, payload] = random.pick(random.pick(QUICK_REPLY_GROUPS));
			return { title, payload, description: '' };
		}
		default:
			return {
				url: `https://files.imbrace.test/seed/${random.uuid()}/${FILE_NAMES[type]}`,
				caption: random.chance(0.5) ? '' : `Attachment ${index + 1}`,
			};
	}
}

/** How long ago (from the seed's now) a seeded conversation's last message was. */
function seedAge(random: Random): number {
	const bucket = random.weighted<'fresh' | 'soon' | 'days' | 'old'>([
		['fresh', 15],
		['soon', 10],
		['days', 10],
		['old', 65],
	]);
	switch (bucket) {
		case 'fresh':
			return random.int(60_000, SOON_TO_BE_AFTER_MS - 60_000);
		case 'soon':
			return random.int(SOON_TO_BE_AFTER_MS + 60_000, OVERDUE_AFTER_MS - 60_000);
		case 'days':
			return random.int(OVERDUE_AFTER_MS + 60_000, 7 * DAY_MS);
		default:
			return random.int(7 * DAY_MS, 540 * DAY_MS);
	}
}

type OtherIds =
	| 'otherOrganizationId'
	| 'otherBusinessUnitId'
	| 'otherTeamId'
	| 'otherConversationIds';

function seedImbrace(
	store: SandboxStore,
	random: Random,
	nowMs: number,
): {
	tokens: Omit<SandboxTokens, 'otherOrgAgent' | 'scopedApiKey'>;
	ids: Omit<SandboxIds, OtherIds>;
} {
	const organization = store.addOrganization(ORGANIZATION_ID, 'iMBRACE');
	const testing = store.addBusinessUnit(organization, TESTING_BUSINESS_UNIT_ID, 'iMBRACE Testing');
	const sales = store.addBusinessUnit(organization, `bu_${random.uuid()}`, 'Sales');
	const support = store.addBusinessUnit(organization, `bu_${random.uuid()}`, 'Support');

	const defaultTeam = store.addTeam(testing, DEFAULT_TEAM_ID, 'Default team');
	const vip = store.addTeam(testing, `t_${random.uuid()}`, 'VIP');
	// A team with no conversations: its count is always present and 0.
	store.addTeam(testing, `t_${random.uuid()}`, 'Night shift');
	const salesHk = store.addTeam(sales, `t_${random.uuid()}`, 'Sales HK');
	const salesSg = store.addTeam(sales, `t_${random.uuid()}`, 'Sales SG');
	const supportL1 = store.addTeam(support, `t_${random.uuid()}`, 'Support L1');
	const teamWeights = new Map<string, ReadonlyArray<readonly [string, number]>>([
		[
			testing.id,
			[
				[defaultTeam.id, 85],
				[vip.id, 15],
			],
		],
		[
			sales.id,
			[
				[salesHk.id, 60],
				[salesSg.id, 40],
			],
		],
		[support.id, [[supportL1.id, 1]]],
	]);

	const agents = AGENT_NAMES.map(
		(name) => store.addUser(`u_${random.uuid()}`, organization.id, name).id,
	);

	const website = store.addChannel(testing, 'web', 'Website');
	const salesWebsite = store.addChannel(sales, 'web', 'Sales website');
	const helpCentre = store.addChannel(support, 'web', 'Help centre');
	const facebook = store.addChannel(testing, 'facebook', 'Facebook page');
	const whatsappHk = store.addChannel(testing, 'whatsapp', 'WhatsApp HK');
	const whatsappSales = store.addChannel(sales, 'whatsapp', 'WhatsApp Sales');
	const instagram = store.addChannel(sales, 'instagram', 'Instagram');
	const line = store.addChannel(testing, 'line', 'LINE');
	// Channel types with no conversations: their counts are always present and 0.
	store.addChannel(support, 'wechat', 'WeChat');
	store.addChannel(support, 'email', 'Email');
	store.addChannel(testing, 'wecom', 'WeCom');
	const channelWeights: ReadonlyArray<readonly [typeof website, number]> = [
		[website, 40],
		[salesWebsite, 12],
		[helpCentre, 10],
		[facebook, 8],
		[whatsappHk, 12],
		[whatsappSales, 6],
		[instagram, 7],
		[line, 5],
	];

	const tokens = {
		agent: `acc_${random.uuid()}`,
		secondAgent: `acc_${random.uuid()}`,
		contact: `acc_${random.uuid()}`,
		apiKey: `api_${random.uuid()}`,
	};

	// The contact of the contact token: one web conversation with a known shape.
	const tokenContact = store.addContact(website, `Guest#${random.int(100000, 999999)}`);
	const contactConversation = store.addConversation({
		contactId: tokenContact.id,
		channelId: website.id,
		status: 'active',
		teamId: defaultTeam.id,
		assigneeId: agents[0],
		userIds: [BOT_USER_ID, agents[0]],
		timestampMs: nowMs,
	});
	seedMessages(store, random, contactConversation, 15, nowMs - 3 * DAY_MS, agents);

	const conversations: Conversation[] = [contactConversation];
	const contactIds = [tokenContact.id];
	for (let index = 0; index < 300; index++) {
		const channel = random.weighted(channelWeights);
		const contact =
			channel.type === 'web'
				? store.addContact(channel)
				: store.addContact(channel, `${random.pick(GIVEN_NAMES)} ${random.pick(FIRST_NAMES)}`);
		contactIds.push(contact.id);
		const conversationCount = random.chance(0.2) ? 2 : 1;
		for (let n = 0; n < conversationCount; n++) {
			const status = random.weighted<string>([
				['active', 55],
				['pending', 15],
				['closed', 20],
				['spam', 10],
			]);
			const teamId = random.chance(0.1)
				? null
				: random.weighted(teamWeights.get(channel.businessUnitId) ?? []);
			const assigneeId =
				status === 'spam' || random.chance(0.25)
					? null
					: random.weighted<string>([
							[agents[0], 25],
							[agents[1], 15],
							...agents.slice(2).map((id) => [id, 10] as const),
						]);
			const userIds = [BOT_USER_ID];
			if (assigneeId) userIds.push(assigneeId);
			if (random.chance(0.2)) {
				const extra = random.pick(agents);
				if (!userIds.includes(extra)) userIds.push(extra);
			}
			const conversation = store.addConversation({
				contactId: contact.id,
				channelId: channel.id,
				status,
				teamId,
				assigneeId,
				userIds,
				timestampMs: nowMs,
			});
			const count = status === 'spam' ? random.int(1, 3) : random.int(0, 18);
			seedMessages(store, random, conversation, count, nowMs - seedAge(random), agents);
			conversations.push(conversation);
		}
	}

	return {
		tokens,
		ids: {
			organizationId: ORGANIZATION_ID,
			businessUnitId: testing.id,
			businessUnitIds: organization.businessUnits.map((unit) => unit.id),
			teamId: defaultTeam.id,
			teamIds: organization.teams.map((team) => team.id),
			agentUserId: agents[0],
			secondAgentUserId: agents[1],
			contactId: tokenContact.id,
			contactConversationId: contactConversation.id,
			channelId: website.id,
			conversationIds: conversations.map((conversation) => conversation.id),
			contactIds,
		},
	};
}

function seedOther(
	store: SandboxStore,
	random: Random,
	nowMs: number,
): { token: string; ids: Pick<SandboxIds, OtherIds> } {
	const organization = store.addOrganization(OTHER_ORGANIZATION_ID, 'Other organization');
	const unit = store.addBusinessUnit(organization, `bu_${random.uuid()}`, 'Other business unit');
	const team = store.addTeam(unit, `t_${random.uuid()}`, 'Other team');
	const agent = store.addUser(`u_${random.uuid()}`, organization.id, 'Olivia Other').id;
	const web = store.addChannel(unit, 'web', 'Other website');
	const conversationIds: string[] = [];
	const whatsapp = store.addChannel(unit, 'whatsapp', 'Other WhatsApp');
	for (let index = 0; index < 12; index++) {
		const channel = index % 3 === 0 ? whatsapp : web;
		const contact = store.addContact(channel);
		const conversation = store.addConversation({
			contactId: contact.id,
			channelId: channel.id,
			status: index % 4 === 3 ? 'closed' : 'active',
			teamId: index % 5 === 4 ? null : team.id,
			assigneeId: index % 2 === 0 ? agent : null,
			userIds: index % 2 === 0 ? [BOT_USER_ID, agent] : [BOT_USER_ID],
			timestampMs: nowMs,
		});
		seedMessages(store, random, conversation, random.int(2, 8), nowMs - seedAge(random), [agent]);
		conversationIds.push(conversation.id);
	}
	const token = `acc_${random.uuid()}`;
	store.tokens.set(token, { kind: 'agent', organizationId: organization.id, userId: agent });
	return {
		token,
		ids: {
			otherOrganizationId: organization.id,
			otherBusinessUnitId: unit.id,
			otherTeamId: team.id,
			otherConversationIds: conversationIds,
		},
	};
}

const SEED = 20250630;
/** A separate stream for ids made at run time, so adding data never shifts the seed. */
const RUNTIME_SEED = 77;

/**
 * Builds the seed: same code, same data (ids, texts, timestamps) every time. Another `nowMs`
 * gives the same seed moved in time: every time is drawn relative to it, so each shifts by the
 * same amount (and the dates in conversation names with them); ids and texts do not change.
 */
export function createSeedStore(nowMs = SEED_NOW_MS): SandboxStore {
	const random = new Random(SEED);
	const store = new SandboxStore(random);
	store.seedNowMs = nowMs;
	store.addUser(BOT_USER_ID, null, BOT_DISPLAY_NAME);
	const imbrace = seedImbrace(store, random, nowMs);
	const other = seedOther(store, random, nowMs);
	// Drawn after everything else, so that adding it moved no earlier id.
	const scopedApiKey = `api_${random.uuid()}`;

	store.tokens.set(imbrace.tokens.agent, {
		kind: 'agent',
		organizationId: ORGANIZATION_ID,
		userId: imbrace.ids.agentUserId,
	});
	store.tokens.set(imbrace.tokens.secondAgent, {
		kind: 'agent',
		organizationId: ORGANIZATION_ID,
		userId: imbrace.ids.secondAgentUserId,
	});
	store.tokens.set(imbrace.tokens.contact, {
		kind: 'contact',
		organizationId: ORGANIZATION_ID,
		userId: imbrace.ids.contactId,
		contactId: imbrace.ids.contactId,
	});
	store.tokens.set(imbrace.tokens.apiKey, {
		kind: 'apiKey',
		organizationId: ORGANIZATION_ID,
		userId: BOT_USER_ID,
	});
	store.tokens.set(scopedApiKey, {
		kind: 'apiKey',
		organizationId: ORGANIZATION_ID,
		userId: BOT_USER_ID,
		allowedPaths: ['/platform/'],
	});
	store.tokenSet = { ...imbrace.tokens, otherOrgAgent: other.token, scopedApiKey };
	store.ids = { ...imbrace.ids, ...other.ids };
	store.random = new Random(RUNTIME_SEED);
	return store;
}
