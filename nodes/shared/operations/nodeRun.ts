import type { IDataObject, IExecuteSingleFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { Gateway } from '../transport/requester';
import { Slots } from '../transport/slots';

/** A node run never has more requests than this in flight, whatever the operation. */
export const MAX_IN_FLIGHT = 4;

interface Ticket {
	/** Settles when the previous write of the same lane has been answered. */
	turn: Promise<void>;
	done: () => void;
}

/**
 * What the items of one run of the iMBRACE node share. n8n's declarative engine starts every
 * item's request at once; this puts them in order where it matters:
 * - at most MAX_IN_FLIGHT requests at a time;
 * - writes to one conversation (one lane) one after another, in item order;
 * - without Continue On Fail, nothing new is sent for items after one that failed (the node fails
 *   anyway, as a loop that stops at the first failure would);
 * - what a write delivered is remembered, so that n8n's Retry On Fail, which runs the node again
 *   for every item, does not deliver it twice.
 */
export class NodeRun {
	readonly slots = new Slots(MAX_IN_FLIGHT);
	/** The credential's gateway, looked up once for the run. */
	gateway?: Promise<Gateway>;
	private lanes = new Map<string, Promise<void>>();
	private tickets = new Map<number, Ticket>();
	private firstFailure = Infinity;
	/** What each item's write is (its request as n8n built it), this try. */
	private fingerprints = new Map<number, string>();
	private readonly delivered = new Map<
		number,
		{ fingerprint: string; items: INodeExecutionData[] }
	>();
	/** Writes whose answer was lost and that may have been made: never sent again. */
	private readonly doubtful = new Map<number, { fingerprint: string; error: Error }>();

	/**
	 * Takes the item's place, synchronously and therefore in item order: RoutingNode starts the
	 * items one after another and runs each into its first preSend before starting the next.
	 */
	start(itemIndex: number, lane: string | undefined, fingerprint: string | undefined): void {
		if (itemIndex === 0) {
			// Item 0 starts every try of the node (Retry On Fail runs it again from the start).
			this.firstFailure = Infinity;
			this.lanes = new Map();
			this.tickets = new Map();
			this.fingerprints = new Map();
		}
		if (fingerprint !== undefined) this.fingerprints.set(itemIndex, fingerprint);
		if (lane === undefined) return;
		const previous = this.lanes.get(lane) ?? Promise.resolve();
		let done = () => {};
		const answered = new Promise<void>((resolve) => (done = resolve));
		this.lanes.set(
			lane,
			previous.then(async () => await answered),
		);
		this.tickets.set(itemIndex, { turn: previous, done });
	}

	/** Waits for the item's turn in its lane (at once for an item without one). */
	async turn(context: IExecuteSingleFunctions): Promise<void> {
		await this.tickets.get(context.getItemIndex())?.turn;
		this.checkStillWanted(context);
	}

	/** Refuses to send for an item after one that failed, unless Continue On Fail is on. */
	checkStillWanted(context: IExecuteSingleFunctions): void {
		const itemIndex = context.getItemIndex();
		if (itemIndex <= this.firstFailure || context.continueOnFail()) return;
		throw new NodeOperationError(
			context.getNode(),
			`Not sent, because item ${this.firstFailure} failed before it [item ${itemIndex}]`,
			{
				itemIndex,
				description:
					'The node stops sending at the first failed item. Fix that item, or turn on Continue On Fail so that the other items go on.',
			},
		);
	}

	/** Ends the item's turn: the next write of its lane may go. */
	finish(context: IExecuteSingleFunctions, failed: boolean): void {
		const itemIndex = context.getItemIndex();
		this.tickets.get(itemIndex)?.done();
		this.tickets.delete(itemIndex);
		if (failed && !context.continueOnFail()) {
			this.firstFailure = Math.min(this.firstFailure, itemIndex);
		}
	}

	remember(itemIndex: number, items: INodeExecutionData[]): void {
		this.delivered.set(itemIndex, { fingerprint: this.fingerprints.get(itemIndex) ?? '', items });
	}

	/** What an earlier try delivered for the item, if this try asks for the same write. */
	recall(itemIndex: number): INodeExecutionData[] | undefined {
		const earlier = this.delivered.get(itemIndex);
		return earlier && earlier.fingerprint === this.fingerprints.get(itemIndex)
			? earlier.items
			: undefined;
	}

	/** An item's write may have been made (its answer was lost): Retry On Fail must not repeat it. */
	doubt(itemIndex: number, error: Error): void {
		this.doubtful.set(itemIndex, { fingerprint: this.fingerprints.get(itemIndex) ?? '', error });
	}

	/** The error of an earlier try whose write may have been made, if this try asks for the same. */
	doubted(itemIndex: number): Error | undefined {
		const earlier = this.doubtful.get(itemIndex);
		return earlier && earlier.fingerprint === this.fingerprints.get(itemIndex)
			? earlier.error
			: undefined;
	}

	/** IDs of messages this run delivered (a lost answer is never matched to one of them). */
	deliveredIds(): Set<string> {
		const ids = new Set<string>();
		for (const { items } of this.delivered.values()) {
			for (const item of items) ids.add(String((item.json as IDataObject).id));
		}
		return ids;
	}
}

/**
 * The run an item belongs to. n8n hands every item of a node run, and every try of Retry On Fail,
 * the same execute data object, so it keys the run (and the run is gone with it).
 */
const runs = new WeakMap<object, NodeRun>();

export function nodeRunOf(context: IExecuteSingleFunctions): NodeRun {
	const key = context.getExecuteData();
	let run = runs.get(key);
	if (!run) {
		run = new NodeRun();
		runs.set(key, run);
	}
	return run;
}
