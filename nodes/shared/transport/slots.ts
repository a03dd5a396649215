/** A counting semaphore, first come first served. */
export class Slots {
	private readonly waiting: Array<() => void> = [];

	constructor(private free: number) {}

	async take(): Promise<void> {
		if (this.free > 0) {
			this.free--;
			return;
		}
		await new Promise<void>((resolve) => this.waiting.push(resolve));
	}

	give(): void {
		const next = this.waiting.shift();
		if (next) next();
		else this.free++;
	}

	async around<T>(work: () => Promise<T>): Promise<T> {
		await this.take();
		try {
			return await work();
		} finally {
			this.give();
		}
	}
}
