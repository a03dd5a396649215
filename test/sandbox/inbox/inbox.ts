/**
 * The inbox endpoints (the wire contract, §9–§21): who the caller is, the platform lists, the
 * channel-service lists, the inbox, conversation actions and template sends. They exist only
 * under `/platform/v1/…` and `/channel-service/…`, in every route family, and are not served
 * when the mode's `inbox` is off.
 */
import { isResponse, jsonResponse, messageContent, readJsonObject } from '../api/api';
import type { ApiRequest, ApiResponse, ConversationsApi, Handler, SandboxMode } from '../api/api';
import { messageToApi } from '../api/data';
import type {
	BusinessUnit,
	Conversation,
	MonotonicClock,
	Principal,
	SandboxStore,
	Team,
} from '../api/data';
import { WHATSAPP_WINDOW_MS, lastContactMessage } from './inbox-data';
import type { InboxData, TeamConversation, UserProfile } from './inbox-data';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Waiting for a reply this long: `soon to be` (§15). */
const SOON_TO_BE_AFTER_MS = 3 * 60 * 1000;
/** Waiting for a reply this long: `overdue` (and no longer `soon to be`). */
const OVERDUE_AFTER_MS = 5 * 60 * 1000;

export const INBOX_VIEWS = [
	'all',
	'yours',
	'team',
	'rep needed',
	'pending',
	'soon to be',
	'overdue',
	'closed',
	'spam',
] as const;
type InboxView = (typeof INBOX_VIEWS)[number];

const NO_PERMISSION = 'Invalid business Unit ID, or no permission';

/** Errors of the platform service (§9–§12). */
const platformErrors = {
	/** A contact token on any inbox path. */
	unauthorized: () => jsonResponse(401, { message: 'Unauthorized' }),
	unknownQueryType: () => jsonResponse(400, { error: 'Unknown query type' }),
	noPermission: () => jsonResponse(403, { error: NO_PERMISSION }),
	teamNotFound: () => jsonResponse(404, { error: 'team not found or deleted' }),
};

/** Errors of channel-service (§13–§20): `{"code", "message"}`. */
const serviceErrors = {
	invalid: (message = 'Invalid request parameters') => jsonResponse(400, { code: 40000, message }),
	noPermission: () => jsonResponse(403, { code: 40003, message: NO_PERMISSION }),
	notFound: (message = 'Not found') => jsonResponse(404, { code: 40004, message }),
};

/** The status of a team conversation (§15) and what its views test. */
interface TeamConversationState {
	status: string;
	open: boolean;
	closed: boolean;
	spam: boolean;
	hasAgent: boolean;
	/** How long the contact's last message has waited for a reply; undefined when not waiting. */
	waitingMs: number | undefined;
}

/** What a test reads back of a team conversation (in process, or GET /__sandbox/team-conversations/<conv>). */
export interface TeamConversationRecord {
	id: string;
	conversationId: string;
	teamId: string;
	status: string;
	userIds: string[];
}

export class InboxApi {
	constructor(
		public store: SandboxStore,
		public data: InboxData,
		private readonly clock: MonotonicClock,
		/** The gateway's mode, read on every request (the 24-hour switch). */
		private readonly mode: () => SandboxMode,
	) {}

	/** Adds the inbox's routes and its part of §6 to the gateway. */
	register(api: ConversationsApi): void {
		// Every inbox path refuses contact tokens the same way, before anything else.
		const guarded =
			(handler: Handler): Handler =>
			(principal, request, parameters) =>
				principal.kind === 'contact'
					? platformErrors.unauthorized()
					: handler.call(this, principal, request, parameters);
		const platform = (path: string, handler: Handler) =>
			api.addInboxRoute('GET', `/platform/v1${path}`, '/platform', guarded(handler));
		const service = (method: string, path: string | RegExp, handler: Handler) =>
			api.addInboxRoute(method, path, '/channel-service', guarded(handler));
		const cs = '/channel-service';
		platform('/users/_me', this.me);
		platform('/business_units', this.businessUnits);
		platform('/teams', this.teams);
		platform('/teams/my', this.myTeams);
		platform('/team_users', this.teamUsers);
		platform('/users', this.users);
		service('GET', `${cs}/v1/channels`, this.channels);
		service('GET', `${cs}/v1/contacts`, this.contacts);
		service('GET', `${cs}/v1/contacts/_search`, this.searchContacts);
		service('GET', /^\/channel-service\/v1\/contacts\/([^/]+)\/conversations$/, this.contactInbox);
		service('GET', `${cs}/v2/team_conversations`, this.inbox);
		service('GET', `${cs}/v1/team_conversations/_search`, this.searchInbox);
		service('GET', `${cs}/v1/team_conversations`, this.teamConversationsOfConversation);
		service('GET', /^\/channel-service\/v1\/team_conversations\/([^/]+)$/, this.teamConversation);
		service('POST', `${cs}/v1/team_conversations/_update_status`, this.updateStatus);
		service('POST', `${cs}/v1/team_conversations/assign_team_member`, this.assign);
		service('POST', `${cs}/v1/team_conversations/remove_team_member`, this.unassign);
		service('GET', `${cs}/v1/message_templates`, this.messageTemplates);
		service('GET', `${cs}/v2/whatsapp_templates`, this.whatsappTemplates);
		api.sendExtension = (principal, conversation, fields) =>
			this.send(principal, conversation, fields);
	}

	// --- who may see what ----------------------------------------------------------------------

	private organizationTeams(principal: Principal): Team[] {
		return this.store.requireOrganization(principal.organizationId).teams;
	}

	/** The teams a caller works in: joined ones; a full-access key's user is in every team. */
	teamIdsOf(principal: Principal): string[] {
		if (principal.kind === 'apiKey')
			return this.organizationTeams(principal).map((team) => team.id);
		return this.joinedTeamIds(principal.userId);
	}

	private joinedTeamIds(userId: string): string[] {
		return this.data.memberships
			.filter((membership) => membership.userId === userId && membership.state === 'join')
			.map((membership) => membership.teamId);
	}

	/** The business units of the caller's teams, in the organization's order. */
	private businessUnitsOf(principal: Principal): BusinessUnit[] {
		const teamIds = new Set(this.teamIdsOf(principal));
		const unitIds = new Set(
			this.organizationTeams(principal)
				.filter((team) => teamIds.has(team.id))
				.map((team) => team.businessUnitId),
		);
		return this.store
			.requireOrganization(principal.organizationId)
			.businessUnits.filter((unit) => unitIds.has(unit.id));
	}

	private inBusinessUnit(principal: Principal, unitId: string | undefined): boolean {
		return this.businessUnitsOf(principal).some((unit) => unit.id === unitId);
	}

	// --- §9 ----------------------------------------------------------------------------------------

	private me(principal: Principal): ApiResponse {
		const user = this.data.users.get(principal.userId);
		if (!user) return platformErrors.unauthorized();
		return jsonResponse(200, this.userToApi(user, principal));
	}

	/** A user in the shape of §9; with `principal` (the caller itself), the caller's `team_ids`. */
	userToApi(user: UserProfile, principal?: Principal) {
		return {
			object_name: 'user',
			id: user.id,
			organization_id: principal?.organizationId ?? user.organizationId,
			email: user.email,
			role: user.role,
			display_name: user.displayName,
			first_name: user.firstName,
			last_name: user.lastName,
			is_bot: user.isBot,
			status: user.status,
			team_ids: principal ? this.teamIdsOf(principal) : this.joinedTeamIds(user.id),
			avatar_url: '',
			created_at: new Date(user.createdMs).toISOString(),
		};
	}

	// --- §10–§12: the platform lists ------------------------------------------------------------

	private businessUnits(principal: Principal, request: ApiRequest): ApiResponse {
		const organization = this.store.requireOrganization(principal.organizationId);
		const units = this.businessUnitsOf(principal).map((unit) => ({
			object_name: 'business_unit',
			id: unit.id,
			organization_id: unit.organizationId,
			name: unit.name,
			// Units have no time of their own in the seed: one day apart, in the organization's order.
			created_at: new Date(
				this.store.seedNowMs - (600 - organization.businessUnits.indexOf(unit)) * DAY_MS,
			).toISOString(),
		}));
		return platformList(units, request);
	}

	private teamToApi(team: Team, principal: Principal) {
		const joined = this.teamIdsOf(principal).includes(team.id);
		const details = this.data.teams.get(team.id);
		return {
			object_name: 'team',
			id: team.id,
			organization_id: team.organizationId,
			business_unit_id: team.businessUnitId,
			name: team.name,
			mode: details?.mode ?? 'public',
			is_joined: joined,
			members_count: this.data.memberships.filter(
				(membership) => membership.teamId === team.id && membership.state === 'join',
			).length,
			created_at: new Date(details?.createdMs ?? this.store.seedNowMs).toISOString(),
		};
	}

	/** Newest first; ties keep the seed's order. */
	private teamsNewestFirst(teams: Team[]): Team[] {
		const created = (team: Team) => this.data.teams.get(team.id)?.createdMs ?? 0;
		return [...teams].sort((a, b) => created(b) - created(a));
	}

	private teams(principal: Principal, request: ApiRequest): ApiResponse {
		const { type, q, search } = request.query;
		if (type !== 'business_unit_id' || !q) return platformErrors.unknownQueryType();
		if (!this.inBusinessUnit(principal, q)) return platformErrors.noPermission();
		const needle = (search ?? '').toLowerCase();
		const teams = this.teamsNewestFirst(
			this.organizationTeams(principal).filter(
				(team) => team.businessUnitId === q && team.name.toLowerCase().includes(needle),
			),
		);
		return platformList(
			teams.map((team) => this.teamToApi(team, principal)),
			request,
		);
	}

	private myTeams(principal: Principal): ApiResponse {
		const teamIds = new Set(this.teamIdsOf(principal));
		const teams = this.teamsNewestFirst(
			this.organizationTeams(principal).filter((team) => teamIds.has(team.id)),
		);
		return jsonResponse(
			200,
			teams.map((team) => ({
				...this.teamToApi(team, principal),
				role:
					principal.kind === 'apiKey'
						? 'admin'
						: (this.data.memberships.find(
								(membership) =>
									membership.teamId === team.id &&
									membership.userId === principal.userId &&
									membership.state === 'join',
							)?.role ?? 'member'),
			})),
		);
	}

	private teamUsers(principal: Principal, request: ApiRequest): ApiResponse {
		const { type, q } = request.query;
		if (type !== 'team_id' || !q) return platformErrors.unknownQueryType();
		const team = this.store.teams.get(q);
		if (!team || team.organizationId !== principal.organizationId) {
			return platformErrors.teamNotFound();
		}
		const memberships = this.data.memberships
			.filter((membership) => membership.teamId === team.id)
			.map((membership) => {
				const user = this.data.users.get(membership.userId);
				return {
					object_name: 'team_user',
					id: membership.id,
					team_id: membership.teamId,
					user_id: membership.userId,
					role: membership.role,
					state: membership.state,
					user: user ? this.userToApi(user) : null,
				};
			});
		return platformList(memberships, request);
	}

	private users(principal: Principal, request: ApiRequest): ApiResponse {
		const { status, search, team_ids: teamIdsText } = request.query;
		const needle = (search ?? '').toLowerCase();
		const teamIds = teamIdsText ? teamIdsText.split(',').filter(Boolean) : undefined;
		const users = [...this.data.users.values()]
			.filter(
				(user) =>
					user.organizationId === principal.organizationId &&
					(status === undefined || user.status === status) &&
					[user.displayName, user.email, user.firstName, user.lastName].some((field) =>
						field.toLowerCase().includes(needle),
					) &&
					(!teamIds || this.joinedTeamIds(user.id).some((id) => teamIds.includes(id))),
			)
			.sort((a, b) => b.createdMs - a.createdMs);
		return platformList(
			users.map((user) => this.userToApi(user)),
			request,
		);
	}

	// --- §13, §14 ----------------------------------------------------------------------------------

	private channels(principal: Principal, request: ApiRequest): ApiResponse {
		const { type } = request.query;
		const channels = this.store
			.requireOrganization(principal.organizationId)
			.channels.filter((channel) => type === undefined || channel.type === type)
			.map((channel) => {
				const details = this.data.channels.get(channel.id);
				return {
					_id: channel.id,
					name: channel.name,
					type: channel.type,
					active: details?.active ?? true,
					is_deleted: details?.isDeleted ?? false,
					organization_id: channel.organizationId,
					business_unit_id: channel.businessUnitId,
					created_at: new Date(details?.createdMs ?? this.store.seedNowMs).toISOString(),
				};
			});
		return jsonResponse(200, { data: channels });
	}

	/** The organization's contacts, newest first (ties: the later seeded first). */
	private contactsOf(principal: Principal) {
		const contacts = [...this.store.contacts.values()].filter(
			(contact) => contact.organizationId === principal.organizationId,
		);
		const created = (id: string) => this.data.contacts.get(id)?.createdMs ?? this.store.seedNowMs;
		return contacts
			.map((contact, index) => ({ contact, index }))
			.sort((a, b) => created(b.contact.id) - created(a.contact.id) || b.index - a.index)
			.map(({ contact }) => {
				const channel = this.store.requireChannel(contact.channelId);
				const details = this.data.contacts.get(contact.id);
				return {
					object_name: 'contact',
					id: contact.id,
					organization_id: contact.organizationId,
					display_name: contact.name,
					email: details?.email ?? '',
					phone_number: details?.phoneNumber ?? '',
					channel_id: channel.id,
					channel_type: channel.type,
					business_unit_id: channel.businessUnitId,
					created_at: new Date(created(contact.id)).toISOString(),
				};
			});
	}

	private contacts(principal: Principal, request: ApiRequest): ApiResponse {
		const { sort } = request.query;
		if (sort !== undefined && sort !== '-created_at') return serviceErrors.invalid();
		return serviceList(this.contactsOf(principal), request);
	}

	private searchContacts(principal: Principal, request: ApiRequest): ApiResponse {
		const { type, q } = request.query;
		if (type !== 'text' || q === undefined) return serviceErrors.invalid();
		const needle = q.toLowerCase();
		const matches = this.contactsOf(principal).filter((contact) =>
			[contact.display_name, contact.email, contact.phone_number].some((field) =>
				field.toLowerCase().includes(needle),
			),
		);
		return serviceList(matches, request);
	}

	private contactInbox(
		principal: Principal,
		_request: ApiRequest,
		[contactId]: string[],
	): ApiResponse {
		const contact = this.store.contacts.get(decodeURIComponent(contactId));
		if (!contact || contact.organizationId !== principal.organizationId) {
			return serviceErrors.notFound();
		}
		const conversationIds = new Set(contact.conversationIds);
		const items = this.visibleTeamConversations(principal)
			.filter((item) => conversationIds.has(item.conversationId))
			.map((item) => this.teamConversationToApi(item, principal));
		return jsonResponse(200, { data: items });
	}

	// --- §15, §16 ----------------------------------------------------------------------------------

	private conversationOf(item: TeamConversation): Conversation {
		const conversation = this.store.conversations.get(item.conversationId);
		if (!conversation) throw new Error(`Unknown conversation ${item.conversationId}`);
		return conversation;
	}

	/** Closed by an agent, and no message from the contact since (which reopens it). */
	private isClosed(item: TeamConversation): boolean {
		if (!item.closed) return false;
		const last = lastContactMessage(this.conversationOf(item));
		return !(last && last.ms > item.closedMs);
	}

	private state(item: TeamConversation): TeamConversationState {
		const conversation = this.conversationOf(item);
		const spam = conversation.status === 'spam';
		const closed = !spam && this.isClosed(item);
		const hasAgent = item.userIds.some((id) => !(this.data.users.get(id)?.isBot ?? false));
		const last = conversation.messages.at(-1);
		const waitingMs =
			last && last.from === conversation.contactId ? this.store.seedNowMs - last.ms : undefined;
		let status: string;
		if (spam) status = 'spam';
		else if (closed) status = 'closed';
		else if (!hasAgent) status = 'rep needed';
		else if (waitingMs === undefined) status = 'active';
		else if (waitingMs > OVERDUE_AFTER_MS) status = 'overdue';
		else if (waitingMs > SOON_TO_BE_AFTER_MS) status = 'soon to be';
		else status = 'pending';
		return { status, open: !spam && !closed, closed, spam, hasAgent, waitingMs };
	}

	private inView(
		item: TeamConversation,
		view: InboxView,
		principal: Principal,
		teamId: string | undefined,
	): boolean {
		const state = this.state(item);
		const waiting = state.waitingMs;
		switch (view) {
			case 'all':
				return state.open;
			case 'yours':
				return state.open && item.userIds.includes(principal.userId);
			case 'team':
				return state.open && item.teamId === teamId;
			case 'rep needed':
				return state.open && !state.hasAgent;
			case 'pending':
				return state.open && state.hasAgent && waiting !== undefined;
			case 'soon to be':
				return (
					state.open &&
					waiting !== undefined &&
					waiting > SOON_TO_BE_AFTER_MS &&
					waiting <= OVERDUE_AFTER_MS
				);
			case 'overdue':
				return state.open && waiting !== undefined && waiting > OVERDUE_AFTER_MS;
			case 'closed':
				return state.closed;
			case 'spam':
				return state.spam;
		}
	}

	/** The team conversations of the caller's teams, most recent activity first (ties: by id). */
	private visibleTeamConversations(principal: Principal): TeamConversation[] {
		const teamIds = new Set(this.teamIdsOf(principal));
		return this.data.teamConversations
			.filter((item) => teamIds.has(item.teamId))
			.map((item) => ({ item, activity: this.activityMs(item) }))
			.sort((a, b) => b.activity - a.activity || (a.item.id < b.item.id ? -1 : 1))
			.map(({ item }) => item);
	}

	private activityMs(item: TeamConversation): number {
		const conversation = this.conversationOf(item);
		return conversation.messages.at(-1)?.ms ?? conversation.timestampMs;
	}

	teamConversationToApi(item: TeamConversation, principal: Principal) {
		const conversation = this.conversationOf(item);
		const last = conversation.messages.at(-1);
		const lastFromContact = lastContactMessage(conversation);
		return {
			object_name: 'team_conversation',
			id: item.id,
			_id: item.id,
			conversation_id: conversation.id,
			team_id: item.teamId,
			business_unit_id: conversation.businessUnitId,
			channel_id: conversation.channelId,
			channel_type: conversation.channelType,
			contact_id: conversation.contactId,
			name: this.store.requireContact(conversation.contactId).name,
			status: this.state(item).status,
			timestamp: new Date(this.activityMs(item)).toISOString(),
			is_joined: item.userIds.includes(principal.userId),
			latest_message: last ? messageToApi(last) : null,
			contacts_latest_message: lastFromContact ? messageToApi(lastFromContact) : null,
		};
	}

	/** §16: the item plus the people in it. */
	private teamConversationWithUsers(item: TeamConversation, principal: Principal) {
		return {
			...this.teamConversationToApi(item, principal),
			users: item.userIds.map((id) => {
				const user = this.data.users.get(id);
				return {
					object_name: 'simple_user',
					id,
					display_name: user?.displayName ?? this.store.users.get(id)?.displayName ?? '',
					is_bot: user?.isBot ?? false,
				};
			}),
		};
	}

	/** A page of team conversations, with `nested.teams` naming their teams by id. */
	private inboxList(
		items: TeamConversation[],
		principal: Principal,
		request: ApiRequest,
	): ApiResponse {
		return serviceList(
			items.map((item) => this.teamConversationToApi(item, principal)),
			request,
			(page) => {
				const teams: Record<string, unknown> = {};
				for (const item of page) {
					const team = this.store.teams.get(item.team_id);
					if (team) {
						teams[team.id] = {
							object_name: 'team',
							id: team.id,
							name: team.name,
							business_unit_id: team.businessUnitId,
						};
					}
				}
				return { teams };
			},
		);
	}

	private inbox(principal: Principal, request: ApiRequest): ApiResponse {
		const { type, q, view, team_id: teamId } = request.query;
		if (type !== 'business_unit_id' || !q) return serviceErrors.invalid();
		if (!(INBOX_VIEWS as readonly string[]).includes(view ?? '')) {
			return serviceErrors.invalid('Invalid view');
		}
		const inboxView = view as InboxView;
		if (inboxView === 'team' && !teamId) return serviceErrors.invalid('team_id is required');
		if (!this.inBusinessUnit(principal, q)) return serviceErrors.noPermission();
		const channelTypes = new URLSearchParams(request.queryString ?? '').getAll('channel_types');
		const items = this.visibleTeamConversations(principal).filter((item) => {
			const conversation = this.conversationOf(item);
			return (
				conversation.businessUnitId === q &&
				(channelTypes.length === 0 || channelTypes.includes(conversation.channelType)) &&
				this.inView(item, inboxView, principal, teamId)
			);
		});
		return this.inboxList(items, principal, request);
	}

	private searchInbox(principal: Principal, request: ApiRequest): ApiResponse {
		const { business_unit_id: unitId, type, q } = request.query;
		if (!unitId || type !== 'text' || q === undefined) return serviceErrors.invalid();
		if (!this.inBusinessUnit(principal, unitId)) return serviceErrors.noPermission();
		const needle = q.toLowerCase();
		const items = this.visibleTeamConversations(principal).filter((item) => {
			const conversation = this.conversationOf(item);
			const contactName = this.store.requireContact(conversation.contactId).name;
			return (
				conversation.businessUnitId === unitId &&
				(conversation.name.toLowerCase().includes(needle) ||
					contactName.toLowerCase().includes(needle))
			);
		});
		return this.inboxList(items, principal, request);
	}

	private teamConversationsOfConversation(principal: Principal, request: ApiRequest): ApiResponse {
		const { type, q } = request.query;
		if (type !== 'conversation_id' || !q) return serviceErrors.invalid();
		const items = this.visibleTeamConversations(principal)
			.filter((item) => item.conversationId === q)
			.map((item) => this.teamConversationToApi(item, principal));
		return jsonResponse(200, { data: items });
	}

	/** A team conversation of the caller's organization, by id. */
	private findTeamConversation(principal: Principal, id: unknown): TeamConversation | undefined {
		const item = typeof id === 'string' ? this.data.teamConversationsById.get(id) : undefined;
		return item && this.conversationOf(item).organizationId === principal.organizationId
			? item
			: undefined;
	}

	private teamConversation(
		principal: Principal,
		_request: ApiRequest,
		[id]: string[],
	): ApiResponse {
		const item = this.findTeamConversation(principal, decodeURIComponent(id));
		if (!item) return serviceErrors.notFound();
		return jsonResponse(200, this.teamConversationWithUsers(item, principal));
	}

	// --- §17, §18 ----------------------------------------------------------------------------------

	private updateStatus(principal: Principal, request: ApiRequest): ApiResponse {
		const body = readJsonObject(request);
		if (!body) return serviceErrors.invalid();
		if (typeof body.id !== 'string' || body.id === '')
			return serviceErrors.invalid('id is required');
		if (body.status !== 'closed' && body.status !== 'active') {
			return serviceErrors.invalid('Invalid status');
		}
		const item = this.findTeamConversation(principal, body.id);
		if (!item) return serviceErrors.notFound();
		const closed = this.isClosed(item);
		if (body.status === 'closed' && !closed) {
			item.closed = true;
			item.closedMs = this.clock.now();
		} else if (body.status === 'active' && closed) {
			item.closed = false;
		}
		return jsonResponse(200, this.teamConversationWithUsers(item, principal));
	}

	/** The body of assign/unassign, checked in the contract's order, or the error. */
	private readAssignment(
		principal: Principal,
		request: ApiRequest,
		userRequired: boolean,
	): { conversation: Conversation; team: Team; userId: string | undefined } | ApiResponse {
		const body = readJsonObject(request);
		if (!body) return serviceErrors.invalid();
		const { conversation_id: conversationId, team_id: teamId, user_id: userId } = body;
		if (typeof conversationId !== 'string' || conversationId === '') {
			return serviceErrors.invalid('conversation_id is required');
		}
		if (typeof teamId !== 'string' || teamId === '') {
			return serviceErrors.invalid('team_id is required');
		}
		const hasUser = typeof userId === 'string' && userId !== '';
		if (userId !== undefined && userId !== null && !hasUser) {
			return serviceErrors.invalid('user_id is required');
		}
		if (userRequired && !hasUser) return serviceErrors.invalid('user_id is required');
		const conversation = this.store.conversations.get(conversationId);
		if (!conversation || conversation.organizationId !== principal.organizationId) {
			return serviceErrors.notFound();
		}
		const team = this.store.teams.get(teamId);
		if (!team || team.organizationId !== principal.organizationId) return serviceErrors.notFound();
		return { conversation, team, userId: hasUser ? (userId as string) : undefined };
	}

	private assign(principal: Principal, request: ApiRequest): ApiResponse {
		const assignment = this.readAssignment(principal, request, false);
		if (isResponse(assignment)) return assignment;
		const { conversation, team, userId } = assignment;
		if (userId !== undefined && !this.joinedTeamIds(userId).includes(team.id)) {
			return serviceErrors.invalid('User is not a member of this team');
		}
		const item =
			this.teamConversationOf(conversation.id, team.id) ??
			this.addTeamConversation(conversation, team.id, []);
		if (userId !== undefined && !item.userIds.includes(userId)) {
			item.userIds.push(userId);
			if (!conversation.userIds.includes(userId)) conversation.userIds.push(userId);
		}
		return jsonResponse(200, { success: true });
	}

	private unassign(principal: Principal, request: ApiRequest): ApiResponse {
		const assignment = this.readAssignment(principal, request, true);
		if (isResponse(assignment)) return assignment;
		const { conversation, team, userId } = assignment;
		const item = this.teamConversationOf(conversation.id, team.id);
		if (item && userId !== undefined && item.userIds.includes(userId)) {
			item.userIds = item.userIds.filter((id) => id !== userId);
			const elsewhere = this.data.teamConversations.some(
				(other) => other.conversationId === conversation.id && other.userIds.includes(userId),
			);
			if (!elsewhere) conversation.userIds = conversation.userIds.filter((id) => id !== userId);
		}
		return jsonResponse(200, { success: true });
	}

	private teamConversationOf(conversationId: string, teamId: string): TeamConversation | undefined {
		return this.data.teamConversations.find(
			(item) => item.conversationId === conversationId && item.teamId === teamId,
		);
	}

	/** A conversation routed to a team (§18, or a conversation added in a team by a hook). */
	addTeamConversation(
		conversation: Conversation,
		teamId: string,
		userIds: string[],
		{ closed = false } = {},
	): TeamConversation {
		const item: TeamConversation = {
			id: `tcu_${this.data.random.uuid()}`,
			conversationId: conversation.id,
			teamId,
			closed,
			// Closed as of its last message, as the seed's closed ones: a later contact message reopens it.
			closedMs: closed ? (conversation.messages.at(-1)?.ms ?? conversation.timestampMs) : 0,
			userIds,
		};
		this.data.teamConversations.push(item);
		this.data.teamConversationsById.set(item.id, item);
		return item;
	}

	/** Read-back for tests: a conversation's team conversations, in the order they were made. */
	teamConversationRecords(conversationId: string): TeamConversationRecord[] {
		return this.data.teamConversations
			.filter((item) => item.conversationId === conversationId)
			.map((item) => ({
				id: item.id,
				conversationId: item.conversationId,
				teamId: item.teamId,
				status: this.state(item).status,
				userIds: [...item.userIds],
			}));
	}

	// --- §19 ---------------------------------------------------------------------------------------

	private templateUnit(principal: Principal, request: ApiRequest): string | ApiResponse {
		const { type, q } = request.query;
		if (type !== 'business_unit_id' || !q) return serviceErrors.invalid();
		if (!this.inBusinessUnit(principal, q)) return serviceErrors.noPermission();
		return q;
	}

	private messageTemplates(principal: Principal, request: ApiRequest): ApiResponse {
		const unitId = this.templateUnit(principal, request);
		if (typeof unitId !== 'string') return unitId;
		const templates = this.data.messageTemplates
			.filter((template) => template.businessUnitId === unitId)
			.map((template) => ({
				object_name: 'message_template',
				id: template.id,
				organization_id: template.organizationId,
				business_unit_id: template.businessUnitId,
				title: template.title,
				text: template.text,
				template_language: template.language,
				created_at: new Date(template.createdMs).toISOString(),
			}));
		return serviceList(templates, request);
	}

	private whatsappTemplates(principal: Principal, request: ApiRequest): ApiResponse {
		const unitId = this.templateUnit(principal, request);
		if (typeof unitId !== 'string') return unitId;
		const channelId = request.query.channel_id;
		const templates = this.data.whatsappTemplates
			.filter(
				(template) =>
					template.businessUnitId === unitId &&
					(channelId === undefined || template.channelId === channelId),
			)
			.map((template) => ({
				object_name: 'whatsapp_template',
				id: template.id,
				organization_id: template.organizationId,
				business_unit_id: template.businessUnitId,
				channel_id: template.channelId,
				template_name: template.name,
				language: template.language,
				text: template.text,
				status: template.status,
				created_at: new Date(template.createdMs).toISOString(),
			}));
		return serviceList(templates, request);
	}

	// --- §20, §21 ----------------------------------------------------------------------------------

	/** The inbox's part of a §6 send: template types, then the 24-hour window for the others. */
	private send(
		principal: Principal,
		conversation: Conversation,
		fields: Record<string, unknown>,
	): { type: string; content: Record<string, unknown> } | ApiResponse | undefined {
		if (fields.type === 'whatsapp.template') {
			return this.whatsappTemplateContent(principal, conversation, fields);
		}
		let content: { type: string; content: Record<string, unknown> } | ApiResponse | undefined;
		if (fields.type === 'message_template') {
			content = this.messageTemplateContent(principal, fields);
			if (content === undefined || isResponse(content)) return content;
		} else if (!messageContent(fields)) {
			// §6 answers a bad body itself, before any window.
			return undefined;
		}
		if (this.mode().whatsappWindow && this.outsideWindow(conversation)) {
			return serviceErrors.invalid(
				'It has been more than 24 hours since the last message from the customer. Please use WhatsApp templates to continue the engagement.',
			);
		}
		return content;
	}

	/** A WhatsApp conversation whose contact wrote last more than 24 h before now (or never). */
	private outsideWindow(conversation: Conversation): boolean {
		if (conversation.channelType !== 'whatsapp') return false;
		const last = lastContactMessage(conversation);
		return !last || this.store.seedNowMs - last.ms > WHATSAPP_WINDOW_MS;
	}

	private messageTemplateContent(
		principal: Principal,
		fields: Record<string, unknown>,
	): { type: string; content: Record<string, unknown> } | ApiResponse | undefined {
		const { template_id: templateId, text } = fields;
		if (typeof templateId !== 'string' || templateId === '') {
			return serviceErrors.invalid('Template not found');
		}
		const template = this.data.messageTemplates.find((candidate) => candidate.id === templateId);
		if (!template || template.organizationId !== principal.organizationId) {
			return serviceErrors.notFound('Template not found');
		}
		if (typeof text !== 'string' || text === '') return undefined;
		return { type: 'text', content: { text, is_mail: false } };
	}

	private whatsappTemplateContent(
		principal: Principal,
		conversation: Conversation,
		fields: Record<string, unknown>,
	): { type: string; content: Record<string, unknown> } | ApiResponse {
		if (conversation.channelType !== 'whatsapp') {
			return serviceErrors.invalid('Invalid message type or content');
		}
		const { template_id: templateId, variables } = fields;
		if (typeof templateId !== 'string' || templateId === '') {
			return serviceErrors.invalid('Template not found');
		}
		const template = this.data.whatsappTemplates.find((candidate) => candidate.id === templateId);
		if (!template || template.organizationId !== principal.organizationId) {
			return serviceErrors.notFound('Template not found');
		}
		if (template.status !== 'APPROVED') return serviceErrors.invalid('Template is not approved');
		const expected = variableCount(template.text);
		const given = variables ?? [];
		if (
			!Array.isArray(given) ||
			given.length !== expected ||
			!given.every((value) => typeof value === 'string' && value !== '')
		) {
			return serviceErrors.invalid(`Template expects ${expected} variables`);
		}
		if (template.channelId !== conversation.channelId) {
			return serviceErrors.invalid('Template belongs to another channel');
		}
		const values = given as string[];
		return {
			type: 'whatsapp.template',
			content: {
				text: template.text.replace(/\{\{(\d+)\}\}/g, (_, n: string) => values[Number(n) - 1]),
				variables: [...values],
			},
		};
	}
}

/** The highest `{{n}}` of a template's text: its number of variables. */
export function variableCount(text: string): number {
	let count = 0;
	for (const match of text.matchAll(/\{\{(\d+)\}\}/g)) count = Math.max(count, Number(match[1]));
	return count;
}

/**
 * The platform's list (§10–§12): `limit` 0 or not a number means 10, above 100 is cut to 100;
 * `has_more` is `count >= skip + limit`, true also when the page ends at the last item.
 */
function platformList(items: unknown[], request: ApiRequest): ApiResponse {
	const limitNumber = Math.floor(Number(request.query.limit));
	const limit = Number.isFinite(limitNumber) && limitNumber > 0 ? Math.min(limitNumber, 100) : 10;
	const skipNumber = Math.floor(Number(request.query.skip ?? 0));
	const skip = Number.isFinite(skipNumber) && skipNumber > 0 ? skipNumber : 0;
	const data = items.slice(skip, skip + limit);
	return jsonResponse(200, {
		object_name: 'list',
		data,
		nested: {},
		has_more: items.length >= skip + limit,
		count: items.length,
		total: data.length,
	});
}

/** Channel-service's list (§13–§15, §19): `limit` 1 to 100 (default 10), an exact `has_more`. */
function serviceList<T>(
	items: T[],
	request: ApiRequest,
	nested: (page: T[]) => Record<string, unknown> = () => ({}),
): ApiResponse {
	const limit = listInteger(request.query.limit, 10, 1, 100);
	const skip = listInteger(request.query.skip, 0, 0, Number.MAX_SAFE_INTEGER);
	if (limit === undefined || skip === undefined) return serviceErrors.invalid();
	const data = items.slice(skip, skip + limit);
	return jsonResponse(200, {
		object_name: 'list',
		data,
		nested: nested(data),
		has_more: skip + data.length < items.length,
		count: items.length,
		total: data.length,
	});
}

function listInteger(
	value: string | undefined,
	fallback: number,
	min: number,
	max: number,
): number | undefined {
	if (value === undefined) return fallback;
	if (!/^\d+$/.test(value)) return undefined;
	const number = Number(value);
	return number >= min && number <= max ? number : undefined;
}
