/** The iMBRACE sandbox: a local stand-in for iMBRACE's Conversations API (see README.md). */
export { startSandbox, SandboxInputError } from './server';
export { nextRequest } from './next-request';
export type {
	AddConversationInput,
	AddMessagesInput,
	Fault,
	RecordedRequest,
	Sandbox,
	SandboxOptions,
} from './server';
/** The seed's fixed "now" (2025-06-30T12:00:00.000Z): seeded data is older; reply ages count from it. */
export { SEED_NOW_MS } from './api/data';
export { MEILI_GENERATIONS, ROUTE_MODES } from './api/api';
export type { MeiliGeneration, RoutesMode, SandboxMode } from './api/api';
export type { Jitter, RateLimit } from './traffic';
export type { SandboxIds, SandboxTokens, StoredMessage } from './api/data';
export type { InboxIds } from './inbox/inbox-data';
export type { TeamConversationRecord } from './inbox/inbox';
