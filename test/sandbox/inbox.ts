/**
 * The inbox endpoints (the wire contract, §9–§21): who the caller is, the platform lists, the
 * channel-service lists, the inbox, conversation actions and template sends. They exist only
 * under `/platform/v1/…` and `/channel-service/…`, in every route family, and are not served
 * when the mode's `inbox` is off.
 */
import { jsonResponse } from './api';
import type { ApiResponse, ConversationsApi, SandboxMode } from './api';
import type { Principal, SandboxStore } from './data';
import type { InboxData, UserProfile } from './inbox-data';

/** The platform service's errors (§10–§12): `{"error": …}`. */
export const platformErrors = {
	unauthorized: () => jsonResponse(401, { message: 'Unauthorized' }),
};

export class InboxApi {
	constructor(
		public store: SandboxStore,
		public data: InboxData,
		/** The gateway's mode, read on every request (the 24-hour switch). */
		readonly mode: () => SandboxMode,
	) {}

	/** Adds the inbox's routes to the gateway. */
	register(api: ConversationsApi): void {
		api.addInboxRoute('GET', '/platform/v1/users/_me', '/platform', (principal) =>
			this.me(principal),
		);
	}

	// --- §9 ----------------------------------------------------------------------------------------

	private me(principal: Principal): ApiResponse {
		if (principal.kind === 'contact') return platformErrors.unauthorized();
		const user = this.data.users.get(principal.userId);
		if (!user) return platformErrors.unauthorized();
		return jsonResponse(200, this.userToApi(user, principal));
	}

	/** The teams a user has joined; a full-access key's user is in every team of its organisation. */
	teamIdsOf(principal: Principal): string[] {
		if (principal.kind === 'apiKey') {
			return this.store.requireOrganization(principal.organizationId).teams.map((team) => team.id);
		}
		return this.data.memberships
			.filter((membership) => membership.userId === principal.userId && membership.state === 'join')
			.map((membership) => membership.teamId);
	}

	/** A user in the shape of §9; `principal` (the caller) only for the caller's own `team_ids`. */
	userToApi(user: UserProfile, principal?: Principal) {
		const teamIds = principal
			? this.teamIdsOf(principal)
			: this.data.memberships
					.filter((membership) => membership.userId === user.id && membership.state === 'join')
					.map((membership) => membership.teamId);
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
			team_ids: teamIds,
			avatar_url: '',
			created_at: new Date(user.createdMs).toISOString(),
		};
	}
}
