/**
 * The inbox's seed (the wire contract, §9–§21): users' profiles, team memberships, more teams,
 * channel states, contact details, templates and team conversations. It is built on top of the
 * Conversations API's seed from its own seeded stream, so every id and answer of §1–§8 stays
 * as it was; it adds one business unit (with its teams) and two channels, none with
 * conversations, and reads the conversations that are there.
 */
import { BOT_DISPLAY_NAME, BOT_USER_ID, Random } from '../api/data';
import type {
	Channel,
	ChannelType,
	Conversation,
	MessageRecord,
	SandboxStore,
	Team,
} from '../api/data';

const INBOX_SEED = 20251207;
const DAY_MS = 24 * 60 * 60 * 1000;
/** WhatsApp's window for free-form messages after the contact's last message (§21). */
export const WHATSAPP_WINDOW_MS = DAY_MS;

export type UserRole = 'owner' | 'admin' | 'technician' | 'user';
export type MembershipState = 'join' | 'invite' | 'request';
export type MembershipRole = 'admin' | 'member';
export type TemplateStatus = 'APPROVED' | 'PENDING' | 'REJECTED';

export interface UserProfile {
	id: string;
	organizationId: string;
	email: string;
	role: UserRole;
	displayName: string;
	firstName: string;
	lastName: string;
	isBot: boolean;
	status: 'active' | 'inactive';
	createdMs: number;
}

export interface Membership {
	id: string;
	teamId: string;
	userId: string;
	role: MembershipRole;
	state: MembershipState;
}

export interface TeamDetails {
	mode: 'public' | 'grab';
	createdMs: number;
}

export interface ChannelDetails {
	active: boolean;
	isDeleted: boolean;
	createdMs: number;
}

export interface ContactDetails {
	email: string;
	phoneNumber: string;
	createdMs: number;
}

export interface MessageTemplate {
	id: string;
	organizationId: string;
	businessUnitId: string;
	title: string;
	text: string;
	language: string;
	createdMs: number;
}

export interface WhatsappTemplate {
	id: string;
	organizationId: string;
	businessUnitId: string;
	channelId: string;
	name: string;
	language: string;
	text: string;
	status: TemplateStatus;
	createdMs: number;
}

/** One team's view of a conversation (`tcu_…`). */
export interface TeamConversation {
	id: string;
	conversationId: string;
	teamId: string;
	/** Set by closing (§17) or the seed; a contact's message after `closedMs` reopens it. */
	closed: boolean;
	closedMs: number;
	/** The people in it now (§16 `users`); `is_joined` is the caller being here. */
	userIds: string[];
}

/** The inbox fixtures that tests and demos name (README, "The inbox"). */
export interface InboxIds {
	/** The business unit with more teams than a page (105), all without conversations. */
	manyTeamsBusinessUnitId: string;
	manyTeamsIds: string[];
	/** Bots besides `u_imbrace_bot`, and a deactivated agent (not in `status=active`). */
	orderBotUserId: string;
	inactiveUserId: string;
	/** Channels that pickers leave out. */
	inactiveChannelId: string;
	deletedChannelId: string;
	/** The WhatsApp channels of the testing and sales units. */
	whatsappChannelId: string;
	salesWhatsappChannelId: string;
	/** A conversation routed to the default team and VIP: two team conversations. */
	twoTeamConversationId: string;
	/** WhatsApp conversations (testing unit, default team) whose contact wrote last within / more than 24 h ago. */
	whatsappInsideWindowConversationId: string;
	whatsappOutsideWindowConversationId: string;
	/** Message templates of the testing unit: 0, 1 and 2 variables. */
	messageTemplateIds: { closing: string; greeting: string; orderFollowUp: string };
	/** WhatsApp templates of the testing unit's WhatsApp channel, and one of the sales unit's. */
	whatsappTemplateIds: {
		welcome: string;
		appointmentReminder: string;
		orderUpdate: string;
		promoSummer: string;
		refundNotice: string;
		salesFollowUp: string;
	};
}

export interface InboxData {
	users: Map<string, UserProfile>;
	memberships: Membership[];
	teams: Map<string, TeamDetails>;
	channels: Map<string, ChannelDetails>;
	contacts: Map<string, ContactDetails>;
	messageTemplates: MessageTemplate[];
	whatsappTemplates: WhatsappTemplate[];
	/** Seed order; lists sort them by activity. */
	teamConversations: TeamConversation[];
	teamConversationsById: Map<string, TeamConversation>;
	ids: InboxIds;
	/** Makes the ids of team conversations created at run time (§18). */
	random: Random;
}

/** Roles of the seeded agents, in the seed's agent order (Alice, Ben, …). */
const AGENT_ROLES: readonly UserRole[] = [
	'admin',
	'user',
	'technician',
	'owner',
	'user',
	'user',
	'admin',
	'user',
];

function profile(
	id: string,
	organizationId: string,
	displayName: string,
	role: UserRole,
	createdMs: number,
	extra: Partial<UserProfile> = {},
): UserProfile {
	const [firstName, ...rest] = displayName.split(' ');
	const lastName = rest.join(' ');
	const domain = organizationId === 'org_imbrace' ? 'imbrace.test' : 'other.test';
	return {
		id,
		organizationId,
		email: `${displayName.toLowerCase().replace(/[^a-z0-9]+/g, '.')}@${domain}`,
		role,
		displayName,
		firstName,
		lastName,
		isBot: false,
		status: 'active',
		createdMs,
		...extra,
	};
}

/** The contact's newest message in a conversation, if any. */
export function lastContactMessage(conversation: Conversation): MessageRecord | undefined {
	for (let index = conversation.messages.length - 1; index >= 0; index--) {
		const message = conversation.messages[index];
		if (message.from === conversation.contactId) return message;
	}
	return undefined;
}

/** Builds the inbox's seed for a store made by createSeedStore (same store, same bytes). */
export function createInboxData(store: SandboxStore): InboxData {
	const random = new Random(INBOX_SEED);
	const nowMs = store.seedNowMs;
	const { ids } = store;
	const organization = store.requireOrganization(ids.organizationId);
	const other = store.requireOrganization(ids.otherOrganizationId);

	// --- users ---
	const users = new Map<string, UserProfile>();
	const agentIds = [...store.users.values()]
		.filter((user) => user.organizationId === organization.id)
		.map((user) => user.id);
	users.set(
		BOT_USER_ID,
		profile(BOT_USER_ID, organization.id, BOT_DISPLAY_NAME, 'user', nowMs - 600 * DAY_MS, {
			isBot: true,
			firstName: 'imbrace',
			lastName: 'bot',
			email: 'bot@imbrace.test',
		}),
	);
	agentIds.forEach((id, index) =>
		users.set(
			id,
			profile(
				id,
				organization.id,
				store.users.get(id)?.displayName ?? '',
				AGENT_ROLES[index % AGENT_ROLES.length],
				nowMs - (500 - index * 10) * DAY_MS,
			),
		),
	);
	const orderBot = profile(
		`u_${random.uuid()}`,
		organization.id,
		'Order Bot',
		'user',
		nowMs - 30 * DAY_MS,
		{ isBot: true },
	);
	const inactive = profile(
		`u_${random.uuid()}`,
		organization.id,
		'Ivan Yip',
		'user',
		nowMs - 20 * DAY_MS,
		{ status: 'inactive' },
	);
	for (const user of [orderBot, inactive]) users.set(user.id, user);
	const olivia = [...store.users.values()].find((user) => user.organizationId === other.id);
	if (olivia) {
		users.set(
			olivia.id,
			profile(olivia.id, other.id, olivia.displayName, 'owner', nowMs - 400 * DAY_MS),
		);
	}

	// --- teams: details of the seeded ones, and a unit with more teams than a page ---
	const teams = new Map<string, TeamDetails>();
	[...organization.teams, ...other.teams].forEach((team, index) =>
		teams.set(team.id, {
			mode: index % 3 === 1 ? 'grab' : 'public',
			createdMs: nowMs - (540 - index) * DAY_MS,
		}),
	);
	const franchise = store.addBusinessUnit(organization, `bu_${random.uuid()}`, 'Franchise');
	const manyTeams: Team[] = [];
	for (let n = 1; n <= 105; n++) {
		const team = store.addTeam(
			franchise,
			`t_${random.uuid()}`,
			`Franchise ${String(n).padStart(3, '0')}`,
		);
		manyTeams.push(team);
		teams.set(team.id, { mode: 'public', createdMs: nowMs - (200 - n) * DAY_MS });
	}

	// --- memberships ---
	const [alice, ben, carmen, david, emily, frank, grace, henry] = agentIds;
	const [defaultTeam, vip, nightShift, salesHk, salesSg, supportL1] = ids.teamIds;
	const memberships: Membership[] = [];
	const member = (
		teamId: string,
		userId: string,
		role: MembershipRole,
		state: MembershipState = 'join',
	) => memberships.push({ id: `tu_${random.uuid()}`, teamId, userId, role, state });
	member(defaultTeam, alice, 'admin');
	member(defaultTeam, ben, 'member');
	member(defaultTeam, carmen, 'member');
	member(defaultTeam, david, 'member');
	member(defaultTeam, emily, 'member', 'invite');
	member(defaultTeam, frank, 'member', 'request');
	member(defaultTeam, orderBot.id, 'member');
	member(vip, grace, 'admin');
	member(vip, alice, 'member');
	member(vip, ben, 'member', 'invite');
	member(nightShift, henry, 'admin');
	member(nightShift, inactive.id, 'member');
	member(salesHk, ben, 'admin');
	member(salesHk, david, 'member');
	member(salesHk, alice, 'member');
	member(salesSg, emily, 'admin');
	member(salesSg, frank, 'member');
	member(salesSg, alice, 'member', 'request');
	member(supportL1, carmen, 'admin');
	member(supportL1, grace, 'member');
	member(supportL1, henry, 'member');
	manyTeams.forEach((team, index) => {
		member(team.id, alice, index === 0 ? 'admin' : 'member');
		if (index % 2 === 0) member(team.id, henry, 'member');
	});
	if (olivia) member(ids.otherTeamId, olivia.id, 'admin');

	// --- channels: the seeded ones are active; one inactive and one deleted channel more ---
	const channels = new Map<string, ChannelDetails>();
	[...organization.channels, ...other.channels].forEach((channel, index) =>
		channels.set(channel.id, {
			active: true,
			isDeleted: false,
			createdMs: nowMs - (560 - index) * DAY_MS,
		}),
	);
	const testing = store.businessUnits.get(ids.businessUnitId);
	if (!testing) throw new Error('The seed has no testing unit');
	const addChannel = (type: ChannelType, name: string, details: ChannelDetails): Channel => {
		// Not store.addChannel: that draws from the store's run-time stream.
		const channel: Channel = {
			id: `ch_${random.uuid()}`,
			organizationId: organization.id,
			businessUnitId: testing.id,
			type,
			name,
		};
		organization.channels.push(channel);
		store.channels.set(channel.id, channel);
		channels.set(channel.id, details);
		return channel;
	};
	const inactiveChannel = addChannel('whatsapp', 'WhatsApp (old number)', {
		active: false,
		isDeleted: false,
		createdMs: nowMs - 100 * DAY_MS,
	});
	const deletedChannel = addChannel('facebook', 'Facebook (closed page)', {
		active: true,
		isDeleted: true,
		createdMs: nowMs - 90 * DAY_MS,
	});
	const whatsappChannel = organization.channels.find(
		(channel) => channel.type === 'whatsapp' && channel.businessUnitId === testing.id,
	);
	const salesWhatsapp = organization.channels.find(
		(channel) => channel.type === 'whatsapp' && channel.businessUnitId === ids.businessUnitIds[1],
	);
	if (!whatsappChannel || !salesWhatsapp) throw new Error('The seed has no WhatsApp channels');

	// --- contacts: e-mail and phone, searchable (§14) ---
	const contacts = new Map<string, ContactDetails>();
	for (const contact of store.contacts.values()) {
		const channel = store.requireChannel(contact.channelId);
		const firstConversation = store.conversations.get(contact.conversationIds[0] ?? '');
		const login = contact.name.toLowerCase().replace(/[^a-z0-9]+/g, '.');
		const phone = `+852 ${random.int(5000, 9999)} ${random.int(1000, 9999)}`;
		contacts.set(contact.id, {
			email: channel.type === 'web' || channel.type === 'email' ? `${login}@mail.test` : '',
			phoneNumber: channel.type === 'web' ? '' : phone,
			createdMs: firstConversation?.timestampMs ?? nowMs,
		});
	}

	// --- templates ---
	const messageTemplates: MessageTemplate[] = [];
	const messageTemplate = (businessUnitId: string, title: string, text: string, age: number) => {
		const template: MessageTemplate = {
			id: `mt_${random.uuid()}`,
			organizationId: organization.id,
			businessUnitId,
			title,
			text,
			language: 'en',
			createdMs: nowMs - age * DAY_MS,
		};
		messageTemplates.push(template);
		return template;
	};
	const closing = messageTemplate(
		testing.id,
		'Closing',
		'Thanks for chatting with us. Have a nice day!',
		300,
	);
	const greeting = messageTemplate(
		testing.id,
		'Greeting',
		'Hi {{1}}, thanks for contacting us',
		299,
	);
	const orderFollowUp = messageTemplate(
		testing.id,
		'Order follow-up',
		'Hi {{1}}, your order {{2}} is on its way.',
		298,
	);
	for (let n = 1; n <= 9; n++) {
		messageTemplate(testing.id, `Canned reply ${n}`, `Canned reply number ${n}.`, 290 - n);
	}
	messageTemplate(
		ids.businessUnitIds[1],
		'Sales greeting',
		'Hello {{1}}, how can Sales help?',
		250,
	);

	const whatsappTemplates: WhatsappTemplate[] = [];
	const whatsappTemplate = (
		channel: Channel,
		name: string,
		text: string,
		status: TemplateStatus,
		age: number,
	) => {
		const template: WhatsappTemplate = {
			id: `wat_${random.uuid()}`,
			organizationId: organization.id,
			businessUnitId: channel.businessUnitId,
			channelId: channel.id,
			name,
			language: 'en_US',
			text,
			status,
			createdMs: nowMs - age * DAY_MS,
		};
		whatsappTemplates.push(template);
		return template;
	};
	const welcome = whatsappTemplate(
		whatsappChannel,
		'welcome',
		'Welcome to iMBRACE! Reply to this message to talk to us.',
		'APPROVED',
		200,
	);
	const appointmentReminder = whatsappTemplate(
		whatsappChannel,
		'appointment_reminder',
		'Hi {{1}}, this is a reminder of your appointment tomorrow.',
		'APPROVED',
		199,
	);
	const orderUpdate = whatsappTemplate(
		whatsappChannel,
		'order_update',
		'Hi {{1}}, your order {{2}} has shipped.',
		'APPROVED',
		198,
	);
	const promoSummer = whatsappTemplate(
		whatsappChannel,
		'promo_summer',
		'Hi {{1}}, our summer sale starts today!',
		'PENDING',
		197,
	);
	const refundNotice = whatsappTemplate(
		whatsappChannel,
		'refund_notice',
		'Hi {{1}}, your refund has been sent.',
		'REJECTED',
		196,
	);
	const salesFollowUp = whatsappTemplate(
		salesWhatsapp,
		'sales_follow_up',
		'Hi {{1}}, thanks for your interest in our products.',
		'APPROVED',
		195,
	);

	// --- team conversations: one per seeded conversation in a team, a second team for some ---
	const teamConversations: TeamConversation[] = [];
	const addTeamConversation = (conversation: Conversation, teamId: string, userIds: string[]) => {
		const closed = conversation.status === 'closed';
		const teamConversation: TeamConversation = {
			id: `tcu_${random.uuid()}`,
			conversationId: conversation.id,
			teamId,
			closed,
			closedMs: closed ? (conversation.messages.at(-1)?.ms ?? conversation.timestampMs) : 0,
			userIds,
		};
		teamConversations.push(teamConversation);
		return teamConversation;
	};
	for (const conversation of organization.conversations) {
		if (conversation.teamId) {
			addTeamConversation(conversation, conversation.teamId, [...conversation.userIds]);
		}
	}
	for (const conversation of other.conversations) {
		if (conversation.teamId) {
			addTeamConversation(conversation, conversation.teamId, [...conversation.userIds]);
		}
	}
	// Routed to VIP as well: every fifth open conversation of the default team, with Grace there.
	const twoTeam = organization.conversations.filter(
		(conversation) =>
			conversation.id !== ids.contactConversationId &&
			conversation.teamId === defaultTeam &&
			conversation.status === 'active' &&
			conversation.messages.length > 0,
	);
	const routedTwice = twoTeam.filter((_, index) => index % 5 === 0);
	for (const conversation of routedTwice) addTeamConversation(conversation, vip, [grace]);

	const whatsappOpen = organization.conversations.filter(
		(conversation) =>
			conversation.channelId === whatsappChannel.id &&
			conversation.teamId === defaultTeam &&
			conversation.status === 'active',
	);
	const inside = whatsappOpen.find((conversation) => {
		const last = lastContactMessage(conversation)?.ms;
		return last !== undefined && nowMs - last < WHATSAPP_WINDOW_MS;
	});
	const outside = whatsappOpen.find((conversation) => {
		const last = lastContactMessage(conversation)?.ms;
		return last !== undefined && nowMs - last > WHATSAPP_WINDOW_MS;
	});
	if (!inside || !outside || routedTwice.length === 0) {
		throw new Error('The seed lacks an inbox fixture');
	}

	return {
		users,
		memberships,
		teams,
		channels,
		contacts,
		messageTemplates,
		whatsappTemplates,
		teamConversations,
		teamConversationsById: new Map(teamConversations.map((item) => [item.id, item])),
		ids: {
			manyTeamsBusinessUnitId: franchise.id,
			manyTeamsIds: manyTeams.map((team) => team.id),
			orderBotUserId: orderBot.id,
			inactiveUserId: inactive.id,
			inactiveChannelId: inactiveChannel.id,
			deletedChannelId: deletedChannel.id,
			whatsappChannelId: whatsappChannel.id,
			salesWhatsappChannelId: salesWhatsapp.id,
			twoTeamConversationId: routedTwice[0].id,
			whatsappInsideWindowConversationId: inside.id,
			whatsappOutsideWindowConversationId: outside.id,
			messageTemplateIds: {
				closing: closing.id,
				greeting: greeting.id,
				orderFollowUp: orderFollowUp.id,
			},
			whatsappTemplateIds: {
				welcome: welcome.id,
				appointmentReminder: appointmentReminder.id,
				orderUpdate: orderUpdate.id,
				promoSummer: promoSummer.id,
				refundNotice: refundNotice.id,
				salesFollowUp: salesFollowUp.id,
			},
		},
		random: new Random(INBOX_SEED + 1),
	};
}
